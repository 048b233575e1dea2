"""HTTP/1.0 keep-alive with real peers (RFC 9112 Appendix C.2.2).

The example server kept alive by HTTP/1.0 clients that ask for it (curl -0,
ab -k, nginx proxying with ``proxy_http_version 1.0``), and the example
client kept alive by an HTTP/1.0 server that honours it.
"""

from __future__ import annotations

import functools
import re
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from client import HttpClient
from peers import (
    STARTUP_TIMEOUT,
    ExampleProcess,
    RegisterLog,
    describe,
    free_port,
    require_program,
    run_command,
    stop_process,
)

pytestmark = pytest.mark.interop

TIMEOUT = 15.0


def requests_by_connection(server: ExampleProcess) -> dict[str, int]:
    """How many requests each connection of the example server carried."""
    counts: dict[str, int] = {}
    for ident in re.findall(r"^\[conn (\S+)\] [A-Z]+ \S+ HTTP/1\.\d$", server.log(), re.MULTILINE):
        counts[ident] = counts.get(ident, 0) + 1
    return counts


# -- HTTP/1.0 clients of the example server -------------------------------------


def test_curl_http_1_0_keep_alive_reuses_one_connection(example_server: ExampleProcess, docroot: Path) -> None:
    base = example_server.url.rstrip("/")
    urls = [f"{base}/hello.txt", f"{base}/big.bin", f"{base}/hello.txt"]
    discard_bodies = [arg for url in urls for arg in ("--output", "/dev/null", url)]
    result = run_command(
        [require_program("curl"), "--silent", "--show-error", "--max-time", "20", "-q", "--http1.0",
         "-H", "Connection: keep-alive", "--write-out", r"%{http_code} %{num_connects}\n", *discard_bodies]
    )
    assert result.returncode == 0, describe(result)
    # One connection opened, for the first transfer only.
    assert result.stdout.splitlines() == [b"200 1", b"200 0", b"200 0"]
    assert requests_by_connection(example_server) == {"1": 3}


def test_curl_http_1_0_gets_the_keep_alive_answer_and_then_a_close(example_server: ExampleProcess) -> None:
    base = example_server.url.rstrip("/")
    # A file has a length and keeps the connection; a stream of unknown
    # length goes close-delimited to an HTTP/1.0 client and ends it.
    result = run_command(
        [require_program("curl"), "--silent", "--show-error", "--max-time", "20", "-q", "--http1.0",
         "-H", "Connection: keep-alive", "--dump-header", "-", f"{base}/hello.txt", f"{base}/stream?lines=2",
         f"{base}/hello.txt"]
    )
    assert result.returncode == 0, describe(result)
    heads = [head.lower() for head in re.findall(rb"HTTP/1\.1 .*?\r\n\r\n", result.stdout, re.DOTALL)]
    assert len(heads) == 3
    assert b"connection: keep-alive\r\n" in heads[0]
    assert b"connection: close\r\n" in heads[1] and b"keep-alive" not in heads[1]
    assert b"line 1\nline 2\n" in result.stdout
    assert sorted(requests_by_connection(example_server).values()) == [1, 2]


def test_ab_keep_alive(example_server: ExampleProcess) -> None:
    result = run_command([require_program("ab"), "-k", "-n", "6", "-c", "1", f"{example_server.url}hello.txt"])
    assert result.returncode == 0, describe(result)
    out = result.stdout.decode()
    assert re.search(r"Complete requests:\s+6\n", out), out
    assert re.search(r"Failed requests:\s+0\n", out), out
    assert re.search(r"Keep-Alive requests:\s+6\n", out), out
    assert requests_by_connection(example_server) == {"1": 6}


NGINX_PROXY_CONFIG = """\
daemon off;
master_process off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream h11sm_server {{
        server 127.0.0.1:{upstream_port};
        keepalive 4;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://h11sm_server;
            # An HTTP/1.0 client of the upstream that asks for keep-alive.
            proxy_http_version 1.0;
            proxy_set_header Connection keep-alive;
        }}
    }}
}}
"""


@pytest.fixture
def nginx_http_1_0_proxy(
    example_server: ExampleProcess, tmp_path: Path, register_log: RegisterLog
) -> Iterator[str]:
    """The URL of an nginx that proxies to the example server over HTTP/1.0
    with keep-alive."""
    binary = require_program("nginx")
    prefix = tmp_path / "nginx-proxy"
    prefix.mkdir()
    register_log("nginx error.log", prefix / "error.log")
    for _attempt in range(3):
        port = free_port()
        config = prefix / "nginx.conf"
        config.write_text(NGINX_PROXY_CONFIG.format(prefix=prefix, port=port, upstream_port=example_server.port))
        output = (prefix / "stderr.log").open("wb")
        process = subprocess.Popen([binary, "-p", str(prefix), "-c", str(config)], stdout=output, stderr=output)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        if process.poll() is None and time.monotonic() < deadline:
            try:
                yield f"http://127.0.0.1:{port}"
            finally:
                stop_process(process)
                output.close()
            return
        stop_process(process)
        output.close()
    pytest.fail(f"nginx did not start:\n{(prefix / 'error.log').read_text(errors='replace')}")


def test_nginx_as_http_1_0_keep_alive_client(
    nginx_http_1_0_proxy: str, example_server: ExampleProcess, docroot: Path
) -> None:
    bodies = []
    # Separate client connections to nginx, one after the other: nginx
    # takes its kept upstream connection from its cache for each.
    for _ in range(4):
        with HttpClient(nginx_http_1_0_proxy, timeout=TIMEOUT) as client:
            body = bytearray()
            info = client.request("GET", "/hello.txt", sink=body.extend)
            assert info.status_code == 200
            bodies.append(bytes(body))
    assert bodies == [b"hello, interop\n"] * 4
    assert re.findall(r"GET /hello.txt HTTP/(1\.\d)$", example_server.log(), re.MULTILINE) == ["1.0"] * 4
    assert requests_by_connection(example_server) == {"1": 4}


# -- the example client and an HTTP/1.0 server ---------------------------------------


class KeepAliveHttp10Handler(SimpleHTTPRequestHandler):
    """An HTTP/1.0 server that keeps the connection for a request that asks
    with ``Connection: keep-alive`` (as HTTP/1.0 servers with the extension
    do), and says so in its answer."""

    protocol_version = "HTTP/1.0"
    seen: list[tuple[int, str]]  # (client port, the request's Connection field)

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        asked = self.headers.get("Connection", "")
        self.seen.append((self.client_address[1], asked))
        self.close_connection = "keep-alive" not in asked.lower()
        return True

    def end_headers(self) -> None:
        if not self.close_connection:
            self.send_header("Connection", "keep-alive")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def http_1_0_keep_alive_server(docroot: Path) -> Iterator[tuple[str, list[tuple[int, str]]]]:
    seen: list[tuple[int, str]] = []
    handler = type("Handler", (KeepAliveHttp10Handler,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(docroot)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(TIMEOUT)


def test_example_client_kept_alive_by_an_http_1_0_server(
    http_1_0_keep_alive_server: tuple[str, list[tuple[int, str]]], docroot: Path
) -> None:
    url, seen = http_1_0_keep_alive_server
    with HttpClient(url, timeout=TIMEOUT) as client:
        results = []
        for number, path in enumerate(("/hello.txt", "/big.bin", "/hello.txt")):
            body = bytearray()
            # Only the first request asks: h11sm says keep-alive on the
            # next ones itself, once the HTTP/1.0 server has agreed.
            headers = [("Connection", "keep-alive")] if number == 0 else []
            info = client.request("GET", path, headers=headers, sink=body.extend)
            results.append((info, bytes(body)))
    assert [body for _, body in results] == [
        b"hello, interop\n", (docroot / "big.bin").read_bytes(), b"hello, interop\n"
    ]
    assert {(info.http_version, info.framing) for info, _ in results} == {(b"1.0", "content-length")}
    assert [info.connection_number for info, _ in results] == [1, 1, 1]
    assert [asked for _, asked in seen] == ["keep-alive"] * 3
    assert len({port for port, _ in seen}) == 1
