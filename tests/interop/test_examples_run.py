"""The example programs run as documented: each answers --help, and the demo
(`make demo`) shows a coherent conversation."""

from __future__ import annotations

import os
import re
import sys
import time
from collections import Counter
from types import SimpleNamespace

import pytest
from peers import EXAMPLES, describe, free_port, run_command

pytestmark = pytest.mark.interop

EXAMPLE_SCRIPTS = sorted(path.name for path in EXAMPLES.glob("*.py"))


def test_every_documented_example_is_here() -> None:
    assert EXAMPLE_SCRIPTS == ["client.py", "demo.py", "proxy.py", "server.py"]


@pytest.mark.parametrize("script", EXAMPLE_SCRIPTS)
def test_help(script: str) -> None:
    result = run_command([sys.executable, str(EXAMPLES / script), "--help"])
    assert result.returncode == 0, describe(result)
    assert result.stdout.startswith(b"usage: "), describe(result)
    # The help repeats the module docstring: how to run it is right there.
    assert b"Run:" in result.stdout or b"Examples:" in result.stdout


def test_demo_prints_the_conversation_in_order() -> None:
    result = run_command([sys.executable, str(EXAMPLES / "demo.py")], timeout=60)
    assert result.returncode == 0, describe(result)
    lines = result.stdout.decode().splitlines()
    assert lines[-1] == "4 requests, 1 connection."
    events = [(m["side"], m["verb"], m["event"]) for line in lines if (m := EVENT_LINE.match(line))]
    # Each message is printed as sent before it is printed as received: at
    # every line, no side has received more of a kind than the other sent.
    tally: Counter[tuple[str, str, str]] = Counter()
    for side, verb, event in events:
        tally[side, verb, event] += 1
        if verb == "received":
            sender = "server" if side == "client" else "client"
            assert tally[side, "received", event] <= tally[sender, "sent", event], f"{side}: {event} too early"
    assert tally["client", "sent", "Request"] == tally["server", "received", "Request"] == 4
    summary = [line for line in lines if line.startswith("-->")]
    assert summary == [
        "--> 200 OK, body b'hello from h11sm\\n' (content-length), on connection #1",
        "--> 200 OK, body b'line 1\\nline 2\\nline 3\\n' (chunked), on connection #1",
        "--> 200 OK, body b'ping' (content-length), on connection #1",
        "--> 200 OK, body b'hello from h11sm\\n' (content-length), on connection #1",
    ]
    assert "client |     CLIENT: MUST_CLOSE -> CLOSED" in lines
    assert "server |     SERVER: MUST_CLOSE -> CLOSED" in lines
    interim = "client | received InformationalResponse(status_code=100, headers=[], http_version=b'1.1', " + (
        "reason=b'Continue')"
    )
    assert interim in lines


def test_the_demo_does_not_wait_for_a_line_it_has_already_shown() -> None:
    # The race behind an old flake: the server's "connection closed" came
    # while the client was still printing its last events, was shown then,
    # and the demo's final wait for it ran out (exit 1).
    sys.path.insert(0, str(EXAMPLES))
    try:
        from demo import ServerOutput
    finally:
        sys.path.remove(str(EXAMPLES))
    reader, writer = os.pipe()
    with os.fdopen(reader, "rb") as from_server, os.fdopen(writer, "wb") as server_prints:
        output = ServerOutput(SimpleNamespace(stdout=from_server))  # type: ignore[arg-type]
        server_prints.write(b"[conn 1] connection closed\n")
        server_prints.flush()
        assert output.lines(wait=5) == ["[conn 1] connection closed"]
        started = time.monotonic()
        assert output.wait_for("connection closed", 5) == []
        assert time.monotonic() - started < 1
        # A line not yet shown is still waited for, and returned.
        server_prints.write(b"[conn 2] connection closed\n")
        server_prints.flush()
        assert output.wait_for("conn 2", 5) == ["[conn 2] connection closed"]


EVENT_LINE = re.compile(r"^(?P<side>client|server) \| (?P<verb>sent|received) (?P<event>[A-Za-z]+)\(")


def test_client_reports_failures_without_a_traceback() -> None:
    nobody = free_port()  # nothing listens there
    refused = run_command([sys.executable, str(EXAMPLES / "client.py"), f"http://127.0.0.1:{nobody}/"])
    bad_url = run_command([sys.executable, str(EXAMPLES / "client.py"), "http://127.0.0.1:port/"])
    bad_header = run_command([sys.executable, str(EXAMPLES / "client.py"), "http://127.0.0.1/", "-H", "A B: c"])
    assert (refused.returncode, refused.stdout) == (1, b""), describe(refused)
    assert refused.stderr.startswith(f"client.py: can't connect to 127.0.0.1:{nobody}: ".encode())
    assert (bad_url.returncode, bad_url.stderr) == (1, b"client.py: not an http:// or https:// URL: 'http://127.0.0.1:port/'\n")
    assert bad_header.returncode == 1, describe(bad_header)
    assert bad_header.stderr.startswith(b"client.py: invalid request: "), describe(bad_header)  # then h11sm's reason
