"""Body readers: Content-Length, chunked and close-delimited bodies."""

from __future__ import annotations

import pytest

from h11sm._codec import (
    ChunkedReader,
    ContentLengthReader,
    ReceiveBuffer,
    UntilCloseReader,
)
from h11sm._errors import ProtocolError
from h11sm._events import Data, EndOfMessage

Reader = ContentLengthReader | ChunkedReader | UntilCloseReader


def buffer_with(data: bytes) -> ReceiveBuffer:
    buf = ReceiveBuffer()
    buf.feed(data)
    return buf


def drain(reader: Reader, buf: ReceiveBuffer) -> list[Data | EndOfMessage]:
    """Every event the reader can produce from what is buffered."""
    events: list[Data | EndOfMessage] = []
    while True:
        event = reader.read(buf)
        if event is None:
            return events
        events.append(event)
        if type(event) is EndOfMessage:
            return events


def read_all(reader: Reader, data: bytes) -> list[Data | EndOfMessage]:
    return drain(reader, buffer_with(data))


def read_bytewise(reader: Reader, data: bytes) -> list[Data | EndOfMessage]:
    buf = ReceiveBuffer()
    events: list[Data | EndOfMessage] = []
    for index in range(len(data)):
        buf.feed(data[index : index + 1])
        events += drain(reader, buf)
    return events


def chunked_error(data: bytes, **limits: int) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        read_all(ChunkedReader(**limits), data)
    return info.value


# -- Content-Length ------------------------------------------------------------


def test_zero_length_ends_at_once() -> None:
    buf = ReceiveBuffer()
    assert ContentLengthReader(0).read(buf) == EndOfMessage()
    buf.feed(b"next")
    assert ContentLengthReader(0).read(buf) == EndOfMessage()
    assert buf.take_all() == b"next"


def test_content_length_body_in_pieces() -> None:
    reader = ContentLengthReader(10)
    buf = ReceiveBuffer()
    assert reader.read(buf) is None
    buf.feed(b"0123")
    assert reader.read(buf) == Data(data=b"0123")
    assert reader.read(buf) is None
    buf.feed(b"456789NEXT")
    assert reader.read(buf) == Data(data=b"456789")
    assert reader.read(buf) == EndOfMessage()
    assert buf.take_all() == b"NEXT"


def test_content_length_data_is_bytes() -> None:
    event = ContentLengthReader(3).read(buffer_with(b"abcdef"))
    assert type(event) is Data
    assert type(event.data) is bytes


def test_content_length_eof_before_the_end() -> None:
    reader = ContentLengthReader(5)
    read_all(reader, b"abc")
    with pytest.raises(ProtocolError) as info:
        reader.read_eof()
    assert info.value.msg == (
        "peer closed connection without finishing the body "
        "(2 bytes of the declared Content-Length missing)"
    )


def test_content_length_eof_after_the_end() -> None:
    reader = ContentLengthReader(3)
    assert read_all(reader, b"abc") == [Data(data=b"abc"), EndOfMessage()]
    assert reader.read_eof() == EndOfMessage()


def test_content_length_reader_repr() -> None:
    assert repr(ContentLengthReader(7)) == "ContentLengthReader(remaining=7)"


# -- until close -------------------------------------------------------------


def test_until_close_hands_out_everything() -> None:
    reader = UntilCloseReader()
    buf = ReceiveBuffer()
    assert reader.read(buf) is None
    buf.feed(b"abc")
    assert reader.read(buf) == Data(data=b"abc")
    assert reader.read(buf) is None
    buf.feed(b"def")
    assert reader.read(buf) == Data(data=b"def")
    assert reader.read_eof() == EndOfMessage()
    assert repr(reader) == "UntilCloseReader()"


# -- chunked: accepted -------------------------------------------------------


def test_chunked_body() -> None:
    assert read_all(ChunkedReader(), b"5\r\nhello\r\n1\r\n!\r\n0\r\n\r\nNEXT") == [
        Data(data=b"hello"),
        Data(data=b"!"),
        EndOfMessage(),
    ]


def test_chunked_leaves_next_message_in_buffer() -> None:
    buf = buffer_with(b"0\r\n\r\nGET")
    assert drain(ChunkedReader(), buf) == [EndOfMessage()]
    assert buf.take_all() == b"GET"


def test_chunked_hex_sizes() -> None:
    body = b"x" * 0x1A
    data = b"1a\r\n%s\r\n1A\r\n%s\r\n000000000000001a\r\n%s\r\n0\r\n\r\n" % (body, body, body)
    events = read_all(ChunkedReader(), data)
    assert events == [Data(data=body)] * 3 + [EndOfMessage()]


@pytest.mark.parametrize(
    "extension",
    [
        b";a",
        b";a=b",
        b";a=b;c=d;e",
        b' ; a = "quoted; \\" \\\\ value"',
        b';a=""',
        b"\t;\ta\t=\tb",
        b';x="caf\xc3\xa9"',
    ],
)
def test_chunk_extensions_parsed_and_dropped(extension: bytes) -> None:
    data = b"3%s\r\nabc\r\n0%s\r\n\r\n" % (extension, extension)
    assert read_all(ChunkedReader(), data) == [Data(data=b"abc"), EndOfMessage()]


def test_chunk_data_handed_out_as_it_arrives() -> None:
    reader = ChunkedReader()
    buf = buffer_with(b"a\r\n0123")
    assert reader.read(buf) == Data(data=b"0123")
    assert reader.read(buf) is None
    buf.feed(b"456789")
    assert reader.read(buf) == Data(data=b"456789")
    assert reader.read(buf) is None
    buf.feed(b"\r")
    assert reader.read(buf) is None
    buf.feed(b"\n0\r")
    assert reader.read(buf) is None
    buf.feed(b"\n")
    assert reader.read(buf) is None
    buf.feed(b"\r")
    assert reader.read(buf) is None
    buf.feed(b"\n")
    assert reader.read(buf) == EndOfMessage()


def test_chunked_body_byte_by_byte() -> None:
    data = b"5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nA: b\r\n  c\r\nD: e\r\n\r\n"
    events = read_bytewise(ChunkedReader(allow_obs_fold=True), data)
    assert b"".join(bytes(e.data) for e in events if type(e) is Data) == b"hello world"
    assert events[-1] == EndOfMessage(headers=[(b"a", b"b c"), (b"d", b"e")])
    assert read_all(ChunkedReader(allow_obs_fold=True), data)[-1] == events[-1]


def test_trailers() -> None:
    events = read_all(ChunkedReader(), b"0\r\nExpires: never\r\nX-Checksum:  abc \r\n\r\nNEXT")
    assert events == [EndOfMessage(headers=[(b"expires", b"never"), (b"x-checksum", b"abc")])]


def test_trailers_arriving_in_pieces() -> None:
    reader = ChunkedReader()
    buf = buffer_with(b"0\r\nX")
    assert reader.read(buf) is None
    buf.feed(b": y\r\n\r")
    assert reader.read(buf) is None
    buf.feed(b"\n")
    assert reader.read(buf) == EndOfMessage(headers=[(b"x", b"y")])


def test_trailer_section_exactly_at_its_limit() -> None:
    trailer = b"X: y\r\n\r\n"
    events = read_all(ChunkedReader(max_trailer_size=len(trailer)), b"0\r\n" + trailer)
    assert events == [EndOfMessage(headers=[(b"x", b"y")])]


def test_chunk_size_line_exactly_at_its_limit() -> None:
    line = b"5;ext=1\r\n"
    reader = ChunkedReader(max_line_size=len(line))
    assert read_all(reader, line + b"hello\r\n") == [Data(data=b"hello")]
    assert read_bytewise(ChunkedReader(max_line_size=len(line)), line + b"hello") == [
        Data(data=bytes([c])) for c in b"hello"
    ]


def test_read_after_the_end_gives_nothing() -> None:
    reader = ChunkedReader()
    buf = buffer_with(b"0\r\n\r\nmore")
    assert reader.read(buf) == EndOfMessage()
    assert reader.read(buf) is None
    assert reader.read_eof() == EndOfMessage()


def test_chunked_reader_repr() -> None:
    assert repr(ChunkedReader()) == "ChunkedReader(state=0, remaining=0)"


# -- chunked: rejected -------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [b"x", b"-5", b"+5", b" 5", b"", b";a", b"\xef\xbc\x95"],
)
def test_invalid_chunk_size(line: bytes) -> None:
    assert chunked_error(line + b"\r\nhello\r\n").msg.startswith("invalid chunk size")


@pytest.mark.parametrize(
    "line", [b"0x5", b"5 ", b"5\t", b"5_0", b"5 0", b"5;", b"5;a=", b"5;a b", b'5;a="x', b"5;=b"]
)
def test_invalid_chunk_extension_or_trailing_junk(line: bytes) -> None:
    assert chunked_error(line + b"\r\nhello\r\n").msg.startswith("invalid chunk extension")


def test_chunk_size_over_sixteen_hex_digits() -> None:
    error = chunked_error(b"1" + b"0" * 16 + b"\r\nhello\r\n")
    assert error.msg == "chunk size too large (more than 16 hex digits)"
    # Behind leading zeros, the significant digits are what is counted.
    error = chunked_error(b"00" + b"1" * 17 + b"\r\nhello\r\n")
    assert error.msg == "chunk size too large (more than 16 hex digits)"


def test_bare_lf_ending_a_chunk_size_line() -> None:
    error = chunked_error(b"5\nhello\r\n")
    assert error.msg == "bare LF line ending in chunk-size line (only CRLF is accepted)"


def test_chunk_size_line_too_long() -> None:
    line = b"5;ext=" + b"x" * 20 + b"\r\n"
    error = chunked_error(line, max_line_size=len(line) - 1)
    assert error.msg == f"chunk-size line too long (limit {len(line) - 1} bytes)"
    assert error.error_status_hint == 400
    with pytest.raises(ProtocolError, match="chunk-size line too long"):
        read_bytewise(ChunkedReader(max_line_size=len(line) - 1), line)


@pytest.mark.parametrize("after", [b"x\r\n", b"\n0\r\n", b"\r\r\n", b"\r0", b"0\r\n"])
def test_chunk_data_must_be_followed_by_crlf(after: bytes) -> None:
    error = chunked_error(b"5\r\nhello" + after + b"0\r\n\r\n")
    assert error.msg == "chunk data not followed by CRLF"


def test_missing_crlf_after_chunk_data_noticed_at_first_wrong_byte() -> None:
    reader = ChunkedReader()
    buf = buffer_with(b"3\r\nabc")
    assert reader.read(buf) == Data(data=b"abc")
    buf.feed(b"4")
    with pytest.raises(ProtocolError, match="chunk data not followed by CRLF"):
        reader.read(buf)


@pytest.mark.parametrize("name", [b"Content-Length", b"transfer-encoding"])
def test_framing_fields_in_trailers_are_fatal(name: bytes) -> None:
    error = chunked_error(b"0\r\n%s: x\r\n\r\n" % name)
    assert (error.msg, error.error_status_hint) == (
        f"{name.decode().lower()} header field not allowed in trailers",
        400,
    )


@pytest.mark.parametrize(
    "name", [b"Host", b"Trailer", b"Authorization", b"TE", b"Content-Type", b"Connection"]
)
@pytest.mark.parametrize("allow_obs_fold", [False, True])
def test_other_forbidden_trailer_fields_are_dropped(name: bytes, allow_obs_fold: bool) -> None:
    # RFC 9110 §6.5.1: never merged into the head, and not fatal either.
    reader = ChunkedReader(allow_obs_fold=allow_obs_fold)
    buf = ReceiveBuffer()
    buf.feed(b"0\r\nA: 1\r\n%s: x\r\nB: 2\r\n\r\n" % name)
    assert reader.read(buf) == EndOfMessage(headers=[(b"a", b"1"), (b"b", b"2")])
    assert not buf


def test_too_many_trailer_fields_counted_before_parsing() -> None:
    # A bad line among too many is not even looked at: the count says 431.
    error = chunked_error(b"0\r\nA: 1\r\nno colon\r\n\r\n", max_header_count=1)
    assert (error.msg, error.error_status_hint) == ("too many trailer fields (limit 1)", 431)
    # Folds continue a field, in a response's trailers, and do not count.
    reader = ChunkedReader(max_header_count=1, allow_obs_fold=True)
    buf = ReceiveBuffer()
    buf.feed(b"0\r\nA: 1\r\n 2\r\n\t3\r\n\r\n")
    assert reader.read(buf) == EndOfMessage(headers=[(b"a", b"1 2 3")])


def test_too_many_trailer_fields() -> None:
    error = chunked_error(b"0\r\nA: 1\r\nB: 2\r\n\r\n", max_header_count=1)
    assert (error.msg, error.error_status_hint) == ("too many trailer fields (limit 1)", 431)


def test_trailer_section_too_large() -> None:
    trailer = b"X: y\r\n\r\n"
    error = chunked_error(b"0\r\n" + trailer, max_trailer_size=len(trailer) - 1)
    assert error.error_status_hint == 431
    assert error.msg == f"trailer section too large (limit {len(trailer) - 1} bytes)"
    with pytest.raises(ProtocolError, match="trailer section too large"):
        read_bytewise(ChunkedReader(max_trailer_size=len(trailer) - 1), b"0\r\n" + trailer)


@pytest.mark.parametrize("trailer", [b"\n", b"\nX: y\r\n\r\n", b"X: y\n\r\n", b"X: y\r\n\n"])
def test_bare_lf_in_trailer_section(trailer: bytes) -> None:
    assert "bare LF line ending" in chunked_error(b"0\r\n" + trailer).msg
    with pytest.raises(ProtocolError, match="bare LF line ending"):
        read_bytewise(ChunkedReader(), b"0\r\n" + trailer)


def test_bare_cr_in_trailer_section() -> None:
    assert chunked_error(b"0\r\n\rX: y\r\n\r\n").msg == "bare CR in field section"


def test_trailer_field_rules_same_as_head() -> None:
    assert chunked_error(b"0\r\nX : y\r\n\r\n").msg.startswith("whitespace before colon")
    assert chunked_error(b"0\r\n y\r\n\r\n").msg == (
        "whitespace before the first header field line"
    )


@pytest.mark.parametrize("sent", [b"", b"5\r\nhel", b"5\r\nhello", b"5\r\nhello\r\n0\r\n"])
def test_chunked_eof_before_the_end(sent: bytes) -> None:
    reader = ChunkedReader()
    read_all(reader, sent)
    with pytest.raises(ProtocolError) as info:
        reader.read_eof()
    assert info.value.msg == (
        "peer closed connection without finishing the body (chunked body incomplete)"
    )
