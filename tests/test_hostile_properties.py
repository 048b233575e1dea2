"""Hostile input through the public API: properties, bounded memory, linear
time, and the replay of every saved fuzzing finding.

The generators and the checks are those of the fuzzer (``tools/fuzz.py``), so
the test suite runs, with a small budget, exactly what ``make fuzz`` runs with
a large one. Linear time is shown without a clock: the bytes the codec's
scans examine are counted, and feeding a message one byte at a time may cost
only a small constant times feeding it whole.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import fuzz_tool
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from h11sm import CLIENT, SERVER, Connection, EndOfMessage, ProtocolError, Request, Response
from h11sm._codec import ReceiveBuffer

fuzz: Any = fuzz_tool()

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- properties --------------------------------------------------------------


@SETTINGS
@given(fuzz.request_stream(), fuzz.CUTS)
def test_valid_requests_same_events_however_split(stream: tuple[bytes, int], cuts: list[int]) -> None:
    wire, count = stream
    outcome = fuzz.check(fuzz.Case("server", wire), cuts, hang_seconds=None)
    assert outcome.error_hint is None, outcome.error_message
    assert sum(type(event) is Request for event in outcome.events) == count
    assert sum(type(event) is EndOfMessage for event in outcome.events) == count


@SETTINGS
@given(fuzz.response_stream(), fuzz.CUTS)
def test_valid_responses_same_events_however_split(stream: tuple[bytes, tuple[str, ...]], cuts: list[int]) -> None:
    wire, methods = stream
    outcome = fuzz.check(fuzz.Case("client", wire, methods), cuts, hang_seconds=None)
    assert outcome.error_hint is None, outcome.error_message
    assert sum(type(event) is Response for event in outcome.events) == len(methods)


@SETTINGS
@given(fuzz.cases(), fuzz.CUTS)
def test_damaged_input_only_protocol_error_same_verdict_bounded_buffer(case: Any, cuts: list[int]) -> None:
    # check() raises Finding if anything but ProtocolError escapes, if the
    # three ways of feeding disagree, or if the buffer outgrows its limit.
    fuzz.check(case, cuts, hang_seconds=None)


# -- the saved findings --------------------------------------------------------

REGRESSIONS = list(fuzz.load_all())


def test_regression_corpus_is_not_empty() -> None:
    assert REGRESSIONS, "tests/fuzz_regressions/ holds no case"


@pytest.mark.parametrize(("name", "case"), REGRESSIONS, ids=[name for name, _ in REGRESSIONS])
def test_fuzz_regression(name: str, case: Any) -> None:
    fuzz.check(case, [1, 7, 20, 33], hang_seconds=None)


# -- the fuzzer can see what it is looking for ---------------------------------


def test_fuzzer_reports_an_exception_other_than_protocol_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Connection, data: object) -> list[object]:
        raise KeyError("oops")

    monkeypatch.setattr(Connection, "receive_data", broken)
    with pytest.raises(fuzz.Finding, match="KeyError escaped receive_data"):
        fuzz.check(fuzz.Case("server", b"GET / HTTP/1.1\r\n\r\n"))


def test_fuzzer_reports_a_wrapped_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Connection, data: object) -> list[object]:
        raise ProtocolError("internal error while parsing: IndexError()")

    monkeypatch.setattr(Connection, "receive_data", broken)
    with pytest.raises(fuzz.Finding, match="a bug surfaced"):
        fuzz.check(fuzz.Case("server", b"x"))


def test_fuzzer_reports_a_split_dependent_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    original = Connection.receive_data

    def picky(self: Connection, data: bytes | None) -> list[object]:
        if data is not None and len(data) == 1 and data != b"G":
            raise ProtocolError("one byte is not enough", 418)
        return original(self, data)  # type: ignore[return-value]

    monkeypatch.setattr(Connection, "receive_data", picky)
    with pytest.raises(fuzz.Finding, match="byte-at-a-time gives"):
        fuzz.check(fuzz.Case("server", b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"))


def test_fuzzer_reports_a_split_dependent_event_list(monkeypatch: pytest.MonkeyPatch) -> None:
    original = Connection.receive_data

    wire = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"

    def drop_events_of_the_tail(self: Connection, data: bytes | None) -> list[object]:
        events = original(self, data)
        return [] if data == wire[10:] else events  # type: ignore[return-value]

    monkeypatch.setattr(Connection, "receive_data", drop_events_of_the_tail)
    assert fuzz.check(fuzz.Case("client", wire), [1, 2]).error_hint is None
    with pytest.raises(fuzz.Finding, match="split at"):
        fuzz.check(fuzz.Case("client", wire), [10])


def test_fuzzer_reports_a_growing_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    def hoard(self: Connection, data: bytes | None) -> list[object]:
        self.feed(data)  # and never parse
        return []

    monkeypatch.setattr(Connection, "receive_data", hoard)
    with pytest.raises(fuzz.Finding, match="buffer holds 10 bytes after a feed of 0"):
        fuzz.check(fuzz.Case("server", b"0123456789", max_buffer_size=1))


def test_fuzzer_reports_a_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = iter([0.0, 100.0])
    monkeypatch.setattr(fuzz, "_clock", lambda: next(ticks))
    with pytest.raises(fuzz.Finding, match=r"took 100\.0 s"):
        fuzz.check(fuzz.Case("server", b""))


def test_cases_round_trip_through_their_files(tmp_path: Path) -> None:
    case = fuzz.Case("client", bytes(range(256)), ("HEAD", "GET"), 77, 3)
    path = fuzz.save(case, "why it failed", tmp_path)
    assert path.name.startswith("client-") and path.suffix == ".json"
    assert list(fuzz.load_all(tmp_path)) == [(path.name, case)]
    assert '"reason": "why it failed"' in path.read_text()


def test_fuzzer_main_saves_a_finding_and_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def always_failing(case: Any, cuts: Any, **options: Any) -> None:
        raise fuzz.Finding("planted")

    monkeypatch.setattr(fuzz, "check", always_failing)
    assert fuzz.main(["--seconds", "60", "--batch", "5", "--seed", "3", "--save-dir", str(tmp_path)]) == 1
    saved = list(fuzz.load_all(tmp_path))
    assert len(saved) == 1
    assert '"reason": "planted"' in (tmp_path / saved[0][0]).read_text()


def test_fuzzer_main_without_finding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert fuzz.main(["--seconds", "0.001", "--batch", "3", "--seed", "5", "--save-dir", str(tmp_path)]) == 0
    assert "no finding" in capsys.readouterr().out
    assert not list(tmp_path.iterdir())


# -- bounded memory ------------------------------------------------------------


def feed_forever(conn: Connection, prefix: bytes, filler: bytes, piece_size: int) -> tuple[ProtocolError, int]:
    """Send *prefix*, then *filler* over and over in pieces of *piece_size*
    bytes, until the connection refuses; the error and the largest buffer
    seen."""
    largest = 0
    if prefix:
        conn.receive_data(prefix)
    stream = filler * (1 + 3 * LIMIT // len(filler))
    for start in range(0, len(stream), piece_size):
        try:
            conn.receive_data(stream[start : start + piece_size])
        except ProtocolError as exc:
            return exc, largest
        largest = max(largest, len(conn.trailing_data[0]))
    raise AssertionError("three times the limit was accepted")


LIMIT = 1000
POST_CHUNKED = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"


@pytest.mark.parametrize("piece_size", [1, 7, 64, 999])
@pytest.mark.parametrize(
    ("what", "role", "prefix", "filler", "message", "hint"),
    [
        ("header section", SERVER, b"GET / HTTP/1.1\r\n", b"X-Filler: aaaaaaaa\r\n", "request head too large", 431),
        ("request line", SERVER, b"GET /", b"aaaaaaaaaaaaaaaa", "request head too large", 431),
        ("empty lines before a request", SERVER, b"", b"\r\n", "request head too large", 431),
        ("LF-only empty lines before a response", CLIENT, b"", b"\n", "response head too large", 431),
        ("response head", CLIENT, b"HTTP/1.1 200 OK\r\n", b"X: y\r\n", "response head too large", 431),
        ("lenient response head", CLIENT, b"HTTP/1.1 200 OK\n", b"X: y\n", "response head too large", 431),
        ("chunk-size line", SERVER, POST_CHUNKED + b"5", b";a=b", "chunk-size line too long", 400),
        ("zero-padded chunk size", SERVER, POST_CHUNKED, b"0000", "chunk-size line too long", 400),
        ("trailer section", SERVER, POST_CHUNKED + b"0\r\n", b"X-T: aaaaa\r\n", "trailer section too large", 431),
    ],
)
def test_endless_construct_refused_before_buffer_passes_limit(
    what: str, role: Any, prefix: bytes, filler: bytes, message: str, hint: int, piece_size: int
) -> None:
    conn = Connection(role, max_buffer_size=LIMIT)
    if role is CLIENT:
        conn.send(Request(method="GET", target="/", headers=[("Host", "a")]))
        conn.send(EndOfMessage())
    error, largest = feed_forever(conn, prefix, filler, piece_size)
    assert message in error.msg
    assert error.error_status_hint == hint
    # Never more than the limit plus one feed was held.
    assert largest <= LIMIT + piece_size


def test_too_many_fields_refused_even_when_small() -> None:
    conn = Connection(SERVER, max_header_count=10)
    with pytest.raises(ProtocolError) as info:
        conn.receive_data(b"GET / HTTP/1.1\r\nHost: a\r\n" + b"A:\r\n" * 10 + b"\r\n")
    assert (info.value.msg, info.value.error_status_hint) == ("too many header fields (limit 10)", 431)


# -- linear time, by counting the bytes the scans examine ------------------------


class CountingBytearray(bytearray):
    """A buffer that counts the bytes its searches may examine."""

    scanned = 0

    def find(self, sub: Any, start: Any = None, end: Any = None) -> int:
        CountingBytearray.scanned += _span(len(self), start, end)
        return super().find(sub, start, end)


def _span(length: int, start: int | None, end: int | None) -> int:
    start = 0 if start is None else min(start, length)
    end = length if end is None else min(end, length)
    return max(end - start, 0)


class CountingPattern:
    """A compiled pattern that counts the bytes each call may examine (the
    whole range it is given: an upper bound, so nothing is missed)."""

    def __init__(self, pattern: re.Pattern[bytes]) -> None:
        self._pattern = pattern

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._pattern, name)
        if name not in ("search", "match", "fullmatch", "findall", "finditer"):
            return method

        def counted(string: Any, pos: int = 0, endpos: int | None = None) -> Any:
            CountingBytearray.scanned += _span(len(string), pos, endpos)
            return method(string, pos) if endpos is None else method(string, pos, endpos)

        return counted


def count_scans(monkeypatch: pytest.MonkeyPatch) -> None:
    """Count every scan by the codec's patterns and its buffers' finds."""
    for name, module in list(sys.modules.items()):
        if name.startswith("h11sm._codec"):
            for attribute, value in list(vars(module).items()):
                if isinstance(value, re.Pattern):
                    monkeypatch.setattr(module, attribute, CountingPattern(value))
    original_init = ReceiveBuffer.__init__

    def counting_init(self: ReceiveBuffer) -> None:
        original_init(self)
        self.data = CountingBytearray()

    monkeypatch.setattr(ReceiveBuffer, "__init__", counting_init)


@pytest.fixture
def counted_scans(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    count_scans(monkeypatch)
    yield


def scanned_while_feeding(role: Any, wire: bytes, piece_size: int) -> int:
    """Bytes scanned to read *wire* (which must be one whole valid exchange
    from the peer) fed in pieces of *piece_size*."""
    conn = Connection(role, max_buffer_size=1 << 20, max_header_count=10_000)
    if role is CLIENT:
        conn.send(Request(method="GET", target="/", headers=[("Host", "a")]))
        conn.send(EndOfMessage())
    CountingBytearray.scanned = 0
    events = []
    for start in range(0, len(wire), piece_size):
        events += conn.receive_data(wire[start : start + piece_size])
    assert type(events[-1]) is EndOfMessage, events[-1]
    return CountingBytearray.scanned


BIG_FIELDS = b"".join(b"X-Field-%d: %s\r\n" % (i, b"v" * 40) for i in range(200))
LINEAR_CASES = {
    "big head": (SERVER, b"GET / HTTP/1.1\r\nHost: a\r\n" + BIG_FIELDS + b"\r\n"),
    "empty lines before a head": (SERVER, b"\r\n" * 2000 + b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
    "long chunk extensions": (SERVER, POST_CHUNKED + b"1" + b";ext=value" * 800 + b"\r\nx\r\n0\r\n\r\n"),
    "big trailer section": (SERVER, POST_CHUNKED + b"0\r\n" + BIG_FIELDS + b"\r\n"),
    "lenient response head": (
        CLIENT,
        b"HTTP/1.1 200 OK\n" + BIG_FIELDS.replace(b"\r\n", b"\n") + b"Content-Length: 0\n\n",
    ),
    "strict response head": (CLIENT, b"HTTP/1.1 200 OK\r\n" + BIG_FIELDS + b"Content-Length: 0\r\n\r\n"),
}


@pytest.mark.parametrize("name", list(LINEAR_CASES))
def test_byte_at_a_time_costs_a_small_constant_times_whole(name: str, counted_scans: None) -> None:
    role, wire = LINEAR_CASES[name]
    whole = scanned_while_feeding(role, wire, len(wire))
    bytewise = scanned_while_feeding(role, wire, 1)
    assert whole >= len(wire) // 2  # the instrument sees the scans at all
    # Each one-byte call re-examines at most a few bytes of the previous
    # scan's tail (a terminator may straddle two calls), never the prefix.
    assert bytewise <= 10 * len(wire) + whole, (bytewise, whole, len(wire))


def test_the_count_would_catch_rescanning_from_the_start(counted_scans: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # The negative control: a buffer that forgets where its last scan
    # stopped makes the same measurement quadratic.
    monkeypatch.setattr(ReceiveBuffer, "remember_scan", lambda self, key, position: None)
    role, wire = LINEAR_CASES["big head"]
    assert scanned_while_feeding(role, wire, 1) > 100 * len(wire)


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(sorted(LINEAR_CASES)), st.integers(1, 50))
def test_any_piece_size_stays_linear(name: str, piece_size: int) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        count_scans(monkeypatch)
        role, wire = LINEAR_CASES[name]
        assert scanned_while_feeding(role, wire, piece_size) <= 12 * len(wire)
