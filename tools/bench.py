"""Benchmark h11sm against the reference implementations of HTTP/1.1.

Every workload runs, in one process and interleaved repetition by
repetition, for h11sm and for whichever references are importable: ``h11``
(pure Python), ``h11_mypyc`` (the same code compiled with mypyc) and
``httptools`` (llhttp, a C parser; parse only, as the distance to C). The
figure reported for each is the median over the repetitions, timed in CPU
time of this process (so that other load on a shared machine matters less).

One more workload times a real server instead of the library alone:
uvicorn serving an echo application (``tools/asgi_echo.py``) under wrk, on
h11sm through its h11 face, on h11, and on httptools (``uvicorn_echo``;
needs uvicorn and wrk, leave it out with ``--no-server``).

Install the references (never dependencies of h11sm) and run::

    .venv/bin/python -m pip install -r tools/bench-requirements.txt
    .venv/bin/python tools/bench.py            # the full run, about 2.5 minutes
    .venv/bin/python tools/bench.py --quick    # under 40 seconds
    .venv/bin/python tools/bench.py --json results.json

With ``--compiled`` the mypyc-compiled build of h11sm (``make
wheel-compiled``) runs too, in the same process, as the column
``h11sm-compiled``: its wheel is unpacked into a temporary directory and
imported as ``h11sm`` (the name its compiled modules carry), while this
checkout's pure-Python package is imported under another name,
``h11sm_pure`` (its imports are relative, so it runs as itself)::

    make wheel-compiled && .venv/bin/python tools/bench.py --compiled

Before timing anything, each workload is run once per library and its result
checked (the events received, the bytes of body seen), so a library that
silently did less work cannot win.

This is a tool, not a test: nothing in the test suite depends on timings.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import importlib
import importlib.metadata
import importlib.util
import json
import platform
import re
import shutil
import socket
import subprocess
import tempfile

try:
    import resource
except ImportError:  # pragma: no cover - not on Unix
    resource = None  # type: ignore[assignment]
import statistics
import sys
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))


# -- the bytes and events every library is given --------------------------------

_SOME_COOKIES = b"; ".join(b"c%02d=%s" % (i, b"v" * 14) for i in range(9))
_COOKIE = _SOME_COOKIES + b"; pad=" + b"p" * (200 - len(_SOME_COOKIES) - len(b"; pad="))  # 200 bytes

BROWSER_GET = (
    b"GET /articles/2024/table-driven-http?page=2 HTTP/1.1\r\n"
    b"Host: www.example.com\r\n"
    b"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
    b"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n"
    b"Accept-Language: en-GB,en;q=0.7,de;q=0.3\r\n"
    b"Accept-Encoding: gzip, deflate, br, zstd\r\n"
    b"DNT: 1\r\n"
    b"Cookie: " + _COOKIE + b"\r\n"
    b"Connection: keep-alive\r\n"
    b"\r\n"
)

RESPONSE_BODY = b"x" * 1000
RESPONSE_HEADERS = [
    (b"Date", b"Tue, 24 Nov 2026 12:00:00 GMT"),
    (b"Server", b"bench/1.0"),
    (b"Content-Type", b"text/html; charset=utf-8"),
    (b"Content-Length", b"1000"),
    (b"Cache-Control", b"private, max-age=0"),
    (b"Vary", b"Accept-Encoding"),
    (b"X-Content-Type-Options", b"nosniff"),
    (b"X-Frame-Options", b"DENY"),
    (b"Last-Modified", b"Mon, 23 Nov 2026 08:30:00 GMT"),
]

CLIENT_REQUEST_HEADERS = [
    (b"Host", b"www.example.com"),
    (b"User-Agent", b"bench-client/1.0"),
    (b"Accept", b"*/*"),
]
RESPONSE_1K = (
    b"HTTP/1.1 200 OK\r\n"
    + b"".join(b"%s: %s\r\n" % (name, value) for name, value in RESPONSE_HEADERS).replace(
        b"Content-Length: 1000", b"Content-Length: 1024"
    )
    + b"\r\n"
    + b"y" * 1024
)

SMALL_GET = b"GET /ping HTTP/1.1\r\nHost: example.com\r\n\r\n"
PIPELINED_COUNT = 100
PIPELINED = SMALL_GET * PIPELINED_COUNT
SMALL_RESPONSE_HEADERS = [(b"Content-Length", b"0")]
KEEP_ALIVE_CYCLES = 1000

READ_SIZE = 64 * 1024
CHUNK_SIZE = 16 * 1024  # the sender's chunks; reads straddle their edges


def _large_body_stream(body_size: int, chunked: bool) -> tuple[list[bytes], bytes]:
    """A POST of *body_size* bytes cut into READ_SIZE reads, and its head."""
    if chunked:
        head = b"POST /upload HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
        chunk = b"%x\r\n%s\r\n" % (CHUNK_SIZE, b"z" * CHUNK_SIZE)
        body = chunk * (body_size // CHUNK_SIZE) + b"0\r\n\r\n"
    else:
        head = b"POST /upload HTTP/1.1\r\nHost: example.com\r\nContent-Length: %d\r\n\r\n" % body_size
        body = b"z" * body_size
    view = memoryview(body)
    reads = [bytes(view[i : i + READ_SIZE]) for i in range(0, len(body), READ_SIZE)]
    return reads, head


def trickle_head(size: int) -> bytes:
    """A request head of exactly *size* bytes made of many ordinary fields."""
    start = b"GET /trickle HTTP/1.1\r\nHost: example.com\r\n"
    end = b"\r\n"
    lines = []
    used = len(start) + len(end)
    number = 0
    while used + 80 <= size:
        line = b"x-field-%04d: %s\r\n" % (number, b"v" * 62)
        lines.append(line)
        used += len(line)
        number += 1
    padding = size - used - len(b"x-pad: \r\n")
    lines.append(b"x-pad: %s\r\n" % (b"p" * padding))
    head = start + b"".join(lines) + end
    assert len(head) == size, (len(head), size)
    return head


def worst_case_head(size: int) -> bytes:
    """:func:`trickle_head`, but every field value followed by a space: the
    value shape that once sent a head down a parsing path 70 times slower
    per byte (issue 14). It must now cost about what the plain head costs."""
    head = trickle_head(size)
    start, _, rest = head.partition(b"\r\n")
    lines = rest[:-4].split(b"\r\n")  # (without the final empty line)
    shaped = b"".join(line[:-1] + b" \r\n" for line in lines)
    return start + b"\r\n" + shaped + b"\r\n"


def empty_fields_head(size: int) -> bytes:
    """A request head of at most *size* bytes that is nearly all empty
    fields (``a:``): too many fields for h11sm's default limit of 128, which
    it must refuse (431) for the price of a count, not a parse (issue 14).
    h11 and httptools have no such limit and parse them all."""
    start = b"GET / HTTP/1.1\r\nHost: a\r\n"
    count = (size - len(start) - 2) // 4
    return start + b"a:\r\n" * count + b"\r\n"


WORST_HEAD_SIZE = 16 * 1024  # h11's and h11sm's default head limit
TRICKLE_SMALL = 4 * 1024
TRICKLE_LARGE = 64 * 1024
TRICKLE_BUFFER_LIMIT = 128 * 1024  # every library is told to accept the 64 KiB head
TRICKLE_HEADER_LIMIT = 4096


# -- one operation of each workload, per library ------------------------------------
#
# A "kit" builds, for one library, the zero-argument function that performs one
# operation of a workload and returns a summary the benchmark checks once before
# timing it. h11 and h11-mypyc share their API, so one kit serves both.


class H11smKit:
    """The workloads written against h11sm's API."""

    def __init__(self, module: ModuleType | None = None, name: str = "h11sm") -> None:
        self.name = name
        self.h = importlib.import_module("h11sm") if module is None else module

    def server_cycle(self) -> Callable[[], object]:
        h = self.h
        Connection, SERVER = h.Connection, h.SERVER
        Response, Data, EndOfMessage = h.Response, h.Data, h.EndOfMessage

        def operation() -> object:
            conn = Connection(SERVER)
            events = conn.receive_data(BROWSER_GET)
            head = conn.send(Response(status_code=200, headers=RESPONSE_HEADERS, reason=b"OK"))
            body = conn.send(Data(data=RESPONSE_BODY))
            end = conn.send(EndOfMessage())
            return events, (head, body, end)

        return operation

    def client_cycle(self) -> Callable[[], object]:
        h = self.h
        Connection, CLIENT, Request = h.Connection, h.CLIENT, h.Request

        def operation() -> object:
            conn = Connection(CLIENT)
            head = conn.send(Request(method=b"GET", target=b"/data", headers=CLIENT_REQUEST_HEADERS))
            end = conn.send(h.EndOfMessage())
            return conn.receive_data(RESPONSE_1K), (head, end)

        return operation

    def keep_alive(self) -> Callable[[], object]:
        h = self.h
        Connection, SERVER = h.Connection, h.SERVER
        Response, Data, EndOfMessage = h.Response, h.Data, h.EndOfMessage

        def operation() -> object:
            conn = Connection(SERVER)
            received = 0
            for _ in range(KEEP_ALIVE_CYCLES):
                received += len(conn.receive_data(BROWSER_GET))
                conn.send(Response(status_code=200, headers=RESPONSE_HEADERS, reason=b"OK"))
                conn.send(Data(data=RESPONSE_BODY))
                conn.send(EndOfMessage())
                conn.prepare_to_reuse()
            return received

        return operation

    def pipelined(self) -> Callable[[], object]:
        h = self.h
        Connection, SERVER = h.Connection, h.SERVER
        Response, EndOfMessage = h.Response, h.EndOfMessage

        def operation() -> object:
            conn = Connection(SERVER)
            requests = 0
            events = conn.receive_data(PIPELINED)
            while True:
                requests += type(events[0]) is h.Request
                conn.send(Response(status_code=200, headers=SMALL_RESPONSE_HEADERS, reason=b"OK"))
                conn.send(EndOfMessage())
                if requests == PIPELINED_COUNT:
                    return requests
                conn.prepare_to_reuse()
                events = conn.receive_data(None)

        return operation

    def large_body(self, reads: list[bytes], head: bytes) -> Callable[[], object]:
        h = self.h
        Connection, SERVER, Data = h.Connection, h.SERVER, h.Data

        def operation() -> object:
            conn = Connection(SERVER)
            conn.receive_data(head)
            received = 0
            for piece in reads:
                for event in conn.receive_data(piece):
                    if type(event) is Data:
                        received += len(event.data)
            return received

        return operation

    def _trickle_conn(self) -> Any:
        return self.h.Connection(
            self.h.SERVER, max_buffer_size=TRICKLE_BUFFER_LIMIT, max_header_count=TRICKLE_HEADER_LIMIT
        )

    def trickle(self, head: bytes) -> Callable[[], object]:
        pieces = [head[i : i + 1] for i in range(len(head))]

        def operation() -> object:
            conn = self._trickle_conn()
            receive = conn.receive_data
            for piece in pieces:
                events = receive(piece)
            return len(events[0].headers)

        return operation

    def whole_head(self, head: bytes) -> Callable[[], object]:
        def operation() -> object:
            return len(self._trickle_conn().receive_data(head)[0].headers)

        return operation

    def many_fields(self, head: bytes) -> Callable[[], object]:
        """Read *head* with the default limits: refused (431) for too many
        fields; the status hint is returned."""
        error_type = self.h.ProtocolError

        def operation() -> object:
            try:
                self.h.Connection(self.h.SERVER).receive_data(head)
            except error_type as error:
                return error.error_status_hint
            raise AssertionError("too many fields, accepted")

        return operation


class H11Kit:
    """The workloads written against h11's API (receive_data, then a
    next_event loop), for ``h11`` and ``h11_mypyc`` alike."""

    def __init__(self, name: str, module: ModuleType) -> None:
        self.name = name
        self.h = module

    def _drain(self, conn: Any) -> list[Any]:
        """next_event() until the message ends or more data is needed."""
        h = self.h
        events = []
        while True:
            event = conn.next_event()
            if event is h.NEED_DATA or event is h.PAUSED:
                return events
            events.append(event)
            if type(event) is h.EndOfMessage:
                return events

    def server_cycle(self) -> Callable[[], object]:
        h = self.h
        Connection, SERVER = h.Connection, h.SERVER
        Response, Data, EndOfMessage = h.Response, h.Data, h.EndOfMessage
        drain = self._drain

        def operation() -> object:
            conn = Connection(SERVER)
            conn.receive_data(BROWSER_GET)
            events = drain(conn)
            head = conn.send(Response(status_code=200, headers=RESPONSE_HEADERS, reason=b"OK"))
            body = conn.send(Data(data=RESPONSE_BODY))
            end = conn.send(EndOfMessage())
            return events, (head, body, end)

        return operation

    def client_cycle(self) -> Callable[[], object]:
        h = self.h
        Connection, CLIENT, Request = h.Connection, h.CLIENT, h.Request
        drain = self._drain

        def operation() -> object:
            conn = Connection(CLIENT)
            head = conn.send(Request(method=b"GET", target=b"/data", headers=CLIENT_REQUEST_HEADERS))
            end = conn.send(h.EndOfMessage())
            conn.receive_data(RESPONSE_1K)
            return drain(conn), (head, end)

        return operation

    def keep_alive(self) -> Callable[[], object]:
        h = self.h
        Connection, SERVER = h.Connection, h.SERVER
        Response, Data, EndOfMessage = h.Response, h.Data, h.EndOfMessage
        drain = self._drain

        def operation() -> object:
            conn = Connection(SERVER)
            received = 0
            for _ in range(KEEP_ALIVE_CYCLES):
                conn.receive_data(BROWSER_GET)
                received += len(drain(conn))
                conn.send(Response(status_code=200, headers=RESPONSE_HEADERS, reason=b"OK"))
                conn.send(Data(data=RESPONSE_BODY))
                conn.send(EndOfMessage())
                conn.start_next_cycle()
            return received

        return operation

    def pipelined(self) -> Callable[[], object]:
        h = self.h
        Connection, SERVER = h.Connection, h.SERVER
        Response, EndOfMessage = h.Response, h.EndOfMessage
        drain = self._drain

        def operation() -> object:
            conn = Connection(SERVER)
            requests = 0
            conn.receive_data(PIPELINED)
            while True:
                events = drain(conn)
                requests += type(events[0]) is h.Request
                conn.send(Response(status_code=200, headers=SMALL_RESPONSE_HEADERS, reason=b"OK"))
                conn.send(EndOfMessage())
                if requests == PIPELINED_COUNT:
                    return requests
                conn.start_next_cycle()

        return operation

    def large_body(self, reads: list[bytes], head: bytes) -> Callable[[], object]:
        h = self.h
        Connection, SERVER, Data, NEED_DATA = h.Connection, h.SERVER, h.Data, h.NEED_DATA

        def operation() -> object:
            conn = Connection(SERVER)
            conn.receive_data(head)
            conn.next_event()
            received = 0
            next_event = conn.next_event
            for piece in reads:
                conn.receive_data(piece)
                while True:
                    event = next_event()
                    if event is NEED_DATA:
                        break
                    if type(event) is Data:
                        received += len(event.data)
            return received

        return operation

    def _trickle_conn(self) -> Any:
        return self.h.Connection(self.h.SERVER, max_incomplete_event_size=TRICKLE_BUFFER_LIMIT)

    def trickle(self, head: bytes) -> Callable[[], object]:
        pieces = [head[i : i + 1] for i in range(len(head))]
        NEED_DATA = self.h.NEED_DATA

        def operation() -> object:
            conn = self._trickle_conn()
            receive, next_event = conn.receive_data, conn.next_event
            for piece in pieces:
                receive(piece)
                event = next_event()
            assert event is not NEED_DATA
            return len(event.headers)

        return operation

    def whole_head(self, head: bytes) -> Callable[[], object]:
        def operation() -> object:
            conn = self._trickle_conn()
            conn.receive_data(head)
            return len(conn.next_event().headers)

        return operation

    def many_fields(self, head: bytes) -> Callable[[], object]:
        """Read *head* with the default limits (h11 has no field count
        limit: it parses every field); the number of fields is returned."""

        def operation() -> object:
            conn = self.h.Connection(self.h.SERVER)
            conn.receive_data(head)
            return len(conn.next_event().headers)

        return operation


class _HttptoolsCollector:
    """The callbacks httptools calls: keeps what an HTTP library would."""

    def __init__(self) -> None:
        self.headers: list[tuple[bytes, bytes]] = []
        self.url = b""
        self.body = 0
        self.messages = 0

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_body(self, body: bytes) -> None:
        self.body += len(body)

    def on_message_complete(self) -> None:
        self.messages += 1


class HttptoolsKit:
    """Parse-only figures from httptools (llhttp, in C) for the same bytes.
    There is no send side and no connection state: this is the floor a C
    parser sets, not a like-for-like comparison."""

    name = "httptools"

    def __init__(self, module: ModuleType) -> None:
        self.h = module

    def _parse(self, data: bytes, response: bool = False) -> _HttptoolsCollector:
        collector = _HttptoolsCollector()
        parser = (self.h.HttpResponseParser if response else self.h.HttpRequestParser)(collector)
        parser.feed_data(data)
        return collector

    def server_cycle(self) -> Callable[[], object]:
        return lambda: self._parse(BROWSER_GET).messages

    def client_cycle(self) -> Callable[[], object]:
        return lambda: self._parse(RESPONSE_1K, response=True).body

    def keep_alive(self) -> Callable[[], object]:
        def operation() -> object:
            collector = _HttptoolsCollector()
            parser = self.h.HttpRequestParser(collector)
            for _ in range(KEEP_ALIVE_CYCLES):
                parser.feed_data(BROWSER_GET)
            return collector.messages

        return operation

    def pipelined(self) -> Callable[[], object]:
        return lambda: self._parse(PIPELINED).messages

    def large_body(self, reads: list[bytes], head: bytes) -> Callable[[], object]:
        def operation() -> object:
            collector = _HttptoolsCollector()
            parser = self.h.HttpRequestParser(collector)
            parser.feed_data(head)
            for piece in reads:
                parser.feed_data(piece)
            return collector.body

        return operation

    def trickle(self, head: bytes) -> Callable[[], object]:
        pieces = [head[i : i + 1] for i in range(len(head))]

        def operation() -> object:
            collector = _HttptoolsCollector()
            parser = self.h.HttpRequestParser(collector)
            for piece in pieces:
                parser.feed_data(piece)
            return len(collector.headers)

        return operation

    def whole_head(self, head: bytes) -> Callable[[], object]:
        return lambda: len(self._parse(head).headers)

    def many_fields(self, head: bytes) -> Callable[[], object]:
        # (No field count limit either: every field is parsed.)
        return lambda: len(self._parse(head).headers)


Kit = H11smKit | H11Kit | HttptoolsKit

REFERENCES = (("h11", "h11"), ("h11-mypyc", "h11_mypyc"), ("httptools", "httptools"))


COMPILED = "h11sm-compiled"
PURE_MODULE_NAME = "h11sm_pure"


def newest_compiled_wheel() -> Path:
    """The compiled wheel ``make wheel-compiled`` built last, in dist/."""
    wheels = sorted((ROOT / "dist").glob("h11sm-*-cp*.whl"), key=lambda path: path.stat().st_mtime)
    if not wheels:
        raise SystemExit("no compiled wheel in dist/: run `make wheel-compiled` first")
    return wheels[-1]


def import_package(name: str, directory: Path) -> ModuleType:
    """Import the package in *directory* under the module name *name* (its
    imports are relative, so it runs as itself beside the checkout's own;
    ``tools/bench_ab.py`` uses it too)."""
    spec = importlib.util.spec_from_file_location(
        name, directory / "__init__.py", submodule_search_locations=[str(directory)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_both_builds(wheel: Path, into: Path) -> tuple[ModuleType, ModuleType]:
    """This checkout's pure-Python h11sm (as ``h11sm_pure``) and the compiled
    build from *wheel* (unpacked under *into*, imported as ``h11sm``). A
    directory instead of a wheel is imported from where it is (one that
    holds a compiled ``h11sm/``, such as a site-packages)."""
    if "h11sm" in sys.modules:
        raise SystemExit("--compiled needs a process that has not imported h11sm yet (run tools/bench.py itself)")
    pure = import_package(PURE_MODULE_NAME, ROOT / "h11sm")
    if wheel.is_dir():
        into = wheel
    else:
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(into)
    sys.path.insert(0, str(into))
    try:
        compiled = importlib.import_module("h11sm")
    finally:
        sys.path.remove(str(into))
    where = Path(str(importlib.import_module("h11sm._connection").__file__))
    if where.suffix != ".so" or not where.is_relative_to(into):
        raise SystemExit(f"{wheel.name} is not a compiled build: h11sm._connection came from {where}")
    return pure, compiled


def load_kits(wanted: Sequence[str], builds: Sequence[H11smKit] = ()) -> tuple[list[Kit], list[str]]:
    """h11sm (or the given *builds* of it) plus every wanted reference that
    can be imported; and the names of those that could not."""
    kits: list[Kit] = list(builds) if builds else [H11smKit()]
    missing = []
    for name, module_name in REFERENCES:
        if name not in wanted:
            continue
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            missing.append(name)
            continue
        kits.append(HttptoolsKit(module) if name == "httptools" else H11Kit(name, module))
    return kits, missing


# -- workloads -------------------------------------------------------------------


@dataclass
class Workload:
    """One row of the table.

    *units_per_op* converts operations per second into the reported figure:
    e.g. a keep-alive operation is 1000 request/response cycles. With
    *per_byte*, the figure is a cost in nanoseconds per byte instead (lower is
    better); with *gigabytes*, a throughput in GB/s.
    """

    key: str
    title: str
    unit: str
    build: Callable[[Kit], Callable[[], object]]
    units_per_op: float = 1.0
    lower_is_better: bool = False
    # Turns what one operation returned into the summary compared across
    # libraries; applied outside the timed loop, so the timing measures the
    # library rather than the checking.
    summarise: Callable[[object], object] = lambda result: result


def _summary(result: object) -> object:
    """For the message cycles: the kinds of events received, the body bytes
    in them, and the number of bytes sent. httptools (no send side) returns
    a plain number, kept as it is."""
    if not isinstance(result, tuple):
        return result
    events, sent = result
    kinds = [type(event).__name__ for event in events]
    body = sum(len(event.data) for event in events if type(event).__name__ == "Data")
    return kinds, body, sum(len(piece) for piece in sent)


def make_workloads(body_size: int) -> list[Workload]:
    cl_reads, cl_head = _large_body_stream(body_size, chunked=False)
    ch_reads, ch_head = _large_body_stream(body_size, chunked=True)
    small, large = trickle_head(TRICKLE_SMALL), trickle_head(TRICKLE_LARGE)
    plain, worst = trickle_head(WORST_HEAD_SIZE), worst_case_head(WORST_HEAD_SIZE)
    empty = empty_fields_head(WORST_HEAD_SIZE)
    return [
        Workload("server_cycle", "1. server cycle", "cycles/s", lambda k: k.server_cycle(), summarise=_summary),
        Workload("client_cycle", "2. client cycle", "cycles/s", lambda k: k.client_cycle(), summarise=_summary),
        Workload(
            "keep_alive", "3. keep-alive, 1000 cycles", "cycles/s", lambda k: k.keep_alive(), KEEP_ALIVE_CYCLES
        ),
        Workload(
            "pipelined", "4. pipelined, 100 in one buffer", "requests/s", lambda k: k.pipelined(), PIPELINED_COUNT
        ),
        Workload(
            "body_content_length",
            f"5a. {body_size >> 20} MiB body, Content-Length",
            "GB/s",
            lambda k: k.large_body(cl_reads, cl_head),
            body_size / 1e9,
        ),
        Workload(
            "body_chunked",
            f"5b. {body_size >> 20} MiB body, chunked",
            "GB/s",
            lambda k: k.large_body(ch_reads, ch_head),
            body_size / 1e9,
        ),
        Workload(
            "trickle_4k", "6a. 4 KiB head, byte by byte", "ns/byte", lambda k: k.trickle(small), TRICKLE_SMALL, True
        ),
        Workload(
            "trickle_64k", "6b. 64 KiB head, byte by byte", "ns/byte", lambda k: k.trickle(large), TRICKLE_LARGE, True
        ),
        Workload("whole_64k", "6c. 64 KiB head, whole", "µs/head", lambda k: k.whole_head(large), 1.0, True),
        # The worst-case heads of issue 14, per byte against the common one.
        Workload(
            "whole_16k", "6d. 16 KiB head, whole", "ns/byte", lambda k: k.whole_head(plain), len(plain), True
        ),
        Workload(
            "worst_16k",
            "6e. 16 KiB head, a space after every value",
            "ns/byte",
            lambda k: k.whole_head(worst),
            len(worst),
            True,
        ),
        Workload(
            "empty_fields_16k",
            f"6f. 16 KiB head of {empty.count(b'a:')} empty fields (h11sm: 431)",
            "ns/byte",
            lambda k: k.many_fields(empty),
            len(empty),
            True,
            # h11sm refuses, the others parse: only that each did its job.
            summarise=lambda result: "read" if result else None,
        ),
    ]


# -- timing ---------------------------------------------------------------------------


# The process's CPU time, not the wall clock: on a shared machine other
# processes then disturb the figures far less (and nothing here waits on I/O).
clock = time.process_time


def _page_faults() -> int:
    """Minor page faults of this process so far (0 where not available)."""
    if resource is None:  # pragma: no cover - not on Unix
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def time_operation(
    operation: Callable[[], object], seconds: float, count: int | None = None
) -> tuple[float, int, float]:
    """CPU seconds per operation over one repetition of about *seconds*, the
    number of operations it ran (the calibrated *count* is reused later), and
    the minor page faults per operation: a library whose buffers make the
    allocator hand memory back to the OS and fault it in again pays for that
    in CPU time, and this shows why."""
    if count is None:
        count = 1
        while True:
            started = clock()
            for _ in range(count):
                operation()
            elapsed = clock() - started
            if elapsed >= seconds / 4 or count >= 1 << 20:
                count = max(1, int(count * seconds / max(elapsed, 1e-9)))
                break
            count *= 4
    gc.collect()
    faults = _page_faults()
    started = clock()
    for _ in range(count):
        operation()
    elapsed = clock() - started
    return elapsed / count, count, (_page_faults() - faults) / count


@dataclass
class Config:
    repetitions: int = 7
    seconds: float = 0.3  # per repetition, per library
    body_size: int = 64 << 20
    references: tuple[str, ...] = ("h11", "h11-mypyc", "httptools")
    workloads: tuple[str, ...] | None = None  # None: all
    builds: tuple[H11smKit, ...] = ()  # the h11sm builds to run; () for the checkout's own
    progress: Callable[[str], None] | None = None
    server: ServerConfig | None = None  # the uvicorn workload; None: not run


@dataclass
class Row:
    key: str
    title: str
    unit: str
    lower_is_better: bool
    figures: dict[str, float] = field(default_factory=dict)  # library -> median figure
    samples: dict[str, list[float]] = field(default_factory=dict)
    page_faults: dict[str, float] = field(default_factory=dict)  # library -> median minor faults per operation
    fault_samples: dict[str, list[float]] = field(default_factory=dict)


def _figure(seconds_per_op: float, workload: Workload) -> float:
    if workload.lower_is_better:
        if workload.unit == "µs/head":
            return seconds_per_op * 1e6
        return seconds_per_op * 1e9 / workload.units_per_op  # ns per byte
    return workload.units_per_op / seconds_per_op


def run(config: Config) -> dict[str, Any]:
    kits, missing = load_kits(config.references, config.builds)
    workloads = make_workloads(config.body_size)
    if config.workloads is not None:
        workloads = [w for w in workloads if w.key in config.workloads]
    rows = []
    for workload in workloads:
        row = Row(workload.key, workload.title, workload.unit, workload.lower_is_better)
        operations = {}
        for kit in kits:
            operation = workload.build(kit)
            check = workload.summarise(operation())  # also warms up
            operations[kit.name] = (operation, check)
        _check_same_work(workload, {name: check for name, (_, check) in operations.items()})
        counts: dict[str, int | None] = dict.fromkeys(operations)
        for _ in range(config.repetitions):
            for name, (operation, _) in operations.items():
                per_op, counts[name], faults = time_operation(operation, config.seconds, counts[name])
                row.samples.setdefault(name, []).append(_figure(per_op, workload))
                row.fault_samples.setdefault(name, []).append(faults)
        row.figures = {name: statistics.median(samples) for name, samples in row.samples.items()}
        row.page_faults = {name: statistics.median(samples) for name, samples in row.fault_samples.items()}
        rows.append(row)
        if config.progress is not None:
            config.progress(format_row(row))
    return {
        "machine": {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
        },
        "versions": _versions(kits),
        "missing": missing,
        "config": {"repetitions": config.repetitions, "seconds": config.seconds, "body_size": config.body_size},
        "rows": [asdict(row) for row in rows],
        "targets": check_targets(rows),
        "server": None if config.server is None else run_server_workload(config.server, config.progress),
    }


def _versions(kits: list[Kit]) -> dict[str, str]:
    versions = {}
    for kit in kits:
        module = kit.h
        versions[kit.name] = str(getattr(module, "__version__", "?"))
    return versions


def _check_same_work(workload: Workload, checks: dict[str, object]) -> None:
    """Every full library must have returned the same summary for one
    operation; httptools (no send side) is only checked to have parsed."""
    full = {name: check for name, check in checks.items() if name != "httptools"}
    reference = full["h11sm"]
    for name, check in full.items():
        if check != reference:
            raise AssertionError(f"{workload.key}: {name} did different work: {check!r} != h11sm's {reference!r}")
    if "httptools" in checks and not checks["httptools"]:
        raise AssertionError(f"{workload.key}: httptools parsed nothing")


# -- targets (issue 7) ----------------------------------------------------------------


def _speedup(row: Row, other: str, ours_name: str = "h11sm") -> float | None:
    """How many times faster h11sm (or *ours_name*) is than *other* on this row."""
    if other not in row.figures or ours_name not in row.figures:
        return None
    ours, theirs = row.figures[ours_name], row.figures[other]
    return theirs / ours if row.lower_is_better else ours / theirs


def check_targets(rows: list[Row]) -> list[dict[str, Any]]:
    by_key = {row.key: row for row in rows}
    results: list[dict[str, Any]] = []

    def target(description: str, value: float | None, goal: float) -> None:
        if value is not None:
            results.append({"target": description, "value": round(value, 3), "goal": goal, "met": value >= goal})

    for key in ("server_cycle", "client_cycle"):
        if key in by_key:
            target(f"{key}: x h11", _speedup(by_key[key], "h11"), 3.0)
            target(f"{key}: x h11-mypyc", _speedup(by_key[key], "h11-mypyc"), 1.0)
    for key in ("keep_alive", "pipelined"):
        if key in by_key:
            target(f"{key}: x h11", _speedup(by_key[key], "h11"), 3.0)
    for key in ("body_content_length", "body_chunked"):
        if key in by_key:
            target(f"{key}: x h11", _speedup(by_key[key], "h11"), 1.0)
    if "trickle_4k" in by_key and "trickle_64k" in by_key:
        small, large = by_key["trickle_4k"].figures["h11sm"], by_key["trickle_64k"].figures["h11sm"]
        # Expressed so that higher is better, like the others: 1.5 / ratio >= 1.
        results.append(
            {
                "target": "trickle: per-byte cost 64 KiB / 4 KiB <= 1.5",
                "value": round(large / small, 3),
                "goal": 1.5,
                "met": large / small <= 1.5,
            }
        )
        target("trickle_64k: per byte x h11", _speedup(by_key["trickle_64k"], "h11"), 1.0)
    # The compiled build's targets (issue 13), when it ran.
    if any(COMPILED in row.figures for row in rows):

        def compiled(key: str, other: str, goal: float) -> None:
            if key in by_key:
                target(f"compiled {key}: x {other}", _speedup(by_key[key], other, COMPILED), goal)

        compiled("server_cycle", "h11-mypyc", 2.0)
        compiled("server_cycle", "h11", 6.0)
        compiled("keep_alive", "h11-mypyc", 2.0)
        compiled("pipelined", "h11-mypyc", 2.0)
        compiled("body_content_length", "h11sm", 1.0)
        compiled("body_chunked", "h11sm", 1.0)
        compiled("trickle_4k", "h11-mypyc", 1.0)
        compiled("trickle_64k", "h11-mypyc", 1.0)
    return results


# -- a real server: uvicorn under wrk (issue 11) --------------------------------------
#
# The workloads above time the libraries alone. This one times a program that
# people run: uvicorn serving an echo application (tools/asgi_echo.py) under
# wrk, three ways: on h11sm, through its h11 face (``python -m h11sm.h11 -m
# uvicorn ... --http h11``), on h11 (``--http h11``) and on httptools
# (``--http httptools``). Everything else is the same: the same uvicorn, the
# same application, the same Python, one process each. The figures are
# wrk's requests per second (wall clock, so the load of a shared machine
# shows), the median over rounds in which the three take turns.

SERVER_KEY = "uvicorn_echo"
ECHO_APP_DIR = ROOT / "tools"
SERVER_WAYS = ("h11sm", "h11", "httptools")
#: The module each way needs, and what ``import h11`` must give the server.
_SERVER_MODULES = {"h11sm": "h11sm.h11", "h11": "h11", "httptools": "httptools"}
_EXPECTED_H11 = {"h11sm": "h11sm.h11", "h11": "h11", "httptools": None}
ECHO_BODY = b"0123456789abcdef" * 8  # 128 bytes, POSTed and echoed back
_WRK_ECHO_SCRIPT = (
    'wrk.method = "POST"\n'
    f'wrk.body = "{ECHO_BODY.decode()}"\n'
    'wrk.headers["Content-Type"] = "application/octet-stream"\n'
)


@dataclass
class ServerConfig:
    rounds: int = 3
    duration: int = 5  # seconds of wrk per way and round
    connections: int = 32
    threads: int = 1  # uvicorn is one Python process: one wrk thread keeps it busy
    startup_timeout: float = 20.0


def uvicorn_command(way: str, port: int) -> list[str]:
    """The command line serving tools/asgi_echo.py with uvicorn the *way* given."""
    uvicorn = [
        "-m", "uvicorn", "asgi_echo:app", "--app-dir", str(ECHO_APP_DIR),
        "--host", "127.0.0.1", "--port", str(port), "--http", "httptools" if way == "httptools" else "h11",
        "--ws", "none", "--lifespan", "off", "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    if way == "h11sm":
        return [sys.executable, "-m", "h11sm.h11", *uvicorn]
    return [sys.executable, *uvicorn]


def server_ways_available() -> tuple[list[str], list[str]]:
    """The ways that can run here, and the names of what is missing."""
    missing = [name for name in ("uvicorn",) if importlib.util.find_spec(name) is None]
    if shutil.which("wrk") is None:
        missing.append("wrk")
    if missing:
        return [], missing
    ways = []
    for way in SERVER_WAYS:
        try:
            found = importlib.util.find_spec(_SERVER_MODULES[way]) is not None
        except ImportError:  # pragma: no cover - a parent package is missing
            found = False
        if found:
            ways.append(way)
        else:
            missing.append(f"{way} ({_SERVER_MODULES[way]})")
    return ways, missing


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class UvicornProcess:
    """uvicorn serving the echo application one way, on a free port."""

    def __init__(self, way: str, log_dir: Path, config: ServerConfig) -> None:
        self.way = way
        self.log_path = log_dir / f"uvicorn-{way}.log"
        for _attempt in range(3):  # the port could be taken between probe and bind
            self.port = _free_port()
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    uvicorn_command(way, self.port), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
                )
            if self._wait_until_ready(config.startup_timeout):
                return
        raise RuntimeError(f"uvicorn ({way}) did not start:\n{self.log_path.read_text(errors='replace')}")

    def _wait_until_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.05)
        self.stop()
        return False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/echo"

    def check(self) -> None:
        """One request before timing: the body comes back, and the server
        runs on the h11 it claims (none at all for httptools)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("POST", "/echo", body=ECHO_BODY)
            response = connection.getresponse()
            body, engine = response.read(), response.getheader("x-h11")
        finally:
            connection.close()
        expected = _EXPECTED_H11[self.way]
        if response.status != 200 or body != ECHO_BODY or (expected is not None and engine != expected):
            raise AssertionError(
                f"uvicorn ({self.way}) answered {response.status} with {len(body)} bytes on h11={engine!r}, "
                f"expected 200 with the {len(ECHO_BODY)} bytes sent, on {expected!r}"
            )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def run_wrk(url: str, script: Path, config: ServerConfig) -> tuple[float, int]:
    """wrk's requests per second for one run, and its errors (socket errors
    and statuses other than 2xx or 3xx), which must be none."""
    wrk = shutil.which("wrk") or "wrk"
    command = [
        wrk, "--threads", str(config.threads), "--connections", str(config.connections),
        "--duration", f"{config.duration}s", "--timeout", "5s", "--script", str(script), url,
    ]  # fmt: skip
    report = subprocess.run(command, capture_output=True, text=True, timeout=config.duration + 60, check=True).stdout
    return wrk_rate_and_errors(report)


def wrk_rate_and_errors(report: str) -> tuple[float, int]:
    """Requests/s and the count of socket errors and non-2xx/3xx answers in
    a wrk report (``tools/wrk_compare.py`` reads its reports with it too)."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", report)
    if rate is None:
        raise RuntimeError(f"unexpected wrk output:\n{report}")
    errors = 0
    if socket_errors := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report):
        errors += sum(int(count) for count in socket_errors.groups())
    if bad_status := re.search(r"Non-2xx or 3xx responses: (\d+)", report):
        errors += int(bad_status.group(1))
    return float(rate.group(1)), errors


def run_server_workload(config: ServerConfig, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """uvicorn with the echo application under wrk, the three ways taking
    turns round by round; the ways that cannot run here are named."""
    ways, missing = server_ways_available()
    result: dict[str, Any] = {"config": asdict(config), "missing": missing, "ways": {}, "ratios": {}}
    if not ways:
        return result
    result["uvicorn"] = importlib.metadata.version("uvicorn")
    samples: dict[str, list[float]] = {way: [] for way in ways}
    errors = dict.fromkeys(ways, 0)
    with tempfile.TemporaryDirectory(prefix="h11sm-bench-") as tmp:
        script = Path(tmp) / "echo.lua"
        script.write_text(_WRK_ECHO_SCRIPT)
        servers: list[UvicornProcess] = []
        try:
            for way in ways:
                servers.append(UvicornProcess(way, Path(tmp), config))
                servers[-1].check()
            for number in range(1, config.rounds + 1):
                for server in servers:
                    rate, failed = run_wrk(server.url, script, config)
                    samples[server.way].append(rate)
                    errors[server.way] += failed
                    if progress is not None:
                        progress(f"uvicorn round {number}: {server.way:10} {rate:10,.0f} requests/s, {failed} errors")
        finally:
            for server in servers:
                server.stop()
    for way in ways:
        result["ways"][way] = {
            "requests_per_second": statistics.median(samples[way]),
            "samples": samples[way],
            "errors": errors[way],
        }
    if "h11sm" in ways:
        ours = result["ways"]["h11sm"]["requests_per_second"]
        for way in ways:
            if way != "h11sm":
                result["ratios"][way] = ours / result["ways"][way]["requests_per_second"]
    return result


def format_server(server: dict[str, Any]) -> str:
    config = server["config"]
    lines = [
        f"{SERVER_KEY}: uvicorn {server.get('uvicorn', '?')} serving an echo app under wrk (a POST of "
        f"{len(ECHO_BODY)} bytes, echoed; wrk -t{config['threads']} -c{config['connections']}, "
        f"{config['rounds']} round(s) of {config['duration']} s, median):",
        f"  {'uvicorn on':<28} {'requests/s':>11} {'errors':>7} {'h11sm is':>9}",
    ]
    labels = {"h11sm": "h11sm (face), --http h11", "h11": "h11, --http h11", "httptools": "httptools, --http httptools"}
    for way, figures in server["ways"].items():
        ratio = server["ratios"].get(way)
        shown = "-" if ratio is None else f"{ratio:.2f}x"
        lines.append(f"  {labels[way]:<28} {figures['requests_per_second']:>11,.0f} {figures['errors']:>7} {shown:>9}")
    if server["missing"]:
        lines.append(f"  not available, skipped: {', '.join(server['missing'])}")
    return "\n".join(lines)


# -- output --------------------------------------------------------------------------

COLUMNS = ("h11sm", "h11", "h11-mypyc", "httptools")
COMPILED_COLUMNS = (COMPILED,)


def _format_number(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _with_compiled(row: Row) -> bool:
    return COMPILED in row.figures


def format_row(row: Row) -> str:
    columns = COLUMNS + COMPILED_COLUMNS if _with_compiled(row) else COLUMNS
    cells = [f"{row.title:<34}", f"{row.unit:<10}"]
    cells += [f"{_format_number(row.figures.get(name)):>11}" for name in columns]
    comparisons = [("h11sm", "h11"), ("h11sm", "h11-mypyc")]
    if _with_compiled(row):
        comparisons += [(COMPILED, "h11"), (COMPILED, "h11-mypyc"), (COMPILED, "h11sm")]
    for ours, other in comparisons:
        speedup = _speedup(row, other, ours)
        cells.append(f"{'-' if speedup is None else f'{speedup:.2f}x':>9}")
    return " ".join(cells)


def format_table(result: dict[str, Any]) -> str:
    lines = []
    if result["rows"]:  # none when only the uvicorn workload ran
        lines += _format_library_table(result)
    if result.get("server") is not None:
        lines.append("")
        lines.append(format_server(result["server"]))
    versions = ", ".join(f"{name} {version}" for name, version in result["versions"].items())
    lines.append("")
    lines.append(f"{result['machine']['implementation']} {result['machine']['python']}; {versions}")
    return "\n".join(lines).lstrip("\n")


def _format_library_table(result: dict[str, Any]) -> list[str]:
    with_compiled = any(_with_compiled(Row(**data)) for data in result["rows"])
    header = " ".join(
        [f"{'workload':<34}", f"{'unit':<10}"]
        + [f"{name:>11}" for name in (COLUMNS + COMPILED_COLUMNS if with_compiled else COLUMNS)]
        + [f"{'vs h11':>9}", f"{'vs mypyc':>9}"]
        + ([f"{'c/h11':>9}", f"{'c/mypyc':>9}", f"{'c/pure':>9}"] if with_compiled else [])
    )
    lines = [header, "-" * len(header)]
    for data in result["rows"]:
        lines.append(format_row(Row(**data)))
    lines.append("")
    lines.append("'vs' columns: how many times faster h11sm is (for ns/byte and µs/head, lower figures are better).")
    lines.append("httptools: parse only (C, no send side, no connection state).")
    if with_compiled:
        lines.append(
            f"{COMPILED}: the mypyc-compiled wheel, in the same process; c/... columns: how many times faster it is"
            " than h11, h11-mypyc and the pure-Python h11sm."
        )
    for data in result["rows"]:
        faulting = {name: faults for name, faults in data["page_faults"].items() if faults >= 100}
        if faulting:
            shown = ", ".join(f"{name} {faults:,.0f}" for name, faults in faulting.items())
            lines.append(f"{data['title']}: minor page faults per operation (median): {shown}")
    if result["missing"]:
        lines.append(f"not installed, skipped: {', '.join(result['missing'])}")
    lines.append("")
    lines.append("targets:")
    for item in result["targets"]:
        mark = "met   " if item["met"] else "MISSED"
        lines.append(f"  {mark} {item['target']}: {item['value']} (goal {item['goal']})")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--quick", action="store_true", help="fewer, shorter repetitions, 8 MiB bodies, one 2 s uvicorn round (<40 s)"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    parser.add_argument(
        "--only", metavar="KEY", action="append", help=f"run only this workload (repeatable; {SERVER_KEY}: uvicorn)"
    )
    parser.add_argument("--no-server", action="store_true", help=f"leave out {SERVER_KEY} (uvicorn under wrk)")
    parser.add_argument(
        "--compiled",
        metavar="WHEEL",
        nargs="?",
        const="newest",
        help="also run the mypyc-compiled build from WHEEL, or from a directory that holds it"
        " (default: the newest compiled wheel in dist/)",
    )
    parser.add_argument(
        "--without",
        metavar="LIBRARY",
        action="append",
        default=[],
        choices=[name for name, _ in REFERENCES],
        help="leave out a reference library (repeatable)",
    )
    args = parser.parse_args(argv)
    config = Config(references=tuple(name for name, _ in REFERENCES if name not in args.without))
    if args.quick:
        config.repetitions, config.seconds, config.body_size = 3, 0.04, 8 << 20
    if args.only:
        config.workloads = tuple(args.only)
    if not args.no_server and (not args.only or SERVER_KEY in args.only):
        config.server = ServerConfig(rounds=1, duration=2) if args.quick else ServerConfig()
    config.progress = lambda line: print(line, file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="h11sm-compiled-") as unpacked:
        if args.compiled is not None:
            wheel = newest_compiled_wheel() if args.compiled == "newest" else Path(args.compiled)
            pure, compiled = load_both_builds(wheel, Path(unpacked))
            config.builds = (H11smKit(pure, "h11sm"), H11smKit(compiled, COMPILED))
        result = run(config)
    print(format_table(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
