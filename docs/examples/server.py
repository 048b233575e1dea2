"""An asyncio HTTP/1.1 server built on h11sm.

Endpoints:
  GET|HEAD /<path>            a file below --root (Content-Length framing)
  POST|PUT /echo              the request body, sent back (chunked if it came chunked)
  GET|HEAD /stream?lines=N    N numbered lines, sent as a chunked body

What it shows: keep-alive, pipelined requests answered in order, chunked
responses, "Expect: 100-continue", a 400 answer on a protocol error and a 431
on an oversized head, timeouts for slow clients, and the graceful close RFC
9112 section 9.6 advises (shut down our sending side, then read until the
client closes, so our last response is not lost to a TCP reset).

Run:  python docs/examples/server.py --port 8080 --root . -vv
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email.utils
import itertools
import mimetypes
import signal
import sys
import time
import traceback
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import h11sm

READ_SIZE = 64 * 1024
FILE_PIECE_SIZE = 64 * 1024
MAX_STREAM_LINES = 100_000

#: ``conn.states``: role -> state (both are h11sm sentinels).
States = Mapping[h11sm.Sentinel, h11sm.Sentinel]


@dataclass(frozen=True)
class ServerConfig:
    root: Path
    #: Seconds a client gets to send a whole request head, and for each read
    #: of a body or each write of ours; also how long an idle keep-alive
    #: connection stays open.
    timeout: float
    #: Largest request head we accept (larger: 431).
    max_head_size: int
    #: Largest body /echo will hold in memory (larger: 413).
    max_echo_size: int
    #: Seconds to keep reading after we shut down our sending side.
    linger: float
    #: 0: quiet, 1: one line per request, 2: every event and state change.
    verbosity: int


class ClientTimeout(Exception):
    """The client was too slow to send (or to read) what we were waiting for."""


def http_date() -> str:
    """The Date header value; formatting it costs more than a cache lookup."""
    now = int(time.time())
    if now != _date_cache[0]:
        _date_cache[:] = [now, email.utils.formatdate(now, usegmt=True)]
    return str(_date_cache[1])


_date_cache: list[object] = [0, ""]


def describe_states(before: States, after: States) -> str:
    """``client: IDLE -> SEND_BODY`` for each role whose state changed."""
    changes = [f"{role}: {before[role]} -> {after[role]}" for role in after if before[role] is not after[role]]
    return ", ".join(changes) if changes else "no state change"


class HttpSession:
    """One client connection: reads requests and answers them, one at a time."""

    _ids = itertools.count(1)

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, config: ServerConfig) -> None:
        self.reader = reader
        self.writer = writer
        self.config = config
        self.conn = h11sm.Connection(h11sm.SERVER, max_buffer_size=config.max_head_size)
        self.ident = next(self._ids)

    # -- logging ---------------------------------------------------------------

    def log(self, level: int, message: str) -> None:
        if self.config.verbosity >= level:
            # Flushed line by line: whoever reads our output (the demo) sees a
            # line before the bytes it describes reach the client.
            print(f"[conn {self.ident}] {message}", flush=True)

    def log_event(self, verb: str, event: h11sm.Event, before: States) -> None:
        if self.config.verbosity >= 2:
            self.log(2, f"{verb} {event!r}")
            self.log(2, f"    {describe_states(before, self.conn.states)}")

    # -- I/O through the connection --------------------------------------------

    async def next_event(self) -> h11sm.Event:
        """The next event from the client, reading more bytes as needed."""
        while True:
            before = self.conn.states
            event = self.conn.next_event()
            if event is h11sm.NEED_DATA:
                try:
                    async with asyncio.timeout(self.config.timeout):
                        data = await self.reader.read(READ_SIZE)
                except TimeoutError:
                    raise ClientTimeout("timed out waiting for the client to send") from None
                self.conn.feed(data)
                continue
            # We only ask for an event when the client may send one, so
            # parsing is never paused here (see handle_exchange).
            assert isinstance(event, h11sm.Event), event
            self.log_event("received", event, before)
            return event

    async def send(self, *events: h11sm.Event) -> None:
        """Send *events* with one write: fewer system calls, and a body's last
        piece leaves together with the end of the message."""
        chunks = []
        for event in events:
            before = self.conn.states
            data = self.conn.send(event)
            self.log_event("sent", event, before)
            if data:
                chunks.append(data)
        if chunks:
            self.writer.write(b"".join(chunks))
            try:
                async with asyncio.timeout(self.config.timeout):
                    await self.writer.drain()
            except TimeoutError:
                raise ClientTimeout("timed out waiting for the client to read") from None

    async def respond(
        self,
        status: int,
        headers: Iterable[tuple[str | bytes, str | bytes]],
        body: bytes | Iterable[bytes] = b"",
        *,
        head_only: bool = False,
    ) -> None:
        """Send a whole response. Add Content-Length to *headers* for a
        known length; without it h11sm frames the body as chunked (or until
        close for an HTTP/1.0 client)."""
        all_headers: list[tuple[str | bytes, str | bytes]] = [
            ("Server", h11sm.PRODUCT_ID),
            ("Date", http_date()),
            *headers,
        ]
        if self.conn.they_are_waiting_for_100_continue:
            # The client holds its body back until we say "100 Continue". We
            # answer without it, so the request never completes: no reuse.
            all_headers.append(("Connection", "close"))
        # Each piece is held back until the next one is known, so the head
        # goes out with the first piece and the last piece with the end.
        pending: list[h11sm.Event] = [h11sm.Response(status_code=status, headers=all_headers)]
        if not head_only:
            for piece in [body] if isinstance(body, bytes) else body:
                if piece:
                    if isinstance(pending[-1], h11sm.Data):
                        await self.send(*pending)
                        pending = []
                    pending.append(h11sm.Data(data=piece))
        await self.send(*pending, h11sm.EndOfMessage())

    async def respond_text(self, status: int, text: str, extra: Iterable[tuple[str, str]] = ()) -> None:
        body = text.encode()
        headers: list[tuple[str | bytes, str | bytes]] = [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            *extra,
        ]
        await self.respond(status, headers, body)

    # -- the connection's life -------------------------------------------------

    async def run(self) -> None:
        peer = self.writer.get_extra_info("peername")
        self.log(2, f"connection from {peer}")
        finished = False
        try:
            await self.converse()
            await self.close()
            finished = True
        finally:
            if not finished:
                # Cancelled (the server is stopping) or a bug in this file:
                # drop the connection at once rather than linger.
                self.writer.transport.abort()

    async def converse(self) -> None:
        """Answer requests until one side ends the connection."""
        try:
            while await self.handle_exchange():
                self.conn.prepare_to_reuse()
        except h11sm.ProtocolError as exc:
            self.log(1, f"protocol error from client: {exc.msg}")
            await self.answer_error(exc.error_status_hint, f"{exc.msg}\n")
        except ClientTimeout as exc:
            self.log(1, str(exc))
            if self.conn.trailing_data[0] or self.conn.their_state is not h11sm.IDLE:
                # Part of a request came: say why we give up on it. An idle
                # keep-alive connection is closed silently instead.
                await self.answer_error(408, "request timed out\n")
        except ConnectionError as exc:
            self.log(1, f"connection lost: {exc!r}")
        except Exception:
            # A bug in this program, not the client's fault: say so, and
            # leave the traceback for whoever runs the server.
            traceback.print_exc()
            await self.answer_error(500, "internal server error\n")

    async def handle_exchange(self) -> bool:
        """Read one request, answer it; True if the connection can be reused."""
        try:
            # One deadline for the whole head, so a client dribbling a byte at
            # a time cannot hold the connection forever.
            async with asyncio.timeout(self.config.timeout):
                event = await self.next_event()
        except TimeoutError:
            raise ClientTimeout("timed out waiting for a request head") from None
        if isinstance(event, h11sm.ConnectionClosed):
            return False
        assert isinstance(event, h11sm.Request), event
        await self.dispatch(event)
        return self.conn.states == {h11sm.CLIENT: h11sm.DONE, h11sm.SERVER: h11sm.DONE}

    async def answer_error(self, status: int, text: str) -> None:
        """Answer with an error status if a response can still be started."""
        if self.conn.our_state is h11sm.IDLE or self.conn.our_state is h11sm.SEND_RESPONSE:
            with contextlib.suppress(h11sm.ProtocolError, ClientTimeout, ConnectionError):
                await self.respond_text(status, text, [("Connection", "close")])

    async def close(self) -> None:
        """Half-close, read whatever the client still sends, then close."""
        if self.conn.our_state is not h11sm.ERROR:
            before = self.conn.states
            with contextlib.suppress(h11sm.ProtocolError):
                self.conn.send(h11sm.ConnectionClosed())
                self.log_event("sent", h11sm.ConnectionClosed(), before)
        try:
            if self.writer.can_write_eof() and not self.writer.is_closing():
                self.writer.write_eof()
                async with asyncio.timeout(self.config.linger):
                    while await self.reader.read(READ_SIZE):
                        pass
        except (OSError, TimeoutError):
            pass
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()
        self.log(2, "connection closed")

    # -- the application -------------------------------------------------------

    async def dispatch(self, request: h11sm.Request) -> None:
        method = request.method
        path, _, query = request.target.partition(b"?")
        self.log(1, f"{method.decode()} {request.target.decode(errors='replace')} HTTP/{request.http_version.decode()}")
        if path != b"/echo":
            await self.skip_body()
        if not path.startswith(b"/"):
            await self.respond_text(400, "only origin-form targets (/path) are served here\n")
        elif path == b"/echo":
            if method in (b"POST", b"PUT"):
                await self.echo(request)
            else:
                await self.respond_text(405, "use POST or PUT\n", [("Allow", "POST, PUT")])
        elif method not in (b"GET", b"HEAD"):
            await self.respond_text(405, "use GET or HEAD\n", [("Allow", "GET, HEAD")])
        elif path == b"/stream":
            await self.stream_lines(request, urllib.parse.parse_qs(query.decode(errors="replace")))
        else:
            await self.serve_file(request, path)

    async def skip_body(self) -> None:
        """Read past a request body we have no use for, so the log shows the
        whole request before the answer. A client waiting for 100 Continue
        is not asked for its body: respond() closes the connection instead."""
        if not self.conn.they_are_waiting_for_100_continue:
            while not isinstance(await self.next_event(), h11sm.EndOfMessage):
                pass

    async def echo(self, request: h11sm.Request) -> None:
        """Send the request body back, in the pieces it arrived in."""
        if self.conn.they_are_waiting_for_100_continue:
            await self.send(h11sm.InformationalResponse(status_code=100))
        pieces: list[bytes] = []
        size = 0
        while not isinstance(event := await self.next_event(), h11sm.EndOfMessage):
            assert isinstance(event, h11sm.Data), event
            size += len(event.data)
            if size > self.config.max_echo_size:
                await self.respond_text(413, "body too large to echo\n", [("Connection", "close")])
                return
            pieces.append(event.data)
        # Header values are bytes and may hold any octet: pass them on as is.
        content_type = next((v for n, v in request.headers if n == b"content-type"), b"application/octet-stream")
        headers: list[tuple[str | bytes, str | bytes]] = [("Content-Type", content_type)]
        if not any(name == b"transfer-encoding" for name, _ in request.headers):
            headers.append(("Content-Length", str(size)))
        await self.respond(200, headers, pieces)

    async def stream_lines(self, request: h11sm.Request, query: dict[str, list[str]]) -> None:
        try:
            count = int(query.get("lines", ["10"])[0])
        except ValueError:
            count = -1
        if not 0 <= count <= MAX_STREAM_LINES:
            await self.respond_text(400, f"lines must be an integer from 0 to {MAX_STREAM_LINES}\n")
            return
        lines = (f"line {number}\n".encode() for number in range(1, count + 1))
        # No Content-Length: h11sm sends the body chunked, one chunk per line.
        await self.respond(200, [("Content-Type", "text/plain")], lines, head_only=request.method == b"HEAD")

    async def serve_file(self, request: h11sm.Request, path: bytes) -> None:
        relative = urllib.parse.unquote(path.decode("ascii", errors="replace")).lstrip("/")
        if "\x00" in relative:  # no file name has one, and the OS would refuse it
            await self.respond_text(404, "not found\n")
            return
        root = self.config.root
        candidate = (root / relative).resolve()
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if not candidate.is_relative_to(root) or not candidate.is_file():
            await self.respond_text(404, "not found\n")
            return
        try:
            file = candidate.open("rb")
        except OSError:
            await self.respond_text(403, "can't read that file\n")
            return
        with file:
            size = candidate.stat().st_size
            content_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
            headers: list[tuple[str | bytes, str | bytes]] = [
                ("Content-Type", content_type),
                ("Content-Length", str(size)),
            ]
            # Local files are read in the event loop: a real server would hand
            # this to a thread or use sendfile (see send_with_data_passthrough).
            pieces = iter(lambda: file.read(FILE_PIECE_SIZE), b"")
            await self.respond(200, headers, pieces, head_only=request.method == b"HEAD")


async def serve(host: str, port: int, config: ServerConfig) -> None:
    connections: set[asyncio.Task[object]] = set()

    async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        connections.add(task)
        try:
            # Cancellation at shutdown ends the task quietly; anything else
            # is a bug and asyncio prints its traceback.
            with contextlib.suppress(asyncio.CancelledError):
                await HttpSession(reader, writer, config).run()
        finally:
            connections.discard(task)

    server = await asyncio.start_server(on_connection, host, port, limit=READ_SIZE)
    bound = server.sockets[0].getsockname()
    # Tests and the demo read this line to learn the port (with --port 0).
    print(f"listening on http://{bound[0]}:{bound[1]}/", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        await stop.wait()
        # Stop accepting, then end the open connections ourselves, so that
        # none is still running when asyncio.run() tears the loop down.
        server.close()
        for task in connections:
            task.cancel()
        await asyncio.gather(*connections, return_exceptions=True)
    print("server stopped", flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8080, help="port, 0 for any free one (default: %(default)s)")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="directory to serve (default: the current one)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds allowed to slow clients (default: 10)")
    parser.add_argument("--max-head-size", type=int, default=16 * 1024, help="largest request head (default: 16384)")
    parser.add_argument("--max-echo-size", type=int, default=1 << 24, help="largest /echo body (default: 16 MiB)")
    parser.add_argument("--linger", type=float, default=2.0, help="seconds to drain input when closing (default: 2)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="-v: requests, -vv: events and states")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    config = ServerConfig(
        root=args.root.resolve(),
        timeout=args.timeout,
        max_head_size=args.max_head_size,
        max_echo_size=args.max_echo_size,
        linger=args.linger,
        verbosity=args.verbose,
    )
    try:
        asyncio.run(serve(args.host, args.port, config))
    except OSError as exc:
        sys.exit(f"server.py: {exc}")


if __name__ == "__main__":
    main()
