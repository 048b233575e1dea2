"""Chunk boundaries and chunk extensions on Data events (RFC 9112 §7.1,
§7.1.1), and chunk sizes with leading zeros."""

from __future__ import annotations

import pickle

import pytest
from helpers import COMPILED, compiled_type_error
from hypothesis import given
from hypothesis import strategies as st

from h11sm import CLIENT, SERVER, Connection, Data, EndOfMessage, ProtocolError, Request, Response
from h11sm._codec import ChunkedReader, ReceiveBuffer
from h11sm._codec._bodies import parse_chunk_extensions
from h11sm._codec._writers import format_chunk_extensions

CHUNKED_POST = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"


def chunk_fields(event: object) -> tuple[bool, bool, tuple[tuple[bytes, bytes | None], ...]]:
    assert type(event) is Data
    return (event.chunk_start, event.chunk_end, event.extensions)


def read(data: bytes) -> list[Data | EndOfMessage]:
    reader = ChunkedReader()
    buf = ReceiveBuffer()
    buf.feed(data)
    events: list[Data | EndOfMessage] = []
    while (event := reader.read(buf)) is not None:
        events.append(event)
        if type(event) is EndOfMessage:
            break
    return events


# -- Data's chunk fields ------------------------------------------------------


def test_plain_data_has_the_defaults() -> None:
    data = Data(data=b"x")
    assert chunk_fields(data) == (False, False, ())
    assert repr(data) == "Data(data=b'x')"
    assert chunk_fields(Data._from_wire(b"x")) == (False, False, ())
    # All defaults given explicitly: the same plain Data.
    assert repr(Data(data=b"x", chunk_start=False, chunk_end=False, extensions=())) == "Data(data=b'x')"


def test_chunk_fields_are_kept_and_shown() -> None:
    data = Data(data=b"x", chunk_start=True, chunk_end=True, extensions=[("a", None), (b"b", "c d")])
    assert chunk_fields(data) == (True, True, ((b"a", None), (b"b", b"c d")))
    assert repr(data) == "Data(data=b'x', chunk_start=True, chunk_end=True, extensions=((b'a', None), (b'b', b'c d')))"
    assert repr(Data(data=b"", chunk_end=True)) == "Data(data=b'', chunk_end=True)"


def test_equality_looks_at_the_bytes_only() -> None:
    plain = Data(data=b"ok")
    whole_chunk = Data(data=b"ok", chunk_start=True, chunk_end=True)
    assert plain == whole_chunk
    assert whole_chunk == Data._from_wire_chunk(b"ok", (False, True, ((b"x", None),)))
    assert plain != Data(data=b"no")
    assert plain != EndOfMessage()


def test_chunk_fields_survive_pickling_and_are_immutable() -> None:
    data = Data(data=b"x", chunk_start=True, extensions=[("a", "b")])
    copy = pickle.loads(pickle.dumps(data))
    assert chunk_fields(copy) == (True, False, ((b"a", b"b"),))
    for name in ("chunk_start", "chunk_end", "extensions", "_chunk"):
        with pytest.raises(AttributeError, match="immutable"):
            setattr(data, name, True)


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"chunk_size": 3}, TypeError, "'chunk_size'"),
        ({"extensions": b"a=b"}, TypeError, "iterable of \\(name, value\\) pairs"),
        ({"extensions": 3}, TypeError, "iterable of \\(name, value\\) pairs"),
        ({"extensions": [("a",)]}, TypeError, "must hold \\(name, value\\) pairs"),
        ({"extensions": [None]}, TypeError, "must hold \\(name, value\\) pairs"),
        ({"extensions": [("a b", None)]}, ProtocolError, "Illegal chunk extension name"),
        ({"extensions": [("", None)]}, ProtocolError, "Illegal chunk extension name"),
        ({"extensions": [("a", "x\r\ny")]}, ProtocolError, "Illegal chunk extension value"),
        ({"extensions": [("a", b"\x7f")]}, ProtocolError, "Illegal chunk extension value"),
        ({"extensions": [(1, None)]}, TypeError, "chunk extension name"),
    ],
)
def test_bad_chunk_fields_are_refused(fields: dict[str, object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        Data(data=b"x", **fields)  # type: ignore[arg-type]


def test_the_chunk_flags_must_be_bools() -> None:
    start_message = compiled_type_error("bool", 1) if COMPILED else r"^Data\.chunk_start must be a bool, not int$"
    end_message = compiled_type_error("bool", "yes") if COMPILED else r"^Data\.chunk_end must be a bool, not str$"
    with pytest.raises(TypeError, match=start_message):
        Data(data=b"x", chunk_start=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=end_message):
        Data(data=b"x", chunk_end="yes")  # type: ignore[arg-type]


# -- receiving ----------------------------------------------------------------


def test_a_whole_chunk_in_one_event_starts_and_ends_it() -> None:
    events = read(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
    assert events == [Data(data=b"abc"), Data(data=b"de"), EndOfMessage()]
    assert [chunk_fields(e) for e in events[:2]] == [(True, True, ()), (True, True, ())]


def test_a_chunk_in_pieces_marks_its_first_and_last() -> None:
    server = Connection(SERVER)
    server.receive_data(CHUNKED_POST)
    first = server.receive_data(b"8;name=value;bare;q=\"x \\\"y\\\\\"\r\nhel")
    middle = server.receive_data(b"lo ")
    last = server.receive_data(b"wo\r\n0\r\n\r\n")
    assert first == [Data(data=b"hel")]
    assert chunk_fields(first[0]) == (True, False, ((b"name", b"value"), (b"bare", None), (b"q", b'x "y\\')))
    assert chunk_fields(middle[0]) == (False, False, ())
    assert last == [Data(data=b"wo"), EndOfMessage()]
    assert chunk_fields(last[0]) == (False, True, ())


def test_extensions_belong_to_their_own_chunk() -> None:
    events = read(b"1;a\r\nx\r\n1\r\ny\r\n1 ; b = c\r\nz\r\n0;last\r\n\r\n")
    assert [e.extensions for e in events if type(e) is Data] == [((b"a", None),), (), ((b"b", b"c"),)]


def test_other_framings_carry_no_chunk_fields() -> None:
    client = Connection(CLIENT)
    client.send(Request(method="GET", target="/", headers=[("Host", "a")]))
    client.send(EndOfMessage())
    events = client.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    assert chunk_fields(events[1]) == (False, False, ())


@pytest.mark.parametrize(
    ("size_line", "size"),
    [(b"00000000000000005", 5), (b"0" * 40 + b"a", 10), (b"0000000000000000ffffffffffffffff", 2**64 - 1)],
)
def test_leading_zeros_are_not_counted_against_the_digit_cap(size_line: bytes, size: int) -> None:
    reader = ChunkedReader()
    buf = ReceiveBuffer()
    buf.feed(size_line + b"\r\n")
    assert reader.read(buf) is None
    assert reader._remaining == size


def test_a_last_chunk_of_many_zeros_is_a_last_chunk() -> None:
    assert read(b"1\r\nx\r\n" + b"0" * 17 + b";e=1\r\n\r\n") == [Data(data=b"x"), EndOfMessage()]


def test_the_line_limit_still_bounds_leading_zeros() -> None:
    reader = ChunkedReader(max_line_size=64)
    buf = ReceiveBuffer()
    buf.feed(b"0" * 100 + b"5\r\n")
    with pytest.raises(ProtocolError, match="chunk-size line too long"):
        reader.read(buf)


# -- sending ------------------------------------------------------------------


def chunked_client() -> Connection:
    client = Connection(CLIENT)
    client.send(Request(method="POST", target="/", headers=[("Host", "a"), ("Transfer-Encoding", "chunked")]))
    return client


def test_extensions_are_written_on_the_chunk_size_line() -> None:
    client = chunked_client()
    wire = client.send(Data(data=b"hello", extensions=[("a", None), ("b", "tok"), ("q", b'x "y\\'), ("e", b"")]))
    assert wire == b'5;a;b=tok;q="x \\"y\\\\";e=""\r\nhello\r\n'
    # chunk_start and chunk_end are ignored when sending (h11 0.16 does so).
    assert client.send(Data(data=b"hi", chunk_start=True, chunk_end=False)) == b"2\r\nhi\r\n"
    assert client.send(Data(data=b"", extensions=[("a", None)])) == b""


def test_extensions_are_dropped_without_chunked_framing() -> None:
    client = Connection(CLIENT)
    client.send(Request(method="POST", target="/", headers=[("Host", "a"), ("Content-Length", "2")]))
    assert client.send(Data(data=b"hi", extensions=[("a", "b")])) == b"hi"
    server = Connection(SERVER)
    server.receive_data(b"GET / HTTP/1.0\r\n\r\n")
    server.send(Response(status_code=200))
    assert server.send(Data(data=b"hi", extensions=[("a", "b")])) == b"hi"


_NAMES = st.from_regex(rb"\A[-!#$%&'*+.^_`|~0-9a-zA-Z]{1,8}\Z")
_VALUES = st.none() | st.binary(max_size=12).filter(lambda v: all(b == 9 or 0x20 <= b != 0x7F for b in v))


@given(st.lists(st.tuples(_NAMES, _VALUES), max_size=5), st.binary(min_size=1, max_size=20))
def test_extensions_round_trip(extensions: list[tuple[bytes, bytes | None]], body: bytes) -> None:
    client = chunked_client()
    server = Connection(SERVER)
    server.receive_data(CHUNKED_POST)
    wire = client.send(Data(data=body, extensions=extensions))
    assert wire is not None
    (received,) = server.receive_data(wire)
    assert received == Data(data=body)
    assert chunk_fields(received) == (True, True, tuple(extensions))
    assert parse_chunk_extensions(format_chunk_extensions(tuple(extensions))) == tuple(extensions)
