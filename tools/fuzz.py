"""Fuzz ``Connection.receive_data`` in both roles, with Hypothesis.

Inputs come from a structure-aware generator (pipelined requests or
responses with every framing, chunk extensions, trailers, obs-folds, odd but
valid whitespace) which a mutator then damages with bytes that matter to an
HTTP parser (CR, LF, SP, ``:``, ``;``, NUL, obs-text, framing field names...),
plus plain random bytes. Every input is fed three ways: whole, one byte at a
time, and in random pieces, to a connection with random (often tiny) limits.
The properties checked are those of ``docs/security.rst``:

* ``ProtocolError`` is the only exception ``receive_data`` raises, and never
  the "internal error" one that wraps a bug;
* the three ways of feeding give the same events (consecutive Data merged,
  Paused dropped: both depend on how the bytes arrived) and the same error;
* after every call that did not pause, the buffer holds at most
  ``max_buffer_size`` bytes more than that call fed;
* no input takes more than ``HANG_SECONDS`` to process (a generous bound: the
  inputs are a few kilobytes, which take milliseconds).

A failure is shrunk by Hypothesis, then saved as a JSON file under
``tests/fuzz_regressions/``, which ``tests/test_hostile_properties.py``
replays on every test run. Usage::

    .venv/bin/python tools/fuzz.py                      # 2 minutes
    .venv/bin/python tools/fuzz.py --seconds 40 --seed 1  # what make fuzz-ci runs
    .venv/bin/python tools/fuzz.py --seconds 3600       # a long hunt
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from h11sm import (  # noqa: E402
    CLIENT,
    DONE,
    SEND_RESPONSE,
    SERVER,
    Connection,
    Data,
    EndOfMessage,
    Event,
    InformationalResponse,
    Paused,
    ProtocolError,
    Request,
    Response,
)
from h11sm._headers import Headers  # noqa: E402

REGRESSIONS = ROOT / "tests" / "fuzz_regressions"
HANG_SECONDS = 5.0
# The clock of the hang check (a name of its own, so a test can replace it).
_clock = time.perf_counter
DEFAULT_LIMITS = (16 * 1024, 128)

# -- the case, and running it -------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One input: who receives it, the bytes, and the receiver's setup.

    For ``role == "server"`` h11sm is a server reading the bytes as requests
    (and answering each with an empty 200); for ``"client"`` it is a client
    that sends one request per entry of *methods* (the next once the previous
    exchange is done) and reads the bytes as the responses.
    """

    role: str
    wire: bytes
    methods: tuple[str, ...] = ("GET",)
    max_buffer_size: int = DEFAULT_LIMITS[0]
    max_header_count: int = DEFAULT_LIMITS[1]

    def to_json(self, reason: str) -> str:
        record = {
            "reason": reason,
            "role": self.role,
            "methods": list(self.methods),
            "max_buffer_size": self.max_buffer_size,
            "max_header_count": self.max_header_count,
            # latin-1 maps every byte to one character, so the file stays
            # readable and round-trips exactly.
            "wire": self.wire.decode("latin-1"),
        }
        return json.dumps(record, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Case:
        record = json.loads(text)
        return cls(
            role=record["role"],
            wire=record["wire"].encode("latin-1"),
            methods=tuple(record["methods"]),
            max_buffer_size=record["max_buffer_size"],
            max_header_count=record["max_header_count"],
        )


class Finding(AssertionError):
    """A property of the parser does not hold for some input."""


@dataclass
class Outcome:
    """What feeding a case gave: the events, then the error if one ended it."""

    events: list[object] = field(default_factory=list)
    #: The error's status hint. Its message is not compared: an error found
    #: as soon as the bad byte arrives may be worded differently from the
    #: same error found in a complete head ("bare LF in request head" and
    #: "bare LF in request line"), and both are right.
    error_hint: int | None = None
    error_message: str = field(default="", compare=False)

    def add(self, event: Event) -> None:
        if type(event) is Paused:
            return
        if type(event) is Data:
            payload = bytes(event.data)
            if self.events and type(self.events[-1]) is bytes:
                self.events[-1] += payload
            else:
                self.events.append(payload)
        else:
            self.events.append(event)


def _request_for(method: str) -> Request:
    target = "example.com:443" if method == "CONNECT" else "/"
    return Request(method=method, target=target, headers=[("Host", "example.com")])


class _Driver:
    """Plays the other half of the exchange so that the peer's bytes keep
    being read: the server answers every request, the client sends its next
    request once the previous exchange is done."""

    def __init__(self, case: Case) -> None:
        self.case = case
        role = SERVER if case.role == "server" else CLIENT
        self.conn = Connection(role, case.max_buffer_size, max_header_count=case.max_header_count)
        self.methods = list(case.methods)
        self.outcome = Outcome()
        if role is CLIENT:
            self._send_next_request()

    def _send_next_request(self) -> None:
        self.conn.send(_request_for(self.methods.pop(0)))
        self.conn.send(EndOfMessage())

    def _react(self) -> bool:
        """Do our part if it is our turn; True if we did something."""
        conn = self.conn
        if conn.our_role is SERVER and conn.our_state is SEND_RESPONSE and conn.their_state is DONE:
            conn.send(Response(status_code=200, headers=[("Content-Length", "0")]))
            conn.send(EndOfMessage())
            return True
        if conn.our_state is DONE and conn.their_state is DONE:
            if conn.our_role is CLIENT and not self.methods:
                return False
            conn.prepare_to_reuse()
            if conn.our_role is CLIENT:
                self._send_next_request()
            return True
        return False

    def feed(self, piece: bytes) -> None:
        """Feed one piece (``b""``: the peer closed); raises ProtocolError."""
        conn = self.conn
        events = conn.receive_data(piece)
        while True:
            for event in events:
                self.outcome.add(event)
            paused = bool(events) and type(events[-1]) is Paused
            if not self._react():
                break
            events = conn.receive_data(None)
        if not paused and len(conn._buffer) > self.case.max_buffer_size + len(piece):
            raise Finding(
                f"buffer holds {len(conn._buffer)} bytes after a feed of {len(piece)}"
                f" (max_buffer_size {self.case.max_buffer_size})"
            )


def run(case: Case, pieces: list[bytes]) -> Outcome:
    """Feed *pieces*, then the end of the stream; the outcome. Raises Finding
    if anything but a ProtocolError escapes or the buffer grows unbounded."""
    driver = _Driver(case)
    try:
        for piece in [*pieces, b""]:
            driver.feed(piece)
    except ProtocolError as exc:
        if exc.msg.startswith("internal error"):
            raise Finding(f"a bug surfaced as {exc!r}") from exc
        driver.outcome.error_hint = exc.error_status_hint
        driver.outcome.error_message = exc.msg
        # The events of the message an error broke depend on how its bytes
        # arrived (the call that meets the error drops them; earlier calls
        # returned theirs): only complete messages are compared.
        events = driver.outcome.events
        while events and type(events[-1]) is not EndOfMessage:
            events.pop()
    except Finding:
        raise
    except Exception as exc:
        raise Finding(f"{type(exc).__name__} escaped receive_data: {exc!r}") from exc
    return driver.outcome


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(data) + 1) for cut in cuts})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges) if b > a]


def check(case: Case, cuts: list[int] | None = None, *, hang_seconds: float | None = HANG_SECONDS) -> Outcome:
    """Every property for one case; raises Finding when one fails. The hang
    check (*hang_seconds*) is for fuzzing runs; tests pass None."""
    started = _clock()
    whole = run(case, [case.wire] if case.wire else [])
    bytewise = run(case, [case.wire[i : i + 1] for i in range(len(case.wire))])
    if bytewise != whole:
        raise Finding(f"byte-at-a-time gives {bytewise} but whole gives {whole}")
    if cuts is not None:
        pieces = run(case, split_at(case.wire, cuts))
        if pieces != whole:
            raise Finding(f"split at {cuts} gives {pieces} but whole gives {whole}")
    elapsed = _clock() - started
    if hang_seconds is not None and elapsed > hang_seconds:
        raise Finding(f"took {elapsed:.1f} s for {len(case.wire)} bytes")
    return whole


# -- generating valid messages ------------------------------------------------
#
# The one generator of valid streams: the fuzzer damages its bytes, and the
# codec's property tests (tests/test_codec_properties.py) also hold the
# parser to the events each stream must give.

_NAMES = [b"X-Thing", b"accept", b"User-Agent", b"cookie", b"x_y", b"A!#$%&'*+.^`|~1", b"Via", b"ETag"]
# Field value pieces: no whitespace at either end, no controls; some typical
# values, some random ones.
_VALUE_CHARS = st.sampled_from([*b'aZ09:;,/"()=?@{}\\~\x80\xff', 0x20, 0x09])
_VALUE_PIECES = st.one_of(
    st.sampled_from([b"a", b"a b", b"text/html; q=0.9", b'"quoted\\" value"', b"caf\xc3\xa9", b"\x80\xff", b"1, 2,,3"]),
    st.lists(_VALUE_CHARS, min_size=1, max_size=12).map(bytes).map(lambda piece: piece.strip(b" \t")).filter(bool),
)
_OWS = st.sampled_from([b"", b" ", b"\t", b" \t ", b"  \t"])
_TARGETS = [
    ("GET", "/"),
    ("GET", "/a/b?c=d%20e#f"),
    ("HEAD", "/"),
    ("POST", "/submit"),
    ("PUT", "http://example.com:8080/x?y"),
    ("DELETE", "/x"),
    ("OPTIONS", "*"),
    ("CONNECT", "example.com:443"),
]


@dataclass
class Stream:
    """Valid messages: their bytes and the events they must parse to.

    For responses, *methods* are the methods of the requests they answer,
    and *lenient* says whether lines may end with a bare LF (which a client
    accepts in a response)."""

    wire: bytes = b""
    events: list[Event] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    lenient: bool = False


def _random_case(draw: st.DrawFn, name: bytes) -> bytes:
    flips = draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    return bytes((c ^ 0x20) if flip and chr(c).isalpha() else c for c, flip in zip(name, flips, strict=True))


@st.composite
def field_lines(
    draw: st.DrawFn, eol: bytes | st.SearchStrategy[bytes] = b"\r\n", folds: bool = True
) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """Some ordinary fields: the wire lines and the expected pairs (with
    obs-folds only if *folds*: requests may not hold them)."""
    wire = b""
    expected = []
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(_NAMES))
        pieces = draw(st.lists(_VALUE_PIECES, min_size=0, max_size=3 if folds else 1))
        line_end = eol if isinstance(eol, bytes) else draw(eol)
        wire += _random_case(draw, name) + b":" + draw(_OWS)
        if pieces:
            wire += pieces[0] + draw(_OWS)
            for piece in pieces[1:]:
                # obs-fold: a line ending, then SP/HTAB, then the continuation.
                wire += line_end + draw(st.sampled_from([b" ", b"\t", b" \t "])) + piece
                wire += draw(_OWS)
        wire += line_end
        expected.append((name.lower(), b" ".join(pieces)))
    return wire, expected


@st.composite
def chunked_body(draw: st.DrawFn, folds: bool = True) -> tuple[bytes, bytes, list[tuple[bytes, bytes]]]:
    """Wire bytes of a chunked body, its payload, and its trailers."""
    wire = b""
    payload = b""
    for chunk in draw(st.lists(st.binary(min_size=1, max_size=24), max_size=4)):
        size = b"%x" % len(chunk)
        if draw(st.booleans()):
            size = size.upper().rjust(draw(st.integers(1, 16)), b"0")
        extension = draw(st.sampled_from([b"", b";a", b";a=b", b' ; n = "v;\\"x"', b";a;b=c"]))
        wire += size + extension + b"\r\n" + chunk + b"\r\n"
        payload += chunk
    trailer_wire, trailers = draw(field_lines(folds=folds))
    wire += b"0" + draw(st.sampled_from([b"", b";last"])) + b"\r\n" + trailer_wire + b"\r\n"
    return wire, payload, trailers


@st.composite
def request(draw: st.DrawFn, last: bool = True) -> Stream:
    """One valid request. Only a *last* one may end the connection's reuse
    (HTTP/1.0 without keep-alive, CONNECT)."""
    method, target = draw(st.sampled_from(_TARGETS if last else _TARGETS[:-1]))
    version = draw(st.sampled_from([b"1.1", b"1.1", b"1.0"] if last else [b"1.1"]))
    wire = draw(st.sampled_from([b"", b"\r\n", b"\r\n\r\n"]))
    wire += b"%s %s HTTP/%s\r\n" % (method.encode(), target.encode(), version)
    expected: list[tuple[bytes, bytes]] = []
    if version == b"1.1" or draw(st.booleans()):
        wire += _random_case(draw, b"host") + b":" + draw(_OWS) + b"example.com" + draw(_OWS) + b"\r\n"
        expected.append((b"host", b"example.com"))
    lines, fields = draw(field_lines(folds=False))
    wire += lines
    expected += fields
    # (A CONNECT has no content, RFC 9110 §9.3.6: framing fields are
    # refused; HTTP/1.0 has no Transfer-Encoding.)
    framing = "none" if method == "CONNECT" else draw(st.sampled_from(["none", "length", "chunked"]))
    body_wire = payload = b""
    trailers: list[tuple[bytes, bytes]] = []
    if framing == "length":
        payload = body_wire = draw(st.binary(max_size=40))
        wire += b"Content-Length: %d\r\n" % len(payload)
        expected.append((b"content-length", b"%d" % len(payload)))
    elif framing == "chunked" and version == b"1.1":
        body_wire, payload, trailers = draw(chunked_body(folds=False))
        wire += b"Transfer-Encoding: chunked\r\n"
        expected.append((b"transfer-encoding", b"chunked"))
    for name, value in draw(st.sampled_from([[], [(b"Connection", b"keep-alive")], [(b"Expect", b"100-continue")]])):
        wire += name + b": " + value + b"\r\n"
        expected.append((name.lower(), value))
    wire += b"\r\n" + body_wire
    events: list[Event] = [Request._from_wire(method.encode(), target.encode(), Headers._from_wire(expected), version)]
    if payload:
        events.append(Data._from_wire(payload))
    events.append(EndOfMessage._from_wire(Headers._from_wire(trailers)))
    return Stream(wire, events)


@st.composite
def request_streams(draw: st.DrawFn, reusable: bool = True) -> Stream:
    """One to three pipelined requests. With *reusable*, only the last may
    end the connection's reuse, as a connection needs to read them all;
    the codec alone reads any order."""
    stream = Stream()
    count = draw(st.integers(1, 3))
    for index in range(count):
        message = draw(request(last=index == count - 1 or not reusable))
        stream.wire += message.wire
        stream.events += message.events
    return stream


@st.composite
def response_streams(draw: st.DrawFn) -> Stream:
    """Responses to one to three requests (the methods are in the stream);
    only the last may be delimited by the close."""
    lenient = draw(st.booleans())
    eol = st.sampled_from([b"\r\n", b"\n"]) if lenient else st.just(b"\r\n")
    stream = Stream(lenient=lenient)
    count = draw(st.integers(1, 3))
    for index in range(count):
        last = index == count - 1
        method = draw(st.sampled_from(["GET", "GET", "HEAD", "POST"]))
        stream.methods.append(method)
        stream.wire += draw(st.sampled_from([b"", b"\r\n"]))
        if draw(st.booleans()):
            stream.wire += b"HTTP/1.1 100 Continue" + draw(eol) + draw(eol)
            stream.events.append(InformationalResponse._from_wire(100, Headers._from_wire([]), b"1.1", b"Continue"))
        status = draw(st.sampled_from([200, 404, 204, 304, 500]))
        reason = draw(st.sampled_from([b"", b"OK", b"Whatever", b"Two  words\t", b"Two  words\t\x80"]))
        line = b"HTTP/1.1 %d" % status
        if reason or draw(st.booleans()):
            line += b" " + reason
        stream.wire += line + draw(eol)
        lines, expected = draw(field_lines(eol))
        stream.wire += lines
        no_body = status in (204, 304) or method == "HEAD"
        framing = draw(st.sampled_from(["length", "chunked"] + (["close"] if last else [])))
        payload = body_wire = b""
        trailers: list[tuple[bytes, bytes]] = []
        if framing == "length":
            size = draw(st.integers(0, 30))
            stream.wire += b"Content-Length: %d" % size + draw(eol)
            expected.append((b"content-length", b"%d" % size))
            if not no_body:
                payload = body_wire = draw(st.binary(min_size=size, max_size=size))
        elif framing == "chunked":
            stream.wire += b"Transfer-Encoding: chunked" + draw(eol)
            expected.append((b"transfer-encoding", b"chunked"))
            if not no_body:
                body_wire, payload, trailers = draw(chunked_body())
        elif not no_body:
            payload = body_wire = draw(st.binary(max_size=40))
        stream.wire += draw(eol) + body_wire
        stream.events.append(Response._from_wire(status, Headers._from_wire(expected), b"1.1", reason))
        if payload:
            stream.events.append(Data._from_wire(payload))
        stream.events.append(EndOfMessage._from_wire(Headers._from_wire(trailers)))
    return stream


def request_stream() -> st.SearchStrategy[tuple[bytes, int]]:
    """Bytes of one to three requests a server can read in turn, and how many."""
    return request_streams().map(lambda s: (s.wire, sum(type(e) is Request for e in s.events)))


def response_stream() -> st.SearchStrategy[tuple[bytes, tuple[str, ...]]]:
    """Bytes of responses a client can read in turn, and the methods of its requests."""
    return response_streams().map(lambda s: (s.wire, tuple(s.methods)))


# -- damaging them -------------------------------------------------------------

_DICTIONARY = [
    b"\r",
    b"\n",
    b"\r\n",
    b" ",
    b"\t",
    b":",
    b";",
    b"=",
    b",",
    b'"',
    b"\\",
    b"\x00",
    b"\x0b",
    b"\x7f",
    b"\x80",
    b"\xff",
    b"\xc2\x85",
    b"0",
    b"1",
    b"f",
    b"F",
    b"x",
    b"-",
    b"+",
    b"_",
    b"/",
    b"*",
    b"H",
    b"\r\n\r\n",
    b"0\r\n\r\n",
    b"chunked",
    b"gzip, chunked",
    b"Content-Length: 5\r\n",
    b"Transfer-Encoding: chunked\r\n",
    b"Content-Length: ",
    b"Transfer-Encoding: ",
    b"Host: a\r\n",
    b"HTTP/1.1",
    b"HTTP/1.0",
    b" 200 OK\r\n",
    b"GET / HTTP/1.1\r\n",
    b"Connection: close\r\n",
    b"Upgrade: websocket\r\n",
    b"\r\n ",
    b"ffffffffffffffff",
    b"99999999999999999999",
]


@st.composite
def damaged(draw: st.DrawFn, wire: bytes) -> bytes:
    data = bytearray(wire)
    for _ in range(draw(st.integers(1, 5))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "repeat", "flip", "truncate"]))
        if action == "insert":
            data[position:position] = draw(st.sampled_from(_DICTIONARY))
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 4))]
        elif action == "replace":
            data[position : position + 1] = draw(st.sampled_from(_DICTIONARY))
        elif action == "repeat":
            piece = bytes(data[position : position + draw(st.integers(1, 12))])
            data[position:position] = piece * draw(st.integers(1, 60))
        elif action == "flip":
            if position < len(data):
                data[position] ^= 1 << draw(st.integers(0, 7))
        else:
            del data[position:]
    return bytes(data)


LIMITS = st.one_of(
    st.just(DEFAULT_LIMITS),
    st.tuples(st.integers(1, 400), st.integers(1, 8)),
)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """A structure-aware case: valid, damaged, or random bytes; either role."""
    role = draw(st.sampled_from(["server", "client"]))
    if role == "server":
        wire, methods = draw(request_stream())[0], ("GET",)
    else:
        wire, methods = draw(response_stream())
        methods = methods + ("GET",) * 10  # damage can make more responses
    kind = draw(st.sampled_from(["valid", "damaged", "damaged", "damaged", "random"]))
    if kind == "damaged":
        wire = draw(damaged(wire))
    elif kind == "random":
        wire = draw(st.binary(max_size=120))
    max_buffer_size, max_header_count = draw(LIMITS)
    return Case(role, wire, methods, max_buffer_size, max_header_count)


CUTS = st.lists(st.integers(0, 100_000), max_size=12)

# -- running a campaign ----------------------------------------------------------


class _Recorder:
    """Keeps the last failing case: once Hypothesis has shrunk a failure it
    runs the smallest example one final time, so that is the one kept."""

    def __init__(self) -> None:
        self.case: Case | None = None
        self.reason = ""

    def checked(self, case: Case, cuts: list[int]) -> None:
        try:
            check(case, cuts)
        except Finding as finding:
            self.case, self.reason = case, str(finding)
            raise


def save(case: Case, reason: str, directory: Path = REGRESSIONS) -> Path:
    """Write *case* as a regression file named after its content."""
    directory.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(case.to_json("").encode()).hexdigest()[:12]
    path = directory / f"{case.role}-{digest}.json"
    path.write_text(case.to_json(reason[:500]))
    return path


def load_all(directory: Path = REGRESSIONS) -> Iterator[tuple[str, Case]]:
    """Every saved regression case, by file name."""
    for path in sorted(directory.glob("*.json")):
        yield path.name, Case.from_json(path.read_text())


def campaign(examples: int, seed_value: int, recorder: _Recorder) -> Callable[[], None]:
    """A Hypothesis test running *examples* cases from *seed_value*."""

    @seed(seed_value)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate, Phase.shrink],
        print_blob=False,
    )
    @given(cases(), CUTS)
    def fuzz(case: Case, cuts: list[int]) -> None:
        recorder.checked(case, cuts)

    return fuzz  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="stop starting new batches after this long")
    parser.add_argument("--batch", type=int, default=500, help="examples per Hypothesis run")
    parser.add_argument("--seed", type=int, default=None, help="first seed (default: random)")
    parser.add_argument("--save-dir", type=Path, default=REGRESSIONS, help="where findings are written")
    options = parser.parse_args(argv)
    first_seed = options.seed if options.seed is not None else random.randrange(2**32)
    deadline = time.monotonic() + options.seconds
    total = 0
    batch_seed = first_seed
    while time.monotonic() < deadline:
        recorder = _Recorder()
        try:
            campaign(options.batch, batch_seed, recorder)()
        except Exception as exc:
            if recorder.case is None:
                raise
            path = save(recorder.case, recorder.reason, options.save_dir)
            print(f"FINDING (seed {batch_seed}): {recorder.reason}\nsaved to {path}", file=sys.stderr)
            del exc
            return 1
        total += options.batch
        batch_seed += 1
    print(f"fuzz: {total} cases from seeds {first_seed}..{batch_seed - 1}, no finding")
    return 0


if __name__ == "__main__":
    sys.exit(main())
