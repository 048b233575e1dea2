"""The shortcuts taken for speed give exactly the results of the general code.

Each shortcut is checked against the slower path it stands in for, on the
inputs where the two could disagree:

* building headers: normalisation of the common input (a list of 2-tuples)
  against the general path, the bounded cache of normalised names, the
  special fields picked out while a head is read or built;
* reading field lines: whitespace before the line ending, repeated
  comma-list fields;
* reading a head's facts: the common Connection values;
* the receive loop: the pull API's error handling, the head search that
  skips work when no LF arrived;
* sending: a body piece that is not ``bytes``.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from h11sm import (
    CLIENT,
    ERROR,
    MUST_CLOSE,
    SERVER,
    Connection,
    Data,
    EndOfMessage,
    ProtocolError,
    Request,
    Response,
)
from h11sm import _headers as headers_module
from h11sm._codec import _facts as facts_module
from h11sm._codec._facts import head_facts
from h11sm._codec._fields import parse_field_lines
from h11sm._headers import Headers, normalize_and_validate

# -- building headers ------------------------------------------------------------


def _outcome(headers: list[object]) -> object:
    """The result of normalising, or the error type and message."""
    try:
        return normalize_and_validate(headers)  # type: ignore[arg-type]
    except (ProtocolError, TypeError) as exc:
        return (type(exc), str(exc))


# Names and values drawn from pieces that are valid, invalid, or valid only
# after stripping, including the framing fields the fast path treats apart.
_NAMES = st.sampled_from(
    [b"Host", "host", "X-Thing", b"content-length", "Content-Length", b"Transfer-Encoding", b"bad name", b"",
     "caf\u00e9", b" lead", b"x:y", 7]
)
_VALUES = st.sampled_from(
    [b"a", "b c", b"", b"  padded  ", b"5", "5", b"05", b"5, 5", b"6", b"x" * 20, b"1" * 20, b"chunked",
     b"a\nb", b"a\x00b", b"\tb", "caf\u00e9", b"\xff", bytearray(b"ba"), 3]
)


@given(st.lists(st.tuples(_NAMES, _VALUES), max_size=6))
def test_common_case_matches_the_general_path(pairs: list[tuple[object, object]]) -> None:
    # Lists instead of tuples as pairs skip the fast path but mean the same.
    assert _outcome(pairs) == _outcome([list(pair) for pair in pairs])  # type: ignore[arg-type]


def test_common_case_results() -> None:
    # (Repeated Content-Length and Transfer-Encoding, which take the general
    # path, are in test_headers.py.)
    assert normalize_and_validate([("Host", "a"), (b"Content-Length", b"12")]) == [
        (b"host", b"a"),
        (b"content-length", b"12"),
    ]
    # A bad value after the first field, and in the only one.
    with pytest.raises(ProtocolError, match="Illegal header value"):
        normalize_and_validate([(b"x", b"a\nb"), (b"y", b"c")])
    with pytest.raises(ProtocolError, match="Illegal header value"):
        normalize_and_validate([(b"x", b"a\x00b")])


def test_the_name_cache_is_bounded() -> None:
    # The module's own cache, emptied for the test and then restored (not
    # replaced with monkeypatch: compiled code would not see a new module
    # attribute).
    cache = headers_module._KNOWN_NAMES
    saved = dict(cache)
    cache.clear()
    try:
        limit = headers_module._KNOWN_NAMES_LIMIT
        for number in range(limit + 10):
            assert normalize_and_validate([(f"X-Name-{number}", "v")]) == [(f"x-name-{number}".encode(), b"v")]
        assert len(cache) == limit
        # A name that did not fit is still normalised correctly, every time.
        assert normalize_and_validate([(f"X-Name-{limit + 5}", "v")])[0][0] == f"x-name-{limit + 5}".encode()
    finally:
        cache.clear()
        cache.update(saved)


def _received_headers() -> Headers:
    wire = (
        b"POST / HTTP/1.1\r\nHost: a\r\nX-1: y\r\nContent-Length: 2\r\n"
        b"Connection: keep-alive\r\nExpect: 100-continue\r\n\r\n"
    )
    request = Connection(SERVER).receive_data(wire)[0]
    assert type(request) is Request
    return request.headers


def _built_headers() -> Headers:
    return normalize_and_validate([(b"Host", b"a"), ("X-1", "y"), (b"Content-Length", b"0"), (b"Upgrade", b"h2c")])


@pytest.mark.parametrize(
    ("headers", "special"),
    [
        pytest.param(
            _received_headers,
            [
                (b"host", b"a"),
                (b"content-length", b"2"),
                (b"connection", b"keep-alive"),
                (b"expect", b"100-continue"),
            ],
            id="while-parsing",
        ),
        pytest.param(
            _built_headers,
            [(b"host", b"a"), (b"content-length", b"0"), (b"upgrade", b"h2c")],
            id="while-building",
        ),
    ],
)
def test_special_fields_found_on_the_way_equal_those_found_later(
    headers: object, special: list[tuple[bytes, bytes]]
) -> None:
    found = headers()  # type: ignore[operator]
    rebuilt = Headers._from_wire(found._fields)  # finds them the long way
    assert found._special_fields() == rebuilt._special_fields()
    assert list(found._special_fields()) == special


# -- reading field lines -------------------------------------------------------------


@pytest.mark.parametrize("lenient", [False, True])
def test_whitespace_after_a_value_is_stripped_as_before(lenient: bool) -> None:
    eol = b"\n" if lenient else b"\r\n"
    section = eol.join([b"A: one \t", b"B:\t two  words ", b"C:  ", b"D:x", b""])
    assert parse_field_lines(section, 0, lenient=lenient) == [
        (b"A", b"one"),
        (b"B", b"two  words"),
        (b"C", b""),
        (b"D", b"x"),
    ]
    # And a whole head received with such whitespace reads like one without.
    plain = Connection(SERVER).receive_data(b"GET / HTTP/1.1\r\nHost: a\r\nX-A: b c\r\n\r\n")
    padded = Connection(SERVER).receive_data(b"GET / HTTP/1.1\r\nHost: a \r\nX-A: b c\t\r\n\r\n")
    assert padded == plain


def test_close_in_a_second_connection_field_is_seen() -> None:
    server = Connection(SERVER)
    server.receive_data(b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n")
    head = server.send(Response(status_code=200, headers=[("Content-Length", "0")]))
    assert head == b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    server.send(EndOfMessage())
    assert server.our_state is MUST_CLOSE


@pytest.mark.parametrize("value", sorted(facts_module._COMMON_CONNECTION_VALUES))
def test_common_connection_values_state_what_their_tokens_say(value: bytes) -> None:
    # A trailing empty list element keeps the tokens but misses the table
    # of common values, so the general path reads the second head.
    def facts_of(connection: bytes) -> int:
        request = Request(method=b"GET", target=b"/", headers=[(b"Host", b"a"), (b"Connection", connection)])
        return head_facts(request)[0]

    assert facts_of(value) == facts_of(value + b",")
    expected = {b"keep-alive": facts_module.KEEP_ALIVE_OPTION, b"close": facts_module.CLOSE_OPTION, b"upgrade": 0}
    assert facts_of(value) == expected[value.lower()]


# -- the receive loop ---------------------------------------------------------------------


def test_pull_api_error_moves_the_peer_to_error() -> None:
    server = Connection(SERVER)
    server.feed(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert type(server.next_event()) is Request
    assert type(server.next_event()) is EndOfMessage
    client_bad = Connection(SERVER)
    client_bad.feed(b"BAD LINE\r\n\r\n")
    with pytest.raises(ProtocolError):
        client_bad.next_event()
    assert client_bad.their_state is ERROR
    with pytest.raises(ProtocolError, match="already broke the protocol"):
        client_bad.next_event()


def test_head_trickled_byte_by_byte_is_found_and_bare_lf_reported_at_once() -> None:
    request = b"GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\n"
    server = Connection(SERVER)
    for byte in request[:-1]:
        assert server.receive_data(bytes([byte])) == []
    events = server.receive_data(request[-1:])
    assert events[0] == Request(method="GET", target="/", headers=[("Host", "a"), ("X", "1")])
    server = Connection(SERVER)
    assert server.receive_data(b"GET / HTTP/1.1\r") == []
    assert server.receive_data(b"\nHost: a") == []
    with pytest.raises(ProtocolError, match="bare LF"):
        server.receive_data(b"\n")


# -- sending ---------------------------------------------------------------------------------


def test_a_single_piece_that_is_not_bytes_is_sent_as_bytes() -> None:
    client = Connection(CLIENT)
    client.send(Request(method="POST", target="/", headers=[("Host", "a"), ("Content-Length", "3")]))
    sent = client.send(Data(data=bytearray(b"abc")))
    assert sent == b"abc"
    assert type(sent) is bytes
