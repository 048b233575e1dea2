"""Serialising heads, and framing bodies with the body writers."""

from __future__ import annotations

import pytest

from h11sm._codec import (
    ChunkedWriter,
    ContentLengthWriter,
    UntilCloseWriter,
    write_request_head,
    write_response_head,
)
from h11sm._errors import ProtocolError
from h11sm._events import Data, EndOfMessage, InformationalResponse, Request, Response


class Placeholder:
    """Stands for data a transport sends by other means (sendfile)."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size


def test_write_request_head() -> None:
    event = Request(method="GET", target="/", headers=[("Host", "example.com")])
    assert write_request_head(event) == b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"


def test_write_request_head_without_fields() -> None:
    # An HTTP/1.0 request may carry no header fields at all.
    event = Request(method="GET", target="/", headers=[], http_version="1.0")
    assert write_request_head(event) == b"GET / HTTP/1.0\r\n\r\n"


def test_write_request_head_several_fields_in_order() -> None:
    event = Request(
        method="POST",
        target="/x?y=1",
        headers=[("Host", "a"), ("Content-Length", "3"), ("X-Z", "q r")],
    )
    assert write_request_head(event) == (
        b"POST /x?y=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nX-Z: q r\r\n\r\n"
    )


def test_write_response_head_with_standard_reason() -> None:
    event = Response(status_code=200, headers=[("Content-Length", "0")])
    assert write_response_head(event) == b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"


def test_write_response_head_keeps_given_reason() -> None:
    event = Response(status_code=404, headers=[], reason="Nope")
    assert write_response_head(event) == b"HTTP/1.1 404 Nope\r\n\r\n"


def test_write_response_head_unknown_status_has_empty_reason() -> None:
    event = Response(status_code=599, headers=[])
    assert write_response_head(event) == b"HTTP/1.1 599 \r\n\r\n"


def test_write_informational_response_head() -> None:
    event = InformationalResponse(status_code=101, headers=[("Upgrade", "websocket")])
    assert write_response_head(event) == (
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
    )


# -- Content-Length ------------------------------------------------------------


def test_content_length_writer_passes_data_through() -> None:
    writer = ContentLengthWriter(10)
    payload = bytearray(b"0123")
    pieces = writer(Data(data=payload))
    assert len(pieces) == 1
    assert pieces[0] is payload
    placeholder = Placeholder(6)
    pieces = writer(Data(data=placeholder))
    assert len(pieces) == 1
    assert pieces[0] is placeholder
    assert writer(EndOfMessage()) == []


def test_content_length_writer_empty_data_sends_nothing() -> None:
    writer = ContentLengthWriter(0)
    assert writer(Data(data=b"")) == []
    assert writer(EndOfMessage()) == []


def test_content_length_writer_too_much() -> None:
    writer = ContentLengthWriter(3)
    assert writer(Data(data=b"ab")) == [b"ab"]
    with pytest.raises(ProtocolError, match=r"^Too much data for declared Content-Length$"):
        writer(Data(data=b"cd"))


def test_content_length_writer_too_little() -> None:
    writer = ContentLengthWriter(3)
    writer(Data(data=b"ab"))
    with pytest.raises(ProtocolError, match=r"^Too little data for declared Content-Length$"):
        writer(EndOfMessage())


def test_content_length_writer_refuses_trailers() -> None:
    with pytest.raises(ProtocolError, match="can't send trailers with a Content-Length body"):
        ContentLengthWriter(0)(EndOfMessage(headers=[("X", "y")]))


def test_content_length_writer_repr() -> None:
    assert repr(ContentLengthWriter(4)) == "ContentLengthWriter(remaining=4)"


# -- chunked -------------------------------------------------------------------


def test_chunked_writer_frames_each_data() -> None:
    writer = ChunkedWriter()
    payload = b"hello world, this is 26 b!"
    pieces = writer(Data(data=payload))
    assert pieces == [b"1a\r\n", payload, b"\r\n"]
    assert pieces[1] is payload


def test_chunked_writer_passes_placeholder_through() -> None:
    placeholder = Placeholder(300)
    pieces = ChunkedWriter()(Data(data=placeholder))
    assert pieces[0] == b"12c\r\n"
    assert pieces[1] is placeholder
    assert pieces[2] == b"\r\n"


def test_chunked_writer_never_sends_an_empty_chunk_for_empty_data() -> None:
    assert ChunkedWriter()(Data(data=b"")) == []


def test_chunked_writer_end_of_message() -> None:
    assert ChunkedWriter()(EndOfMessage()) == [b"0\r\n\r\n"]


def test_chunked_writer_trailers() -> None:
    pieces = ChunkedWriter()(EndOfMessage(headers=[("Expires", "never"), ("X-Sum", "1")]))
    assert pieces == [b"0\r\nExpires: never\r\nX-Sum: 1\r\n\r\n"]


def test_chunked_writer_refuses_framing_trailers() -> None:
    with pytest.raises(ProtocolError, match="content-length header field not allowed in trailers"):
        ChunkedWriter()(EndOfMessage(headers=[("Content-Length", "5")]))


def test_chunked_writer_repr() -> None:
    assert repr(ChunkedWriter()) == "ChunkedWriter()"


# -- until close ---------------------------------------------------------------


def test_until_close_writer() -> None:
    writer = UntilCloseWriter()
    placeholder = Placeholder(5)
    pieces = writer(Data(data=placeholder))
    assert len(pieces) == 1
    assert pieces[0] is placeholder
    assert writer(Data(data=b"")) == []
    assert writer(EndOfMessage()) == []
    assert repr(writer) == "UntilCloseWriter()"


def test_until_close_writer_refuses_trailers() -> None:
    with pytest.raises(ProtocolError, match=r"^can't send trailers to an HTTP/1\.0 peer$"):
        UntilCloseWriter()(EndOfMessage(headers=[("X", "y")]))
