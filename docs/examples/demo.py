"""h11sm at work: the example server and client talking over loopback.

Starts docs/examples/server.py in a child process (port chosen by the system,
serving a temporary directory), then uses the HttpClient of
docs/examples/client.py to make four requests on one connection:

  1. GET a file          a body with Content-Length
  2. GET /stream         a chunked body
  3. POST /echo          "Expect: 100-continue": the body waits for the go-ahead
  4. GET, Connection: close   the server closes after answering

Every event either side sends or receives is printed with the state changes
it caused, in the order they happened: the server prints each line before it
writes the bytes the line describes, so whatever the server said before the
client receives something is already in the pipe and is shown first.

Run:  python docs/examples/demo.py      (or: make demo)
"""

from __future__ import annotations

import argparse
import os
import select
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h11sm

sys.path.insert(0, str(Path(__file__).resolve().parent))
from client import HttpClient, States  # the example next to this one

SERVER_SCRIPT = Path(__file__).resolve().parent / "server.py"
STARTUP_TIMEOUT = 10.0
SHUTDOWN_TIMEOUT = 10.0
# How long the client waits for "100 Continue" before sending its body anyway.
# A real client waits about a second (servers that ignore Expect exist); our
# server always answers, and the demo is there to show that answer, so it
# waits as long as any other reply: on a loaded machine a one-second wait
# could run out, the body would go first, and the 100 would never be sent.
CONTINUE_TIMEOUT = 10.0


class ServerOutput:
    """Lines the server process prints, read without blocking the client."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        self.fd = process.stdout.fileno()
        os.set_blocking(self.fd, False)
        self.pending = b""
        self.ended = False
        # Every line returned so far: the line wait_for() looks for may
        # already have been shown by an earlier lines() call, between two
        # client events.
        self.returned: list[str] = []

    def lines(self, wait: float = 0.0) -> list[str]:
        """The complete lines available now (waiting up to *wait* seconds for the first)."""
        deadline = time.monotonic() + wait
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except BlockingIOError:
                chunk = None
            if chunk == b"":
                self.ended = True
            elif chunk:
                self.pending += chunk
                continue
            *complete, self.pending = self.pending.split(b"\n")
            remaining = deadline - time.monotonic()
            if complete or self.ended or remaining <= 0:
                decoded = [line.decode(errors="replace") for line in complete]
                self.returned += decoded
                return decoded
            select.select([self.fd], [], [], remaining)

    def wait_for(self, text: str, timeout: float) -> list[str]:
        """Lines up to and including the first one containing *text*; no
        lines if an earlier call has already returned that one."""
        if any(text in line for line in self.returned):
            return []
        deadline = time.monotonic() + timeout
        seen: list[str] = []
        while not any(text in line for line in seen):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.ended:
                raise RuntimeError(f"the server did not print {text!r}; it printed: {seen}")
            seen += self.lines(wait=remaining)
        return seen


def show(side: str, line: str) -> None:
    print(f"{side} | {line}", flush=True)


def show_server_lines(lines: list[str]) -> None:
    for line in lines:
        # "[conn 1] received ..." -> "received ..." (the demo has one connection).
        show("server", line.partition("] ")[2] if line.startswith("[conn ") else line)


def main() -> int:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    with tempfile.TemporaryDirectory() as root:
        (Path(root) / "hello.txt").write_bytes(b"hello from h11sm\n")
        command = [sys.executable, str(SERVER_SCRIPT), "--port", "0", "--root", root, "-vv"]
        server = subprocess.Popen(command, stdout=subprocess.PIPE)
        try:
            return run_demo(server)
        finally:
            server.terminate()
            server.wait(SHUTDOWN_TIMEOUT)


def run_demo(server: subprocess.Popen[bytes]) -> int:
    output = ServerOutput(server)
    banner = output.wait_for("listening on", STARTUP_TIMEOUT)[-1]
    url = banner.split()[-1]
    show("server", banner)

    def on_event(verb: str, event: h11sm.Event, before: States, after: States) -> None:
        show_server_lines(output.lines())
        changes = [f"{role}: {before[role]} -> {after[role]}" for role in after if before[role] is not after[role]]
        show("client", f"{verb} {event!r}")
        show("client", f"    {', '.join(changes) or 'no state change'}")

    steps: list[tuple[str, str, str, bytes | None, list[tuple[str, str]]]] = [
        ("a file: the body has a Content-Length", "GET", "/hello.txt", None, []),
        ("a generated body of unknown length: sent chunked", "GET", "/stream?lines=3", None, []),
        ("an upload with Expect: 100-continue", "POST", "/echo", b"ping", []),
        ("the last request asks the server to close", "GET", "/hello.txt", None, [("Connection", "close")]),
    ]
    with HttpClient(url, timeout=10, continue_timeout=CONTINUE_TIMEOUT, on_event=on_event) as client:
        for number, (what, method, target, body, headers) in enumerate(steps, 1):
            print(f"\n=== {number}. {method} {target}: {what} ===", flush=True)
            received = bytearray()
            info = client.request(
                method, target, headers=headers, body=body, expect_continue=body is not None, sink=received.extend
            )
            show_server_lines(output.lines())
            print(
                f"--> {info.status_code} {info.reason.decode()}, body {bytes(received)!r} ({info.framing}), "
                f"on connection #{info.connection_number}",
                flush=True,
            )
    show_server_lines(output.wait_for("connection closed", SHUTDOWN_TIMEOUT))
    print(f"\n{len(steps)} requests, {client.connections_opened} connection.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
