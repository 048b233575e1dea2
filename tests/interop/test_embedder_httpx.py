"""httpx, sync and async, unchanged, on h11sm's h11 face (issue 11), against
uvicorn and hypercorn (themselves on the face), nginx and http.server.

httpx runs in a child process started as ``python -m h11sm.h11
httpx_client.py ...``: the face must be in place before httpcore first
imports h11, and installing it in the pytest process would change ``import
h11`` for every later test (embedders.py says more). The child runs a plan
of requests on one client and reports what it saw as JSON; the tests here
assert on that report. One child runs per peer and mode, and its report is
shared by the tests of that peer and mode.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from asgi_app import HELLO, stream_piece
from embedders import ENGINE, AsgiServerPool, expected_engine, run_client_script
from httpx_client import pattern_bytes
from peers import Nginx, RegisterLog

pytestmark = pytest.mark.interop

PEERS = ["uvicorn", "hypercorn", "nginx", "http.server"]
MODES = ["sync", "async"]
POST_SIZE = 5000
UPLOAD_SIZE = 200_000
STREAM_PIECES, STREAM_PIECE_SIZE = 64, 4096


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class EchoingFileHandler(SimpleHTTPRequestHandler):
    """Files from a directory (GET and HEAD), and POST /echo: the body back,
    read with a Content-Length or chunked (which http.server leaves to its
    handlers)."""

    protocol_version = "HTTP/1.1"  # keep-alive

    def do_POST(self) -> None:
        if "chunked" in self.headers.get("Transfer-Encoding", ""):
            body = bytearray()
            while size := int(self.rfile.readline().split(b";")[0], 16):
                body += self.rfile.read(size)
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailer fields
        else:
            body = bytearray(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Peer:
    """A server for httpx, and what its answers must be."""

    url: str
    logs: list[tuple[str, Path]]
    hello_path: str
    download_path: str
    download: bytes
    #: Where a body can be sent and read back: nginx has no echo, so bodies
    #: are PUT to a file there and fetched again.
    upload_method: str = "POST"
    readback: bool = False


class Peers:
    """The four servers, each started the first time a test asks for it."""

    def __init__(self, asgi_servers: AsgiServerPool, root: Path) -> None:
        self.asgi_servers = asgi_servers
        self.root = root
        self.docroot = root / "www"
        self.docroot.mkdir()
        (self.docroot / "hello.txt").write_bytes(HELLO)
        (self.docroot / "big.bin").write_bytes(os.urandom(1024 * 1024))
        self.peers: dict[str, Peer] = {}
        self.nginx: Nginx | None = None
        self.http_server: ThreadingHTTPServer | None = None
        self.reports: dict[tuple[str, str], Any] = {}

    def get(self, name: str) -> Peer:
        if name not in self.peers:
            self.peers[name] = self._start(name)
        return self.peers[name]

    def _start(self, name: str) -> Peer:
        big = (self.docroot / "big.bin").read_bytes()
        if name in ("uvicorn", "hypercorn"):
            server = self.asgi_servers.get(name)
            stream = b"".join(stream_piece(index, STREAM_PIECE_SIZE) for index in range(STREAM_PIECES))
            return Peer(
                server.url, [(f"{name} (on {ENGINE})", server.log_path)], "/hello",
                f"/stream?n={STREAM_PIECES}&size={STREAM_PIECE_SIZE}", stream,
            )
        if name == "nginx":
            self.nginx = Nginx(self.docroot, self.root, lambda _name, _path: None)
            logs = [("nginx error.log", self.nginx.error_log), ("nginx access.log", self.nginx.prefix / "access.log")]
            return Peer(self.nginx.url, logs, "/hello.txt", "/big.bin", big, upload_method="PUT", readback=True)
        handler = functools.partial(EchoingFileHandler, directory=str(self.docroot))
        self.http_server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.http_server.daemon_threads = True
        thread = threading.Thread(target=self.http_server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        return Peer(f"http://127.0.0.1:{self.http_server.server_address[1]}", [], "/hello.txt", "/big.bin", big)

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        if self.http_server is not None:
            self.http_server.shutdown()
            self.http_server.server_close()


@pytest.fixture(scope="module")
def peers(asgi_servers: AsgiServerPool, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peers]:
    pool = Peers(asgi_servers, tmp_path_factory.mktemp("httpx-peers"))
    try:
        yield pool
    finally:
        pool.stop()


def plan(peer: Peer, mode: str) -> list[dict[str, Any]]:
    """The requests one httpx client makes, in order, on one connection
    (but for the last two: an invalid header, and a request after it)."""
    post: dict[str, Any] = {"name": "post", "method": peer.upload_method, "body": f"bytes:{POST_SIZE}"}
    upload: dict[str, Any] = {"name": "upload", "method": peer.upload_method, "body": f"stream:{UPLOAD_SIZE}"}
    steps = [{"name": "get", "method": "GET", "path": peer.hello_path}]
    if peer.readback:
        post["path"], upload["path"] = f"/upload/{mode}-post.bin", f"/upload/{mode}-upload.bin"
        steps += [post, {"name": "post readback", "method": "GET", "path": post["path"]}]
        steps += [upload, {"name": "upload readback", "method": "GET", "path": upload["path"]}]
    else:
        post["path"] = upload["path"] = "/echo"
        steps += [post, upload]
    steps += [
        {"name": "download", "method": "GET", "path": peer.download_path, "stream": True},
        {"name": "head", "method": "HEAD", "path": peer.hello_path},
        {"name": "invalid header", "method": "GET", "path": peer.hello_path, "headers": {"bad header": "x"}},
        {"name": "after the error", "method": "GET", "path": peer.hello_path},
    ]
    return steps


@pytest.fixture(params=[(peer, mode) for peer in PEERS for mode in MODES], ids=lambda p: f"{p[0]}-{p[1]}")
def report(
    request: pytest.FixtureRequest, peers: Peers, tmp_path: Path, register_log: RegisterLog
) -> tuple[Peer, dict[str, Any]]:
    """(the peer, httpx's report on the plan) for one peer and mode."""
    name, mode = request.param
    peer = peers.get(name)
    for log in peer.logs:
        register_log(*log)
    if request.param not in peers.reports:
        peers.reports[request.param] = run_client_script(
            "httpx_client.py", [peer.url, mode, json.dumps(plan(peer, mode))], tmp_path, register_log
        )
    else:
        register_log("httpx_client.py (the report)", tmp_path / "report.json")
        (tmp_path / "report.json").write_text(json.dumps(peers.reports[request.param], indent=1))
    return peer, peers.reports[request.param]


def steps(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["name"]: step for step in report["steps"]}


def test_httpx_runs_on_the_chosen_engine(report: tuple[Peer, dict[str, Any]]) -> None:
    _, result = report
    assert result["h11"] == result["httpcore_h11"] == expected_engine()


def test_keep_alive_reuses_one_connection(report: tuple[Peer, dict[str, Any]]) -> None:
    _, result = report
    reused = [step for step in result["steps"] if step["name"] not in ("invalid header", "after the error")]
    ports = {step.get("client_port") for step in reused}
    assert len(ports) == 1 and None not in ports, reused
    # Where the server says which connection it saw, it agrees.
    seen_by_server = {step["headers"]["x-client-port"] for step in reused if "x-client-port" in step["headers"]}
    assert seen_by_server in (set(), {str(*ports)})
    nginx_connections = {step["headers"]["x-connection"] for step in reused if "x-connection" in step["headers"]}
    assert len(nginx_connections) <= 1


def test_get(report: tuple[Peer, dict[str, Any]]) -> None:
    _, result = report
    get = steps(result)["get"]
    assert (get["status"], get["http_version"], get["text"]) == (200, "HTTP/1.1", HELLO.decode())


def test_post_with_a_body(report: tuple[Peer, dict[str, Any]]) -> None:
    peer, result = report
    post = steps(result)["post readback" if peer.readback else "post"]
    assert (post["status"], post["length"], post["sha256"]) == (200, POST_SIZE, sha256(pattern_bytes(POST_SIZE)))
    if peer.readback:
        assert steps(result)["post"]["status"] == 201  # created by the PUT


def test_streaming_upload(report: tuple[Peer, dict[str, Any]]) -> None:
    peer, result = report
    upload = steps(result)["upload readback" if peer.readback else "upload"]
    expected = pattern_bytes(UPLOAD_SIZE)
    assert (upload["status"], upload["length"], upload["sha256"]) == (200, UPLOAD_SIZE, sha256(expected))
    if "x-request-framing" in upload["headers"]:
        # A body from a generator has no length known in advance: chunked.
        assert upload["headers"]["x-request-framing"] == "chunked"


def test_streaming_download(report: tuple[Peer, dict[str, Any]]) -> None:
    peer, result = report
    download = steps(result)["download"]
    assert (download["status"], download["length"]) == (200, len(peer.download))
    assert download["sha256"] == sha256(peer.download)
    assert download["chunks"] > 1  # read as it came, not in one piece


def test_head(report: tuple[Peer, dict[str, Any]]) -> None:
    _, result = report
    head = steps(result)["head"]
    assert (head["status"], head["length"]) == (200, 0)
    assert head["headers"]["content-length"] == str(len(HELLO))


def test_an_invalid_header_raises_local_protocol_error(report: tuple[Peer, dict[str, Any]]) -> None:
    _, result = report
    invalid = steps(result)["invalid header"]
    assert invalid.get("is_httpx_local_protocol_error") is True, invalid
    chain = [link["class"] for link in invalid["error"]]
    assert chain[:2] == ["httpx.LocalProtocolError", "httpcore.LocalProtocolError"], chain
    # ... raised by the engine itself, from the event constructor.
    engine_error = chain[2]
    if ENGINE == "h11sm":
        assert re.match(r"h11sm\.", engine_error), chain
    else:
        assert engine_error == "h11._util.LocalProtocolError", chain
    after = steps(result)["after the error"]
    assert (after["status"], after["text"]) == (200, HELLO.decode())
