"""Load the example server with wrk, next to the same server written on h11.

docs/examples/server.py runs on h11sm. This tool carries a twin of its GET
side (static files with Content-Length, /stream with a chunked body, the same
headers, keep-alive, timeouts and graceful close) written on the current h11
release, and puts both under the same wrk load in the same run, alternating
between them round by round. Nothing else differs: the same asyncio loop, the
same Python, the same files.

    .venv/bin/python -m pip install h11           # for this tool only
    .venv/bin/python tools/wrk_compare.py         # 3 rounds of 10 s per server and path
    .venv/bin/python tools/wrk_compare.py --rounds 1 --duration 5

The figure reported per server and path is the median requests/s over the
rounds, with the total of socket errors and non-2xx/3xx answers (which must
be zero). This is a tool, not a test: no test depends on its timings.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email.utils
import importlib.metadata
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # (the tools next to this one)
import bench

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_SERVER = ROOT / "docs" / "examples" / "server.py"
STARTUP_TIMEOUT = 15.0
READ_SIZE = 64 * 1024
PATHS = ["/hello.txt", "/stream?lines=5"]
HELLO = b"hello from the load test\n"


# -- the h11 twin of docs/examples/server.py (GET side only) ---------------------


class SlowClient(Exception):
    pass


SERVER_HEADER = "h11"
_date_cache: list[object] = [0, ""]


def http_date() -> str:
    """The Date header value, formatted once a second (as the example does)."""
    now = int(time.time())
    if now != _date_cache[0]:
        _date_cache[:] = [now, email.utils.formatdate(now, usegmt=True)]
    return str(_date_cache[1])


class H11Session:
    """One connection served with h11, shaped like the example's HttpSession."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, root: Path, timeout: float):
        import h11

        self.h11 = h11
        self.reader = reader
        self.writer = writer
        self.root = root
        self.timeout = timeout
        self.conn = h11.Connection(h11.SERVER)

    async def next_event(self) -> Any:
        h11 = self.h11
        while True:
            event = self.conn.next_event()
            if event is h11.NEED_DATA:
                try:
                    async with asyncio.timeout(self.timeout):
                        data = await self.reader.read(READ_SIZE)
                except TimeoutError:
                    raise SlowClient from None
                self.conn.receive_data(data)
                continue
            return event

    async def send(self, *events: Any) -> None:
        data = b"".join(self.conn.send(event) or b"" for event in events)
        if data:
            self.writer.write(data)
            try:
                async with asyncio.timeout(self.timeout):
                    await self.writer.drain()
            except TimeoutError:
                raise SlowClient from None

    async def respond(self, status: int, headers: list[tuple[str, str]], pieces: list[bytes]) -> None:
        h11 = self.h11
        all_headers = [("Server", SERVER_HEADER), ("Date", http_date()), *headers]
        pending: list[Any] = [h11.Response(status_code=status, headers=all_headers)]
        for piece in pieces:
            if isinstance(pending[-1], h11.Data):
                await self.send(*pending)
                pending = []
            pending.append(h11.Data(data=piece))
        await self.send(*pending, h11.EndOfMessage())

    async def run(self) -> None:
        h11 = self.h11
        try:
            while True:
                async with asyncio.timeout(self.timeout):
                    event = await self.next_event()
                if isinstance(event, h11.ConnectionClosed):
                    break
                while not isinstance(await self.next_event(), h11.EndOfMessage):
                    pass
                await self.dispatch(event)
                if self.conn.our_state is not h11.DONE or self.conn.their_state is not h11.DONE:
                    break
                self.conn.start_next_cycle()
        except h11.RemoteProtocolError as exc:
            if self.conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                body = f"{exc}\n".encode()
                headers = [("Content-Length", str(len(body))), ("Connection", "close")]
                with contextlib.suppress(h11.LocalProtocolError, SlowClient, ConnectionError):
                    await self.respond(exc.error_status_hint, headers, [body])
        except (SlowClient, TimeoutError, ConnectionError):
            pass
        finally:
            with contextlib.suppress(OSError, TimeoutError):
                if self.writer.can_write_eof() and not self.writer.is_closing():
                    self.writer.write_eof()
                    async with asyncio.timeout(2.0):
                        while await self.reader.read(READ_SIZE):
                            pass
            self.writer.close()

    async def dispatch(self, request: Any) -> None:
        path, _, query = request.target.partition(b"?")
        if path == b"/stream":
            count = int(urllib.parse.parse_qs(query.decode()).get("lines", ["10"])[0])
            lines = [f"line {number}\n".encode() for number in range(1, count + 1)]
            await self.respond(200, [("Content-Type", "text/plain")], lines)
            return
        candidate = (self.root / urllib.parse.unquote(path.decode()).lstrip("/")).resolve()
        if not candidate.is_relative_to(self.root) or not candidate.is_file():
            body = b"not found\n"
            await self.respond(404, [("Content-Length", str(len(body)))], [body])
            return
        with candidate.open("rb") as file:
            content = file.read()
        headers = [("Content-Type", "text/plain"), ("Content-Length", str(len(content)))]
        await self.respond(200, headers, [content])


async def serve_h11(port: int, root: Path, timeout: float) -> None:
    global SERVER_HEADER
    SERVER_HEADER = f"h11/{importlib.metadata.version('h11')}"

    async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            await H11Session(reader, writer, root, timeout).run()

    server = await asyncio.start_server(on_connection, "127.0.0.1", port, limit=READ_SIZE)
    print(f"listening on http://127.0.0.1:{server.sockets[0].getsockname()[1]}/", flush=True)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    async with server:
        await stop.wait()


# -- running wrk against both ----------------------------------------------------


@dataclass
class Round:
    server: str
    path: str
    requests_per_second: float
    errors: int


class Server:
    def __init__(self, name: str, command: list[str], log: Path) -> None:
        self.name = name
        self.log = log
        self.log_file = log.open("wb")
        self.process = subprocess.Popen(command, stdout=self.log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not (found := re.search(r"listening on (http://\S+?)/?$", log.read_text(), re.MULTILINE)):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                sys.exit(f"{name} did not start:\n{log.read_text()}")
            time.sleep(0.05)
        self.url = found.group(1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.log_file.close()


def run_wrk(wrk: str, url: str, args: argparse.Namespace) -> tuple[float, int]:
    command = [wrk, "--threads", str(args.threads), "--connections", str(args.connections),
               "--duration", f"{args.duration}s", "--timeout", "5s", url]
    result = subprocess.run(command, capture_output=True, text=True, timeout=args.duration + 60, check=True)
    return bench.wrk_rate_and_errors(result.stdout)


def compare(args: argparse.Namespace) -> list[Round]:
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    try:
        h11_version = importlib.metadata.version("h11")
    except importlib.metadata.PackageNotFoundError:
        sys.exit("h11 is not installed: .venv/bin/python -m pip install h11")
    rounds: list[Round] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "hello.txt").write_bytes(HELLO)
        servers = [
            Server("h11sm", [sys.executable, str(EXAMPLE_SERVER), "--port", "0", "--root", tmp], root / "h11sm.log"),
            Server(f"h11 {h11_version}", [sys.executable, __file__, "--serve-h11", tmp], root / "h11.log"),
        ]
        try:
            for number in range(1, args.rounds + 1):
                for path in PATHS:
                    for server in servers:
                        rate, errors = run_wrk(wrk, server.url + path, args)
                        print(f"round {number}: {server.name:10} {path:18} {rate:10.0f} requests/s, {errors} errors")
                        rounds.append(Round(server.name, path, rate, errors))
        finally:
            for server in servers:
                server.stop()
    return rounds


def summarise(rounds: list[Round], args: argparse.Namespace) -> None:
    print(f"\nwrk --threads {args.threads} --connections {args.connections} --duration {args.duration}s, "
          f"median of {args.rounds} round(s), Python {sys.version.split()[0]}")
    print(f"{'server':12} {'path':18} {'requests/s':>10} {'errors':>7}")
    for server in dict.fromkeys(r.server for r in rounds):
        for path in PATHS:
            mine = [r for r in rounds if r.server == server and r.path == path]
            median = statistics.median(r.requests_per_second for r in mine)
            print(f"{server:12} {path:18} {median:10.0f} {sum(r.errors for r in mine):7}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="wrk runs per server and path (default: 3)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default: 10)")
    parser.add_argument("--connections", type=int, default=50, help="open connections (default: 50)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default: 2)")
    parser.add_argument("--serve-h11", metavar="ROOT", help=argparse.SUPPRESS)  # internal: run the twin
    args = parser.parse_args()
    if args.serve_h11:
        asyncio.run(serve_h11(0, Path(args.serve_h11).resolve(), timeout=10.0))
        return
    summarise(compare(args), args)


if __name__ == "__main__":
    main()
