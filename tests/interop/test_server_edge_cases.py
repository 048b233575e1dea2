"""docs/examples/server.py facing what ordinary clients rarely send: pipelined
requests, garbage, a client too slow to finish its head, and a close while
the client is still sending. A plain socket plays the client, so the bytes
on the wire are exactly the ones written here."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from peers import ExampleProcess, RegisterLog

pytestmark = pytest.mark.interop

SOCKET_TIMEOUT = 15.0


@pytest.fixture
def impatient_server(tmp_path: Path, docroot: Path, register_log: RegisterLog) -> Iterator[ExampleProcess]:
    """The example server giving clients one second to send a request head."""
    args = ["--root", str(docroot), "-v", "--timeout", "1", "--linger", "5"]
    server = ExampleProcess("server.py", args, tmp_path, register_log)
    try:
        yield server
    finally:
        server.stop()
    server.check_no_crash()


def connect(server: ExampleProcess) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=SOCKET_TIMEOUT)


def read_until_close(sock: socket.socket) -> bytes:
    received = bytearray()
    while chunk := sock.recv(65536):
        received += chunk
    return bytes(received)


def responses(raw: bytes) -> list[tuple[bytes, bytes]]:
    """Split Content-Length framed responses into (status line, body)."""
    found = []
    while raw:
        head, _, rest = raw.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        length = next(int(line.split(b":")[1]) for line in lines if line.lower().startswith(b"content-length:"))
        found.append((lines[0], rest[:length]))
        raw = rest[length:]
    return found


def test_pipelined_requests_are_answered_in_order(example_server: ExampleProcess) -> None:
    requests = (
        b"GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n"
        b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nfirst"
        b"GET /missing HTTP/1.1\r\nHost: t\r\n\r\n"
        b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecond"
    )
    with connect(example_server) as sock:
        sock.sendall(requests)  # all at once, before reading anything
        raw = read_until_close(sock)
    assert [(status, body) for status, body in responses(raw)] == [
        (b"HTTP/1.1 200 OK", b"hello, interop\n"),
        (b"HTTP/1.1 200 OK", b"first"),
        (b"HTTP/1.1 404 Not Found", b"not found\n"),
        (b"HTTP/1.1 200 OK", b"second"),
    ]
    assert example_server.log().count("[conn 1] ") == 4


def test_garbage_gets_400_and_a_close(example_server: ExampleProcess) -> None:
    with connect(example_server) as sock:
        sock.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: t\r\nBad Header : x\r\n\r\n")
        raw = read_until_close(sock)
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"\r\nConnection: close" in head
    assert b"colon" in body  # the ProtocolError's message names the construct


def test_a_slow_client_gets_408_then_the_connection_closes(impatient_server: ExampleProcess) -> None:
    with connect(impatient_server) as sock:
        sock.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: t\r\n")  # and never the blank line
        raw = read_until_close(sock)  # the server's 1 s timeout ends this, not ours
    assert raw.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert b"\r\nConnection: close" in raw


def test_an_idle_keep_alive_connection_is_closed_silently(impatient_server: ExampleProcess) -> None:
    with connect(impatient_server) as sock:
        sock.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n")
        raw = read_until_close(sock)
    assert responses(raw) == [(b"HTTP/1.1 200 OK", b"hello, interop\n")]  # and no 408 after it


def test_closing_server_reads_on_so_its_last_response_survives(impatient_server: ExampleProcess) -> None:
    # The first request asks for a close; a large upload follows at once. A
    # server that closed with unread input would make the kernel send a
    # reset, which can destroy the response before the client reads it. Our
    # server half-closes and drains instead (RFC 9112 section 9.6).
    with connect(impatient_server) as sock:
        sock.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        upload = b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4000000\r\n\r\n" + b"x" * 4_000_000
        sock.sendall(upload)  # completes only because the server keeps reading
        raw = read_until_close(sock)
    assert responses(raw) == [(b"HTTP/1.1 200 OK", b"hello, interop\n")]
    assert "[conn 1] GET /hello.txt" in impatient_server.log()
    assert "POST" not in impatient_server.log()


def test_a_client_that_half_closes_still_gets_its_answers(example_server: ExampleProcess) -> None:
    with connect(example_server) as sock:
        sock.sendall(
            b"GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n"
            b"PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok"
        )
        sock.shutdown(socket.SHUT_WR)  # "I have nothing more to say", not "goodbye"
        raw = read_until_close(sock)
    assert responses(raw) == [(b"HTTP/1.1 200 OK", b"hello, interop\n"), (b"HTTP/1.1 200 OK", b"ok")]
