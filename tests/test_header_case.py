"""Header names keep their case: Headers.raw_items() for headers given by a
user and for received ones, the names the writers send, the title case of
the fields h11sm adds itself, and a received head sent on unchanged."""

from __future__ import annotations

import copy
import pickle

import pytest
from helpers import deliver, pair
from hypothesis import given
from hypothesis import strategies as st

from h11sm import (
    CLIENT,
    SERVER,
    Connection,
    Data,
    EndOfMessage,
    InformationalResponse,
    Request,
    Response,
)
from h11sm._codec import ReceiveBuffer, read_request_head, read_response_head
from h11sm._headers import EMPTY_HEADERS, Headers, normalize_and_validate, set_comma_header, title_case

MIXED = [("Content-Type", "text/plain"), (b"X-Request-ID", b"7"), ("host", "a"), (b"ETAG", "x")]
MIXED_RAW = [(b"Content-Type", b"text/plain"), (b"X-Request-ID", b"7"), (b"host", b"a"), (b"ETAG", b"x")]
MIXED_LOWER = [(b"content-type", b"text/plain"), (b"x-request-id", b"7"), (b"host", b"a"), (b"etag", b"x")]


# -- headers given by a user ---------------------------------------------------------------


def test_raw_items_keep_the_case_of_str_and_bytes_names() -> None:
    headers = normalize_and_validate(MIXED)
    assert headers == MIXED_LOWER
    assert list(headers) == MIXED_LOWER
    assert headers.raw_items() == MIXED_RAW
    assert repr(headers) == repr(MIXED_LOWER)


def test_raw_items_from_a_tuple_of_bytes_pairs() -> None:
    given_pairs = ((b"Host", b"a"), (b"Accept", b"*/*"))
    headers = normalize_and_validate(given_pairs)
    assert headers == [(b"host", b"a"), (b"accept", b"*/*")]
    assert headers.raw_items() == list(given_pairs)


def test_raw_items_when_the_careful_path_normalises() -> None:
    # Whitespace around values, a bytearray name and a generator take the
    # general path; it keeps the names as given too.
    pairs = ((name, value) for name, value in [(bytearray(b"X-Thing"), " a "), ("HOST", b"\tb")])
    headers = normalize_and_validate(pairs)
    assert headers == [(b"x-thing", b"a"), (b"host", b"b")]
    assert headers.raw_items() == [(b"X-Thing", b"a"), (b"HOST", b"b")]


def test_raw_items_of_lowercase_names_are_the_fields() -> None:
    for pairs in ([(b"host", b"a"), (b"x", b" b ")], [("host", "a")], iter([("host", "a")])):
        headers = normalize_and_validate(pairs)
        assert headers.raw_items() == list(headers)


def test_raw_items_is_a_new_list_each_time() -> None:
    given_pairs = [(b"Host", b"a")]
    headers = normalize_and_validate(given_pairs)
    items = headers.raw_items()
    items.append((b"X", b"y"))
    given_pairs.append((b"Later", b"z"))  # the caller's list is not kept
    assert headers.raw_items() == [(b"Host", b"a")]
    assert EMPTY_HEADERS.raw_items() == []


def test_merged_content_length_keeps_the_first_name() -> None:
    headers = normalize_and_validate([("content-LENGTH", "5"), ("Host", "a"), ("Content-Length", "5, 5")])
    assert headers == [(b"content-length", b"5"), (b"host", b"a")]
    assert headers.raw_items() == [(b"content-LENGTH", b"5"), (b"Host", b"a")]


def test_constructor_pickle_copy_and_slices_keep_the_raw_names() -> None:
    headers = Headers(MIXED)
    assert headers.raw_items() == MIXED_RAW
    assert Headers(headers).raw_items() == MIXED_RAW
    assert normalize_and_validate(headers) is headers
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        restored = pickle.loads(pickle.dumps(headers, protocol))
        assert restored == headers
        assert restored.raw_items() == MIXED_RAW
    assert copy.copy(headers).raw_items() == MIXED_RAW
    assert copy.deepcopy(headers).raw_items() == MIXED_RAW
    assert headers[1:3].raw_items() == MIXED_RAW[1:3]
    assert headers[::-1].raw_items() == MIXED_RAW[::-1]
    lowercase = Headers._from_wire([(b"host", b"a")])
    assert lowercase[:1].raw_items() == [(b"host", b"a")]
    assert pickle.loads(pickle.dumps(lowercase)).raw_items() == [(b"host", b"a")]


def test_events_keep_the_raw_names() -> None:
    request = Request(method="GET", target="/", headers=MIXED)
    assert request.headers.raw_items() == MIXED_RAW
    assert Response(status_code=200, headers=MIXED).headers.raw_items() == MIXED_RAW
    assert EndOfMessage(headers=[("X-Sum", "1")]).headers.raw_items() == [(b"X-Sum", b"1")]


@pytest.mark.parametrize(
    ("name", "cased"),
    [
        (b"connection", b"Connection"),
        (b"content-length", b"Content-Length"),
        (b"transfer-encoding", b"Transfer-Encoding"),
        (b"x-forwarded-for", b"X-Forwarded-For"),
        (b"te", b"Te"),
        (b"x-1abc", b"X-1abc"),
    ],
)
def test_title_case(name: bytes, cased: bytes) -> None:
    assert title_case(name) == cased


def test_set_comma_header_title_cases_the_field_it_writes() -> None:
    headers = normalize_and_validate([("HOST", "a"), ("connection", "keep-alive"), ("X-Y", "z")])
    result = set_comma_header(headers, b"connection", [b"close"])
    assert result == [(b"host", b"a"), (b"x-y", b"z"), (b"connection", b"close")]
    assert result.raw_items() == [(b"HOST", b"a"), (b"X-Y", b"z"), (b"Connection", b"close")]
    removed = set_comma_header(headers, b"connection", [])
    assert removed.raw_items() == [(b"HOST", b"a"), (b"X-Y", b"z")]
    # A plain list of (lowercase) pairs works too.
    from_list = set_comma_header([(b"host", b"a")], b"connection", [b"close"])
    assert from_list.raw_items() == [(b"host", b"a"), (b"Connection", b"close")]


# Names in any case, given as str or bytes; values with whitespace around
# them now and then (which sends them down the general path).
_TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_names = st.text(_TCHARS, min_size=1, max_size=12).filter(
    lambda name: name.lower() not in ("content-length", "transfer-encoding")
)
_values = st.text("abcXYZ019 ", max_size=8)


@given(st.lists(st.tuples(_names, st.booleans(), _values), max_size=8))
def test_raw_items_lowercased_are_the_fields(fields: list[tuple[str, bool, str]]) -> None:
    given_pairs = [(name.encode() if as_bytes else name, value) for name, as_bytes, value in fields]
    headers = normalize_and_validate(given_pairs)
    raw = headers.raw_items()
    assert [(name.lower(), value) for name, value in raw] == list(headers)
    assert [name for name, _ in raw] == [name.encode() for name, _, _ in fields]
    assert [value for _, value in raw] == [value.strip(" ").encode() for _, _, value in fields]


# -- received headers ----------------------------------------------------------------------


def _buffer(data: bytes) -> ReceiveBuffer:
    buf = ReceiveBuffer()
    buf.feed(data)
    return buf


def test_received_request_keeps_the_names_as_received() -> None:
    event = read_request_head(_buffer(b"GET / HTTP/1.1\r\nHOST: a\r\nx-Custom: 1\r\naccept: */*\r\n\r\n"))
    assert event is not None
    assert event.headers == [(b"host", b"a"), (b"x-custom", b"1"), (b"accept", b"*/*")]
    assert event.headers.raw_items() == [(b"HOST", b"a"), (b"x-Custom", b"1"), (b"accept", b"*/*")]


def test_received_request_with_merged_content_length_keeps_the_first_name() -> None:
    event = read_request_head(
        _buffer(b"POST / HTTP/1.1\r\ncontent-LENGTH: 2, 2\r\nHost: a\r\nContent-Length: 2\r\n\r\n")
    )
    assert event is not None
    assert event.headers == [(b"content-length", b"2"), (b"host", b"a")]
    assert event.headers.raw_items() == [(b"content-LENGTH", b"2"), (b"Host", b"a")]


@pytest.mark.parametrize("lenient", [False, True])
def test_received_response_keeps_the_names_as_received(lenient: bool) -> None:
    event = read_response_head(
        _buffer(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nSET-COOKIE: a=b\r\nX-Folded: a\r\n b\r\n\r\n"),
        lenient=lenient,
    )
    assert type(event) is Response
    assert event.headers == [(b"content-length", b"3"), (b"set-cookie", b"a=b"), (b"x-folded", b"a b")]
    assert event.headers.raw_items() == [(b"Content-Length", b"3"), (b"SET-COOKIE", b"a=b"), (b"X-Folded", b"a b")]


def test_received_informational_response_and_merged_length_keep_the_names() -> None:
    event = read_response_head(_buffer(b"HTTP/1.1 101 Switching Protocols\r\nUPGRADE: websocket\r\n\r\n"))
    assert type(event) is InformationalResponse
    assert event.headers.raw_items() == [(b"UPGRADE", b"websocket")]
    event = read_response_head(_buffer(b"HTTP/1.1 200 OK\r\nCONTENT-length: 1\r\ncontent-length: 1\r\n\r\n"))
    assert event is not None
    assert event.headers == [(b"content-length", b"1")]
    assert event.headers.raw_items() == [(b"CONTENT-length", b"1")]


def test_received_trailers_keep_the_names_as_received() -> None:
    server = Connection(SERVER)
    events = server.receive_data(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"0\r\nX-Checksum: abc\r\nexpires: never\r\n\r\n"
    )
    end = events[-1]
    assert type(end) is EndOfMessage
    assert end.headers == [(b"x-checksum", b"abc"), (b"expires", b"never")]
    assert end.headers.raw_items() == [(b"X-Checksum", b"abc"), (b"expires", b"never")]


# -- on the wire -----------------------------------------------------------------------------


def test_request_goes_out_with_the_names_as_given() -> None:
    client = Connection(CLIENT)
    wire = client.send(Request(method="GET", target="/", headers=[("Host", "a"), (b"x-API-key", b"k"), ("DNT", "1")]))
    assert wire == b"GET / HTTP/1.1\r\nHost: a\r\nx-API-key: k\r\nDNT: 1\r\n\r\n"


def test_added_fields_are_title_cased() -> None:
    client, server = pair()
    deliver(client, server, Request(method="GET", target="/", headers=[("host", "a")]), EndOfMessage())
    wire = server.send(Response(status_code=200, headers=[("server", "s")]))
    assert wire == b"HTTP/1.1 200 OK\r\nserver: s\r\nTransfer-Encoding: chunked\r\n\r\n"


def test_rewritten_connection_field_is_title_cased_and_the_rest_kept() -> None:
    server = Connection(SERVER)
    server.receive_data(b"GET / HTTP/1.0\r\n\r\n")
    headers = [("content-type", "text/plain"), ("connection", "x-custom"), ("transfer-encoding", "chunked")]
    wire = server.send(Response(status_code=200, headers=headers))
    # HTTP/1.0: no Transfer-Encoding, the body runs until close, and the
    # Connection field is rewritten to say so.
    assert wire == b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nConnection: x-custom, close\r\n\r\n"


def test_trailers_go_out_with_the_names_as_given() -> None:
    client = Connection(CLIENT)
    client.send(Request(method="POST", target="/", headers=[("Host", "a"), ("Transfer-Encoding", "chunked")]))
    assert client.send(EndOfMessage(headers=[("x-SUM", "1")])) == b"0\r\nx-SUM: 1\r\n\r\n"


def test_a_received_head_is_sent_on_as_received() -> None:
    # A proxy: what the server side receives, the client side sends on.
    request_wire = (
        b"POST /up HTTP/1.1\r\nHOST: origin\r\nx-trace-ID: 1\r\nContent-Type: a/b\r\n"
        b"transfer-ENCODING: chunked\r\n\r\n"
    )
    server = Connection(SERVER)
    request = server.receive_data(request_wire)[0]
    upstream = Connection(CLIENT)
    assert upstream.send(request) == request_wire

    response_wire = b"HTTP/1.1 200 OK\r\ncontent-LENGTH: 2\r\nX-Served-By: b\r\n\r\nok"
    received = upstream.receive_data(response_wire)
    assert server.receive_data(b"0\r\n\r\n") == [EndOfMessage()]
    assert type(received[0]) is Response
    assert server.send(received[0]) + server.send(Data(data=b"ok")) == response_wire


def test_round_trip_send_receive_send_keeps_the_case() -> None:
    client, server = pair()
    request = Request(method="GET", target="/", headers=[("Host", "a"), ("x-Mixed-CASE", "v"), (b"lower", b"l")])
    wire = client.send(request)
    received = server.receive_data(wire)[0]
    assert type(received) is Request
    assert received == request
    assert received.headers.raw_items() == request.headers.raw_items()
    assert Connection(CLIENT).send(received) == wire
