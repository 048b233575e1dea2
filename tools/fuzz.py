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
    Paused,
    ProtocolError,
    Request,
    Response,
)

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

_NAMES = [b"X-Thing", b"accept", b"User-Agent", b"cookie", b"x_y", b"A!#$%&'*+.^`|~1", b"Via", b"ETag"]
_VALUES = [b"", b"a", b"a b", b"text/html; q=0.9", b'"quoted\\" value"', b"caf\xc3\xa9", b"\x80\xff", b"1, 2,,3"]
_OWS = [b"", b" ", b"\t", b" \t "]
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


@st.composite
def _fields(draw: st.DrawFn, eol: bytes = b"\r\n", folds: bool = False) -> bytes:
    wire = b""
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(_NAMES))
        if draw(st.booleans()):
            name = name.upper()
        wire += name + b":" + draw(st.sampled_from(_OWS)) + draw(st.sampled_from(_VALUES))
        if folds and draw(st.integers(0, 4)) == 0:
            wire += eol + draw(st.sampled_from([b" ", b"\t"])) + draw(st.sampled_from(_VALUES))
        wire += draw(st.sampled_from(_OWS)) + eol
    return wire


@st.composite
def _chunked_body(draw: st.DrawFn, folds: bool) -> bytes:
    wire = b""
    for chunk in draw(st.lists(st.binary(min_size=1, max_size=24), max_size=4)):
        size = b"%x" % len(chunk)
        if draw(st.booleans()):
            size = size.upper().rjust(draw(st.integers(1, 16)), b"0")
        extension = draw(st.sampled_from([b"", b";a", b";a=b", b' ; n = "v;\\"x"', b";a;b=c"]))
        wire += size + extension + b"\r\n" + chunk + b"\r\n"
    wire += b"0" + draw(st.sampled_from([b"", b";last"])) + b"\r\n"
    return wire + draw(_fields(folds=folds)) + b"\r\n"


@st.composite
def _body(draw: st.DrawFn, folds: bool, response: bool = False, last: bool = False) -> tuple[bytes, bytes]:
    """(framing field lines, body bytes). Without framing fields a request
    has no body and a response runs until the close: only the last may."""
    choices = ["length", "chunked"]
    if not response:
        choices.append("none")
    elif last:
        choices.append("close")
    framing = draw(st.sampled_from(choices))
    if framing == "length":
        payload = draw(st.binary(max_size=40))
        return b"Content-Length: %d\r\n" % len(payload), payload
    if framing == "chunked":
        return b"Transfer-Encoding: chunked\r\n", draw(_chunked_body(folds))
    if framing == "close":
        return b"", draw(st.binary(max_size=40))
    return b"", b""


@st.composite
def request_stream(draw: st.DrawFn) -> tuple[bytes, int]:
    """One to three pipelined requests, all valid, and how many. Only the
    last may end the connection's reuse (HTTP/1.0, CONNECT)."""
    wire = b""
    count = draw(st.integers(1, 3))
    for index in range(count):
        last = index == count - 1
        method, target = draw(st.sampled_from(_TARGETS if last else _TARGETS[:-1]))
        version = draw(st.sampled_from([b"1.1", b"1.1", b"1.0"] if last else [b"1.1"]))
        wire += draw(st.sampled_from([b"", b"\r\n", b"\r\n\r\n"]))
        wire += b"%s %s HTTP/%s\r\n" % (method.encode(), target.encode(), version)
        wire += b"Host:" + draw(st.sampled_from(_OWS)) + b"example.com\r\n"
        wire += draw(_fields())
        framing, body = draw(_body(folds=False))
        if (version == b"1.0" and framing.startswith(b"Transfer")) or method == "CONNECT":
            # (No Transfer-Encoding in HTTP/1.0, no content in a CONNECT.)
            framing, body = b"", b""
        wire += framing + draw(st.sampled_from([b"", b"Connection: keep-alive\r\n", b"Expect: 100-continue\r\n"]))
        wire += b"\r\n" + body
    return wire, count


@st.composite
def response_stream(draw: st.DrawFn) -> tuple[bytes, tuple[str, ...]]:
    """Responses to one to three requests, all valid, and the methods."""
    wire = b""
    methods = []
    count = draw(st.integers(1, 3))
    for index in range(count):
        method = draw(st.sampled_from(["GET", "GET", "HEAD", "POST"]))
        methods.append(method)
        eol = draw(st.sampled_from([b"\r\n", b"\r\n", b"\n"]))
        wire += draw(st.sampled_from([b"", b"\r\n"]))
        if draw(st.integers(0, 3)) == 0:
            wire += b"HTTP/1.1 100 Continue" + eol + eol
        status = draw(st.sampled_from([200, 404, 204, 304, 500]))
        wire += b"HTTP/1.1 %d" % status + draw(st.sampled_from([b" OK", b" ", b"", b" Two  words\t\x80"])) + eol
        wire += draw(_fields(eol=eol, folds=True))
        framing, body = draw(_body(folds=True, response=True, last=index == count - 1))
        wire += framing + eol
        if status not in (204, 304) and method != "HEAD":
            wire += body
    return wire, tuple(methods)


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
