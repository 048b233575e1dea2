"""The shortcuts taken for speed give exactly the results of the general code.

Each fast path (header normalisation for the common input, the inlined
receive loop, the head search that skips work when no LF arrived) is checked
against the slower path it stands in for, on the inputs where the two could
disagree.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from h11sm import (
    ERROR,
    SERVER,
    Connection,
    EndOfMessage,
    ProtocolError,
    Request,
)
from h11sm import _headers as headers_module
from h11sm._headers import normalize_and_validate


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
    assert normalize_and_validate([("Host", "a"), (b"Content-Length", b"12")]) == [
        (b"host", b"a"),
        (b"content-length", b"12"),
    ]
    # Two Content-Length fields agreeing, and Transfer-Encoding, take the
    # general path, with the same rules.
    assert normalize_and_validate([(b"Content-Length", b"1"), (b"content-length", b"1")]) == [
        (b"content-length", b"1")
    ]
    assert normalize_and_validate([(b"Transfer-Encoding", b"chunked")]) == [(b"transfer-encoding", b"chunked")]
    with pytest.raises(ProtocolError, match="Illegal header value"):
        normalize_and_validate([(b"x", b"a\nb"), (b"y", b"c")])
    with pytest.raises(ProtocolError, match="Illegal header value"):
        normalize_and_validate([(b"x", b"a\x00b")])


def test_the_name_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    cache: dict[bytes | str, bytes] = {}
    monkeypatch.setattr(headers_module, "_KNOWN_NAMES", cache)
    limit = headers_module._KNOWN_NAMES_LIMIT
    for number in range(limit + 10):
        assert normalize_and_validate([(f"X-Name-{number}", "v")]) == [(f"x-name-{number}".encode(), b"v")]
    assert len(cache) == limit
    # A name that did not fit is still normalised correctly, every time.
    assert normalize_and_validate([(f"X-Name-{limit + 5}", "v")])[0][0] == f"x-name-{limit + 5}".encode()


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

