"""Bytes that cannot begin a request line or a status line are refused as
soon as they arrive (not when the head is complete, or too large), with the
same verdict however the bytes are split; empty lines before a start line
are skipped (RFC 9112 §2.2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from h11sm import (
    CLIENT,
    DONE,
    ERROR,
    SERVER,
    Connection,
    Data,
    EndOfMessage,
    Paused,
    ProtocolError,
    Request,
    Response,
)
from h11sm._codec import ReceiveBuffer, read_request_head, read_response_head

# The first bytes of a TLS 1.2/1.3 ClientHello record.
CLIENT_HELLO = bytes.fromhex("160301020001 0001fc0303".replace(" ", "")) + b"\x8a" * 32
TLS_VERDICT = (
    "received a TLS record (first byte 0x16) instead of an HTTP request: the client is speaking HTTPS to a "
    "plain-HTTP endpoint"
)


def request_verdict(data: bytes, piece_size: int) -> tuple[str, int] | None:
    """The error (message, hint) reading *data* as a request head fed in
    pieces of *piece_size*, or None while no error (and no head) is seen."""
    buf = ReceiveBuffer()
    try:
        for start in range(0, len(data), piece_size):
            buf.feed(data[start : start + piece_size])
            assert read_request_head(buf) is None
    except ProtocolError as error:
        return error.msg, error.error_status_hint
    return None


def response_verdict(data: bytes, piece_size: int, lenient: bool = False) -> tuple[str, int] | None:
    buf = ReceiveBuffer()
    try:
        for start in range(0, len(data), piece_size):
            buf.feed(data[start : start + piece_size])
            assert read_response_head(buf, lenient=lenient) is None
    except ProtocolError as error:
        return error.msg, error.error_status_hint
    return None


# -- requests ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (CLIENT_HELLO, TLS_VERDICT),
        (b"\x16", TLS_VERDICT),
        (
            b"\x15\x03\x01\x00\x02",
            "received a TLS record (first byte 0x15) instead of an HTTP request: the client is speaking HTTPS "
            "to a plain-HTTP endpoint",
        ),
        (b"\x00\x01garbage", "illegal request line: invalid method (a request cannot start with b'\\x00')"),
        (b" GET / HTTP/1.1", "illegal request line: invalid method (a request cannot start with b' ')"),
        (b"@", "illegal request line: invalid method (a request cannot start with b'@')"),
        (b"\xffGET", "illegal request line: invalid method (a request cannot start with b'\\xff')"),
        (b"GE(T / HTTP/1.1", "illegal request line: invalid method b'GE('"),
        (b"G\x00", "illegal request line: invalid method b'G\\x00'"),
        (b"GET\t/", "illegal request line: expected method SP request-target SP HTTP-version"),
        (b"GET\r\n", "illegal request line: expected method SP request-target SP HTTP-version"),
        (b"GET\n", "bare LF line ending in request head (only CRLF is accepted)"),
        (b"\n", "bare LF line ending in request head (only CRLF is accepted)"),
        (b"\r\n\n", "bare LF line ending in request head (only CRLF is accepted)"),
        (b"\rGET", "bare CR before the request line"),
        (b"\r\n\r\n\x16\x03", TLS_VERDICT),
    ],
)
def test_refused_as_soon_as_the_bytes_show_it(data: bytes, message: str) -> None:
    # The head is incomplete, and far below the size limit: only its first
    # bytes say it can never be a request.
    for piece_size in (1, 2, len(data)):
        assert request_verdict(data, piece_size) == (message, 400)


def test_tls_client_hello_to_a_server_connection() -> None:
    server = Connection(SERVER)
    with pytest.raises(ProtocolError) as info:
        server.receive_data(CLIENT_HELLO)
    assert str(info.value) == TLS_VERDICT
    assert info.value.error_status_hint == 400
    assert server.their_state is ERROR
    # The server may still answer, and the answer says the connection ends.
    wire = server.send(Response(status_code=400, headers=[("Content-Length", "0")]))
    assert wire == b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def test_the_first_byte_alone_decides() -> None:
    server = Connection(SERVER)
    with pytest.raises(ProtocolError, match="TLS record"):
        server.receive_data(b"\x16")


@pytest.mark.parametrize(
    "data",
    [
        b"\r",
        b"\r\n",
        b"\r\n\r",
        b"G",
        b"GET",
        b"GET ",
        b"GET /\x00",  # (the target is judged when the line is complete)
        b"M-SEARCH",
        b"!#$%&'*+-.^_`|~09azAZ",
        b"A" * 24 + b"(",  # past the window: judged when the line is complete
    ],
)
def test_a_possible_request_line_start_waits(data: bytes) -> None:
    for piece_size in (1, len(data)):
        assert request_verdict(data, piece_size) is None


def test_a_long_method_is_judged_with_the_whole_line() -> None:
    buf = ReceiveBuffer()
    buf.feed(b"A" * 30 + b"( / HTTP/1.1\r\nHost: a\r\n\r\n")
    with pytest.raises(ProtocolError, match=r"^illegal request line: invalid method b'A{30}\('$"):
        read_request_head(buf)


def test_a_method_within_the_window_is_checked_once() -> None:
    # Once the window has been seen, later calls do not look at it again,
    # so a head that trickles in costs no more per byte.
    buf = ReceiveBuffer()
    buf.feed(b"GET /" + b"a" * 40)
    assert read_request_head(buf) is None
    buf.feed(b" HTTP/1.1\r\nHost: a\r\n\r\n")
    event = read_request_head(buf)
    assert event == Request(method="GET", target="/" + "a" * 40, headers=[("Host", "a")])


_METHOD_BYTES = st.sampled_from(b"!#$%&'*+-.^_`|~09azAZ GET\r\n\t(@\x00\x16\xff")


@given(st.binary(max_size=30), st.integers(1, 8))
def test_splitting_never_changes_the_verdict(data: bytes, piece_size: int) -> None:
    whole = request_verdict(data, max(len(data), 1))
    assert request_verdict(data, piece_size) == whole
    assert request_verdict(data, 1) == whole


@given(st.lists(_METHOD_BYTES, max_size=30).map(bytes), st.integers(1, 8))
def test_splitting_never_changes_the_verdict_near_methods(data: bytes, piece_size: int) -> None:
    whole = request_verdict(data, max(len(data), 1))
    assert request_verdict(data, piece_size) == whole
    assert request_verdict(data, 1) == whole


# -- responses --------------------------------------------------------------------------------


def client_waiting() -> Connection:
    client = Connection(CLIENT)
    client.send(Request(method="GET", target="/", headers=[("Host", "a")]))
    client.send(EndOfMessage())
    return client


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html>", "illegal status line: invalid HTTP version (a response starts with b'HTTP/', not b'<')"),
        (b"ICY 200 OK", "illegal status line: invalid HTTP version (a response starts with b'HTTP/', not b'I')"),
        (b"HTP/1.1", "illegal status line: invalid HTTP version (a response starts with b'HTTP/', not b'HTP')"),
        (b"http/1.1", "illegal status line: invalid HTTP version (a response starts with b'HTTP/', not b'h')"),
        (b"HTTP 1.1", "illegal status line: invalid HTTP version (a response starts with b'HTTP/', not b'HTTP ')"),
        (
            b"\x15\x03\x03\x00\x02\x02\x46",
            "received a TLS record (first byte 0x15) instead of an HTTP response: the server expects HTTPS",
        ),
        (
            b"\x16\x03\x03",
            "received a TLS record (first byte 0x16) instead of an HTTP response: the server expects HTTPS",
        ),
        (b"\rH", "bare CR before the status line"),
        (b"\r\n\r\n<", "illegal status line: invalid HTTP version (a response starts with b'HTTP/', not b'<')"),
    ],
)
def test_response_refused_as_soon_as_the_bytes_show_it(data: bytes, message: str) -> None:
    for lenient in (False, True):
        for piece_size in (1, 2, len(data)):
            assert response_verdict(data, piece_size, lenient) == (message, 400)


def test_response_leading_bare_lf_strict_and_lenient() -> None:
    assert response_verdict(b"\nHTTP/1.1", 1) == ("bare LF line ending in response head (only CRLF is accepted)", 400)
    assert response_verdict(b"\nHTTP/1.1", 1, lenient=True) is None
    buf = ReceiveBuffer()
    buf.feed(b"\n\r\nHTTP/1.1 204 No Content\n\n")
    assert read_response_head(buf, lenient=True) == Response(status_code=204, headers=[], reason="No Content")


@pytest.mark.parametrize("data", [b"\r", b"H", b"HTTP", b"HTTP/", b"HTTP/9", b"\r\nHT"])
def test_a_possible_status_line_start_waits(data: bytes) -> None:
    for piece_size in (1, len(data)):
        assert response_verdict(data, piece_size) is None


def test_garbage_response_to_a_client_connection() -> None:
    client = client_waiting()
    with pytest.raises(ProtocolError) as info:
        client.receive_data(b"<!DOCTYPE html>")
    assert info.value.msg == "illegal status line: invalid HTTP version (a response starts with b'HTTP/', not b'<')"
    assert info.value.error_status_hint == 400
    assert client.their_state is ERROR


# -- empty lines before a start line ------------------------------------------------------------


def test_empty_lines_before_a_request_are_skipped_however_split() -> None:
    data = b"\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"
    for piece_size in range(1, len(data) + 1):
        server = Connection(SERVER)
        events = []
        for start in range(0, len(data), piece_size):
            events += server.receive_data(data[start : start + piece_size])
        assert events == [Request(method="GET", target="/", headers=[("Host", "a")]), EndOfMessage()]


def test_an_empty_line_after_a_body_is_skipped_before_the_next_request() -> None:
    # RFC 9112 §2.2: some old clients send CRLF after a POST body.
    server = Connection(SERVER)
    events = server.receive_data(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi\r\n")
    assert events[1:] == [Data(data=b"hi"), EndOfMessage(), Paused(reason=DONE)]
    server.send(Response(status_code=204, headers=[]))
    server.send(EndOfMessage())
    server.prepare_to_reuse()
    assert server.receive_data(b"GET /next HTTP/1.1\r\nHost: a\r\n\r\n") == [
        Request(method="GET", target="/next", headers=[("Host", "a")]),
        EndOfMessage(),
    ]
