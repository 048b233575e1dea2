"""docs/examples/client.py against Python's http.server, speaking HTTP/1.0
(one request per connection, bodies with a length or until close) and
HTTP/1.1 (keep-alive, Expect: 100-continue)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from client import HttpClient, ResponseInfo
from peers import RegisterLog

pytestmark = pytest.mark.interop

TIMEOUT = 15.0
UNTIL_CLOSE_BODY = b"no length given: this body ends when the server closes\n" * 50


class Handler(SimpleHTTPRequestHandler):
    """Files from a directory, plus /until-close (no length) and POST echo."""

    log_path: Path

    def do_GET(self) -> None:
        if self.path == "/until-close":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(UNTIL_CLOSE_BODY)
            self.close_connection = True
        else:
            super().do_GET()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        with self.log_path.open("a") as log:
            log.write(f"{self.address_string()} {format % args}\n")


@pytest.fixture(params=["HTTP/1.0", "HTTP/1.1"])
def http_server(
    request: pytest.FixtureRequest, docroot: Path, tmp_path: Path, register_log: RegisterLog
) -> Iterator[tuple[str, str]]:
    """(base URL, protocol version) of an http.server running in a thread."""
    log_path = tmp_path / "http.server.log"
    log_path.touch()
    register_log("http.server", log_path)
    handler_class = type("TestHandler", (Handler,), {"protocol_version": request.param, "log_path": log_path})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler_class, directory=str(docroot)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", request.param
    finally:
        server.shutdown()
        server.server_close()
        thread.join(TIMEOUT)


def fetch(client: HttpClient, target: str, **kwargs: Any) -> tuple[ResponseInfo, bytes]:
    body = bytearray()
    info = client.request(kwargs.pop("method", "GET"), target, sink=body.extend, **kwargs)
    return info, bytes(body)


def test_files_and_reuse(http_server: tuple[str, str], docroot: Path) -> None:
    url, version = http_server
    with HttpClient(url, timeout=TIMEOUT) as client:
        results = [fetch(client, path) for path in ("/hello.txt", "/big.bin", "/hello.txt")]
    assert [body for _, body in results] == [
        b"hello, interop\n",
        (docroot / "big.bin").read_bytes(),
        b"hello, interop\n",
    ]
    assert {(info.status_code, info.framing) for info, _ in results} == {(200, "content-length")}
    assert {info.http_version for info, _ in results} == {version.removeprefix("HTTP/").encode()}
    if version == "HTTP/1.0":
        # An HTTP/1.0 server closes after every response.
        assert [info.connection_number for info, _ in results] == [1, 2, 3]
    else:
        assert [info.connection_number for info, _ in results] == [1, 1, 1]


def test_body_delimited_by_close(http_server: tuple[str, str]) -> None:
    url, _ = http_server
    with HttpClient(url, timeout=TIMEOUT) as client:
        info, body = fetch(client, "/until-close")
        after, _ = fetch(client, "/hello.txt")
    assert (info.status_code, info.framing, body) == (200, "until-close", UNTIL_CLOSE_BODY)
    assert after.connection_number == 2


def test_expect_100_continue(http_server: tuple[str, str]) -> None:
    url, version = http_server
    payload = b"an upload that waits for the go-ahead\n" * 1000
    # Waiting long for a 100 that will come makes a slow machine no risk;
    # waiting 1 s for one that never comes keeps the test short.
    continue_timeout = 10 if version == "HTTP/1.1" else 1
    with HttpClient(url, timeout=TIMEOUT, continue_timeout=continue_timeout) as client:
        info, body = fetch(client, "/echo", method="POST", body=payload, expect_continue=True)
    assert (info.status_code, body) == (200, payload)
    # http.server sends 100 Continue only when it speaks HTTP/1.1; to an
    # HTTP/1.0 server the client sends its body after a short wait instead.
    assert info.informational == ([100] if version == "HTTP/1.1" else [])
