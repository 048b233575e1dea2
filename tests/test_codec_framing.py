"""Which body reader / writer applies (RFC 9112 §6.3, h11's framing rules)."""

from __future__ import annotations

import pytest

from h11sm._codec import (
    ChunkedReader,
    ChunkedWriter,
    ContentLengthReader,
    ContentLengthWriter,
    ReceiveBuffer,
    UntilCloseReader,
    UntilCloseWriter,
    framing_for_receive,
    framing_for_send,
    framing_for_send_request,
    framing_for_send_response,
)
from h11sm._errors import ProtocolError
from h11sm._events import EndOfMessage, InformationalResponse, Request, Response
from h11sm._headers import Headers

HeaderList = list[tuple[bytes, bytes]]


def req(headers: HeaderList, method: bytes = b"POST", version: bytes = b"1.1") -> Request:
    return Request._from_wire(
        method, b"/", Headers._from_wire([(b"host", b"a"), *headers]), version
    )


def resp(status: int, headers: HeaderList, version: bytes = b"1.1") -> Response:
    return Response._from_wire(status, Headers._from_wire(headers), version, b"")


def length_of(reader: object) -> int:
    """How many body bytes a ContentLengthReader expects."""
    assert type(reader) is ContentLengthReader
    buf = ReceiveBuffer()
    buf.feed(b"x" * 100)
    taken = 0
    while True:
        event = reader.read(buf)
        if type(event) is EndOfMessage:
            return taken
        assert event is not None
        taken += len(event.data)


# -- receive -------------------------------------------------------------------


def test_request_without_framing_has_empty_body() -> None:
    assert length_of(framing_for_receive(req([]), None)) == 0


def test_request_with_content_length() -> None:
    assert length_of(framing_for_receive(req([(b"content-length", b"12")]), None)) == 12


def test_request_with_chunked() -> None:
    reader = framing_for_receive(req([(b"transfer-encoding", b"chunked")]), None)
    assert type(reader) is ChunkedReader


def test_request_with_unsupported_coding_rejected_again() -> None:
    with pytest.raises(ProtocolError) as info:
        framing_for_receive(req([(b"transfer-encoding", b"gzip, chunked")]), None)
    assert info.value.error_status_hint == 501


def test_chunked_reader_gets_the_limits() -> None:
    reader = framing_for_receive(
        req([(b"transfer-encoding", b"chunked")]),
        None,
        max_line_size=5,
        max_trailer_size=10,
        max_header_count=1,
    )
    buf = ReceiveBuffer()
    buf.feed(b"1;abcdef\r\n")
    with pytest.raises(ProtocolError, match=r"chunk-size line too long \(limit 5 bytes\)"):
        reader.read(buf)


@pytest.mark.parametrize("status", [100, 101, 199])
def test_informational_response_has_no_body(status: int) -> None:
    event = InformationalResponse._from_wire(
        status, Headers._from_wire([(b"content-length", b"5")]), b"1.1", b""
    )
    assert length_of(framing_for_receive(event, b"GET")) == 0


@pytest.mark.parametrize(
    ("status", "method"),
    [
        (204, b"GET"),
        (304, b"GET"),
        (200, b"HEAD"),
        (404, b"HEAD"),
        (200, b"CONNECT"),
        (299, b"CONNECT"),
    ],
)
def test_responses_without_body(status: int, method: bytes) -> None:
    event = resp(status, [(b"content-length", b"5"), (b"transfer-encoding", b"chunked")])
    assert length_of(framing_for_receive(event, method)) == 0


def test_failed_connect_response_has_a_body() -> None:
    event = resp(407, [(b"content-length", b"5")])
    assert length_of(framing_for_receive(event, b"CONNECT")) == 5


def test_response_chunked() -> None:
    reader = framing_for_receive(resp(200, [(b"transfer-encoding", b"chunked")]), b"GET")
    assert type(reader) is ChunkedReader


def test_response_transfer_encoding_wins_over_content_length() -> None:
    event = resp(200, [(b"content-length", b"5"), (b"transfer-encoding", b"gzip, Chunked")])
    assert type(framing_for_receive(event, b"GET")) is ChunkedReader


@pytest.mark.parametrize("codings", [b"gzip", b"chunked, gzip"])
def test_response_coding_not_ending_in_chunked_runs_until_close(codings: bytes) -> None:
    event = resp(200, [(b"transfer-encoding", codings), (b"content-length", b"5")])
    assert type(framing_for_receive(event, b"GET")) is UntilCloseReader


def test_http_1_0_response_with_transfer_encoding_is_dechunked() -> None:
    # RFC 9112 §6.1 calls the framing faulty; the body is still read as
    # chunked (as h11 and llhttp do), never its framing handed out as
    # content. (The connection closes after it: see test_hostile_round_two.)
    event = resp(200, [(b"transfer-encoding", b"chunked")], version=b"1.0")
    assert type(framing_for_receive(event, b"GET")) is ChunkedReader


def test_response_with_content_length() -> None:
    assert length_of(framing_for_receive(resp(200, [(b"content-length", b"7")]), b"GET")) == 7


def test_response_without_framing_runs_until_close() -> None:
    assert type(framing_for_receive(resp(200, []), b"GET")) is UntilCloseReader


# -- send: requests ------------------------------------------------------------


def test_send_request_without_framing() -> None:
    event = req([])
    headers, writer, close = framing_for_send(event)
    assert headers is event.headers
    assert type(writer) is ContentLengthWriter
    assert close is False
    assert writer(EndOfMessage()) == []


def test_send_request_with_content_length() -> None:
    event = req([(b"content-length", b"3")])
    headers, writer = framing_for_send_request(event)
    assert headers is event.headers
    assert type(writer) is ContentLengthWriter
    with pytest.raises(ProtocolError, match="Too little data"):
        writer(EndOfMessage())


def test_send_request_chunked() -> None:
    event = req([(b"transfer-encoding", b"chunked")])
    headers, writer, close = framing_for_send(event)
    assert (headers, type(writer), close) == (event.headers, ChunkedWriter, False)


@pytest.mark.parametrize(
    "headers",
    [
        [(b"transfer-encoding", b"gzip")],
        [(b"transfer-encoding", b"gzip, chunked")],
        [(b"transfer-encoding", b"chunked"), (b"content-length", b"5")],
    ],
)
def test_send_request_with_unsupported_framing_rejected(headers: HeaderList) -> None:
    with pytest.raises(ProtocolError):
        framing_for_send(req(headers))


def test_send_request_with_both_framing_fields_message() -> None:
    event = req([(b"transfer-encoding", b"chunked"), (b"content-length", b"5")])
    with pytest.raises(ProtocolError, match="can't send both Transfer-Encoding and Content-Length"):
        framing_for_send(event)


def test_send_request_with_invalid_content_length_rejected() -> None:
    with pytest.raises(ProtocolError, match="invalid Content-Length"):
        framing_for_send(req([(b"content-length", b"5, 6")]))


# -- send: responses -----------------------------------------------------------


def test_send_response_with_content_length() -> None:
    event = resp(200, [(b"content-length", b"5")])
    headers, writer, close = framing_for_send(
        event, request_method=b"GET", peer_http_version=b"1.0"
    )
    assert headers is event.headers
    assert type(writer) is ContentLengthWriter
    assert close is False


@pytest.mark.parametrize("framing", [[], [(b"transfer-encoding", b"chunked")]])
def test_send_response_of_unknown_length_to_http_1_1_goes_chunked(framing: HeaderList) -> None:
    event = resp(200, [(b"x", b"y"), *framing])
    headers, writer, close = framing_for_send_response(event, b"GET", b"1.1")
    assert headers == [(b"x", b"y"), (b"transfer-encoding", b"chunked")]
    assert type(writer) is ChunkedWriter
    assert close is False


def test_send_response_keeps_the_users_chunked_header_object() -> None:
    event = resp(200, [(b"transfer-encoding", b"chunked")])
    headers, _, _ = framing_for_send_response(event, b"GET", b"1.1")
    assert headers is event.headers


@pytest.mark.parametrize("peer", [b"1.0", None])
@pytest.mark.parametrize("framing", [[], [(b"transfer-encoding", b"chunked")]])
def test_send_response_of_unknown_length_to_http_1_0_is_close_delimited(
    peer: bytes | None, framing: HeaderList
) -> None:
    event = resp(200, [(b"x", b"y"), *framing, (b"z", b"w")])
    headers, writer, close = framing_for_send_response(event, b"GET", peer)
    assert headers == [(b"x", b"y"), (b"z", b"w")]
    assert type(writer) is UntilCloseWriter
    assert close is True


def test_send_response_to_http_1_0_without_framing_keeps_headers_object() -> None:
    event = resp(200, [(b"x", b"y")])
    headers, _, _ = framing_for_send_response(event, b"GET", b"1.0")
    assert headers is event.headers


@pytest.mark.parametrize(
    ("status", "method", "headers"),
    [
        (200, b"HEAD", [(b"content-length", b"100")]),
        (200, b"HEAD", [(b"transfer-encoding", b"chunked")]),
        (200, b"HEAD", []),
        (304, b"GET", [(b"content-length", b"100")]),
        (304, b"CONNECT", [(b"content-length", b"100")]),
        (204, b"GET", []),
        (200, b"CONNECT", []),
    ],
)
def test_send_response_without_body_keeps_headers(
    status: int, method: bytes, headers: HeaderList
) -> None:
    event = resp(status, headers)
    sent, writer, close = framing_for_send_response(event, method, b"1.1")
    assert sent is event.headers
    assert type(writer) is ContentLengthWriter
    assert close is False
    assert writer(EndOfMessage()) == []


def test_send_informational_response() -> None:
    event = InformationalResponse._from_wire(
        101, Headers._from_wire([(b"upgrade", b"x")]), b"1.1", b""
    )
    headers, writer, close = framing_for_send_response(event, b"GET", b"1.1")
    assert (headers, type(writer), close) == (event.headers, ContentLengthWriter, False)


@pytest.mark.parametrize(
    ("status", "method", "field", "message"),
    [
        (204, b"GET", b"content-length", "in a 204 response"),
        (204, b"GET", b"transfer-encoding", "in a 204 response"),
        (200, b"CONNECT", b"content-length", "in a 200 response to CONNECT"),
        (100, b"GET", b"content-length", "in a 100 response"),
        (100, b"CONNECT", b"content-length", "in a 100 response"),
    ],
)
def test_send_response_framing_fields_forbidden(
    status: int, method: bytes, field: bytes, message: str
) -> None:
    value = b"0" if field == b"content-length" else b"chunked"
    headers = Headers._from_wire([(field, value)])
    event: Response | InformationalResponse
    if status < 200:
        event = InformationalResponse._from_wire(status, headers, b"1.1", b"")
    else:
        event = Response._from_wire(status, headers, b"1.1", b"")
    with pytest.raises(ProtocolError) as info:
        framing_for_send_response(event, method, b"1.1")
    assert info.value.msg == f"can't send Content-Length or Transfer-Encoding {message}"


def test_send_response_with_unsupported_coding_rejected() -> None:
    with pytest.raises(ProtocolError, match="final transfer coding"):
        framing_for_send_response(resp(200, [(b"transfer-encoding", b"gzip")]), b"GET", b"1.1")


def test_repeated_framing_fields_read_as_one_list() -> None:
    lengths = [(b"content-length", b"4"), (b"content-length", b"4")]
    assert length_of(framing_for_receive(req(lengths), None)) == 4
    codings = [(b"transfer-encoding", b"gzip"), (b"transfer-encoding", b"chunked")]
    assert type(framing_for_receive(resp(200, codings), b"GET")) is ChunkedReader
