"""uvicorn (``--http h11``) and hypercorn, unchanged, serving a small ASGI
app (asgi_app.py) on h11sm's h11 face, driven by curl, wrk, a plain socket
and a wsproto client (issue 11).

Each server runs as ``python -m h11sm.h11 -m uvicorn ...`` (or hypercorn),
in its own process; embedders.py says how to run them on h11 instead, for
comparison. The first test proves which h11 the server really uses.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import time
from pathlib import Path

import pytest
from asgi_app import HELLO, stream_piece
from embedders import ENGINE, AsgiServer, AsgiServerPool, expected_engine, run_client_script
from peers import RegisterLog, assert_clean_wrk_run, describe, require_program, run_command

import h11sm

pytestmark = pytest.mark.interop

SOCKET_TIMEOUT = 10.0

#: The module of each server that drives h11 for HTTP/1.1.
PROTOCOL_MODULES = {"uvicorn": "uvicorn.protocols.http.h11_impl", "hypercorn": "hypercorn.protocol.h11"}


def curl(*args: str) -> tuple[bytes, str]:
    """Run curl (bounded time, no config file); (stdout, stderr)."""
    result = run_command([require_program("curl"), "--silent", "--show-error", "--max-time", "20", "-q", *args])
    assert result.returncode == 0, describe(result)
    return result.stdout, result.stderr.decode(errors="replace")


def split_response(raw: bytes) -> tuple[bytes, dict[bytes, bytes], bytes]:
    """(status line, headers with lowercased names, body) of one response."""
    head, _, body = raw.partition(b"\r\n\r\n")
    status, *lines = head.split(b"\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def read_until_close(sock: socket.socket) -> bytes:
    received = bytearray()
    while chunk := sock.recv(65536):
        received += chunk
    return bytes(received)


# -- which h11 is serving ---------------------------------------------------------------


def test_the_server_runs_on_the_chosen_engine(asgi_server: AsgiServer) -> None:
    out, _ = curl(f"{asgi_server.url}/engine")
    report = json.loads(out)
    assert report["h11"] == expected_engine()
    # What the server's protocol module and wsproto really hold, not only
    # what `import h11` would give now.
    assert report["embedded"][PROTOCOL_MODULES[asgi_server.name]] == expected_engine()
    assert report["embedded"]["wsproto.handshake"] == expected_engine()
    package = Path(h11sm.__file__).resolve().parent
    assert Path(report["h11_file"]).resolve().is_relative_to(package) == (ENGINE == "h11sm")


# -- curl -------------------------------------------------------------------------------


def test_keep_alive_serves_several_requests_on_one_connection(asgi_server: AsgiServer) -> None:
    urls = [f"{asgi_server.url}/hello", f"{asgi_server.url}/stream?n=3", f"{asgi_server.url}/echo"] * 2
    discard = [arg for url in urls for arg in ("--output", "/dev/null", url)]
    out, _ = curl("--write-out", r"%{http_code} %{num_connects} %{local_port}\n", *discard)
    lines = [line.split() for line in out.splitlines()]
    assert [(code, connects) for code, connects, _ in lines] == [(b"200", b"1")] + [(b"200", b"0")] * 5
    assert len({port for _, _, port in lines}) == 1


def test_post_with_a_body_is_echoed(asgi_server: AsgiServer, tmp_path: Path) -> None:
    upload = tmp_path / "upload.bin"
    upload.write_bytes(bytes(range(256)) * 400)
    out, _ = curl("--include", "--data-binary", f"@{upload}", f"{asgi_server.url}/echo")
    status, headers, body = split_response(out)
    assert status.startswith(b"HTTP/1.1 200")
    assert headers[b"x-request-framing"] == b"length"
    assert headers[b"content-length"] == b"102400"
    assert body == upload.read_bytes()


def test_chunked_request_body_is_echoed(asgi_server: AsgiServer, tmp_path: Path) -> None:
    upload = tmp_path / "upload.bin"
    upload.write_bytes(b"sent in chunks\n" * 5000)
    out, _ = curl(
        "--include", "-H", "Transfer-Encoding: chunked", "--data-binary", f"@{upload}", f"{asgi_server.url}/echo"
    )
    status, headers, body = split_response(out)
    assert status.startswith(b"HTTP/1.1 200")
    assert headers[b"x-request-framing"] == b"chunked"
    assert body == upload.read_bytes()


def test_chunked_response_arrives_whole(asgi_server: AsgiServer) -> None:
    out, _ = curl("--include", "--raw", f"{asgi_server.url}/stream?n=5&size=1000")
    status, headers, raw_body = split_response(out)
    assert status.startswith(b"HTTP/1.1 200")
    assert headers[b"transfer-encoding"] == b"chunked"
    assert b"content-length" not in headers
    # --raw keeps the chunk framing: five 1000-byte chunks and the last one.
    expected = b"".join(b"3e8\r\n%s\r\n" % stream_piece(index, 1000) for index in range(5)) + b"0\r\n\r\n"
    assert raw_body == expected


def test_expect_100_continue_upload(asgi_server: AsgiServer, tmp_path: Path) -> None:
    upload = tmp_path / "upload.txt"
    upload.write_bytes(b"sent only after 100 Continue\n" * 100)
    out, err = curl(
        "--verbose", "-H", "Expect: 100-continue", "--expect100-timeout", "15", "--data-binary", f"@{upload}",
        f"{asgi_server.url}/echo",
    )
    assert out == upload.read_bytes()
    assert "> Expect: 100-continue" in err
    # The server asked for the body when the app read it, well before
    # curl's 15 s timeout would have sent it anyway.
    assert re.search(r"^< HTTP/1\.1 100\b", err, re.MULTILINE), err


def test_head_gives_the_length_without_a_body(asgi_server: AsgiServer) -> None:
    out, _ = curl("--head", f"{asgi_server.url}/hello")
    status, headers, body = split_response(out)
    assert status.startswith(b"HTTP/1.1 200")
    assert headers[b"content-length"] == str(len(HELLO)).encode()
    assert body == b""


def test_http_1_0_client(asgi_server: AsgiServer) -> None:
    out, _ = curl("--http1.0", "--include", f"{asgi_server.url}/hello")
    status, headers, body = split_response(out)
    assert status.startswith(b"HTTP/1.1 200")
    assert headers[b"x-http-version"] == b"1.0"
    assert body == HELLO
    # A body of unknown length goes to an HTTP/1.0 client delimited by the
    # close, never chunked (RFC 9112 section 7.1: 1.0 knows no chunks).
    out, _ = curl("--http1.0", "--include", "--raw", f"{asgi_server.url}/stream?n=3&size=10")
    status, headers, body = split_response(out)
    assert b"transfer-encoding" not in headers
    assert headers[b"connection"].lower() == b"close"
    assert body == b"".join(stream_piece(index, 10) for index in range(3))


#: A request whose header names come in three cases.
MIXED_CASE_REQUEST = b"GET /headers HTTP/1.1\r\nHost: t\r\nX-Mixed-Case: 1\r\nconnection: close\r\n\r\n"


def test_header_names_reach_the_app_lowercased(asgi_server: AsgiServer) -> None:
    with asgi_server.connect(SOCKET_TIMEOUT) as sock:
        sock.sendall(MIXED_CASE_REQUEST)
        _, _, body = split_response(read_until_close(sock))
    assert json.loads(body) == ["host", "x-mixed-case", "connection"]


def test_hypercorn_can_pass_the_names_as_received(
    asgi_servers: AsgiServerPool, register_log: RegisterLog
) -> None:
    # hypercorn's h11_pass_raw_headers option reads them with
    # Headers.raw_items(), which gives each name in its received case.
    server = asgi_servers.get("hypercorn-raw")
    server.register(register_log)
    with server.connect(SOCKET_TIMEOUT) as sock:
        sock.sendall(MIXED_CASE_REQUEST)
        _, _, body = split_response(read_until_close(sock))
    assert json.loads(body) == ["Host", "X-Mixed-Case", "connection"]


# -- wrk ---------------------------------------------------------------------------------

WRK_SECONDS = 2


@pytest.mark.parametrize("path", ["/hello", "/stream?n=3"], ids=["content-length", "chunked"])
def test_wrk_load_without_errors(asgi_server: AsgiServer, path: str) -> None:
    wrk = require_program("wrk")
    result = run_command(
        [wrk, "--threads", "1", "--connections", "10", "--duration", f"{WRK_SECONDS}s", "--timeout", "5s",
         f"{asgi_server.url}{path}"],
        timeout=WRK_SECONDS + 30,
    )
    assert_clean_wrk_run(result, at_least=50 * WRK_SECONDS + 1)


# -- a plain socket ----------------------------------------------------------------------


def test_pipelined_requests_are_answered_in_order(asgi_server: AsgiServer) -> None:
    requests = (
        b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"
        b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nfirst"
        b"GET /missing HTTP/1.1\r\nHost: t\r\n\r\n"
        b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecond"
    )
    with asgi_server.connect(SOCKET_TIMEOUT) as sock:
        sock.sendall(requests)  # all at once, before reading anything
        raw = read_until_close(sock)
    answers = []
    while raw:
        status, headers, rest = split_response(raw)
        length = int(headers[b"content-length"])
        answers.append((status.split(b" ")[1], rest[:length]))
        raw = rest[length:]
    assert answers == [(b"200", HELLO), (b"200", b"first"), (b"404", b"not found\n"), (b"200", b"second")]


def test_garbage_gets_400(asgi_server: AsgiServer) -> None:
    with asgi_server.connect(SOCKET_TIMEOUT) as sock:
        sock.sendall(b"GET /hello HTTP/1.1\r\nHost: t\r\nBad Header : x\r\n\r\n")
        raw = read_until_close(sock)
    assert raw.startswith(b"HTTP/1.1 400 "), raw


#: The start of a TLS ClientHello (record type 0x16, version 3.1, then the
#: handshake), as a client that took the port for HTTPS sends it. It holds no
#: CR or LF byte, so nothing but its first byte can give it away.
CLIENT_HELLO = bytes.fromhex("16030100c4010000c00303") + bytes(range(0x40, 0x60)) + bytes.fromhex("000002130101 00")
assert b"\r" not in CLIENT_HELLO and b"\n" not in CLIENT_HELLO


def test_tls_client_hello_gets_400_within_a_second(asgi_server: AsgiServer) -> None:
    with asgi_server.connect(timeout=1.0) as sock:
        started = time.monotonic()
        sock.sendall(CLIENT_HELLO)
        try:
            raw = read_until_close(sock)
        except TimeoutError:
            raw = b"(nothing within a second)"
        elapsed = time.monotonic() - started
    assert raw.startswith(b"HTTP/1.1 400 "), raw
    assert elapsed < 1.0


def test_a_client_aborting_mid_body_does_not_hurt_the_server(asgi_server: AsgiServer) -> None:
    for abort in ("close", "reset"):
        with asgi_server.connect(SOCKET_TIMEOUT) as sock:
            sock.sendall(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n" + b"x" * 1000)
            if abort == "reset":  # SO_LINGER 0: the close sends a RST
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # The next connection is served as if nothing happened.
        with asgi_server.connect(SOCKET_TIMEOUT) as sock:
            sock.sendall(b"GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            status, _, body = split_response(read_until_close(sock))
        assert (status.split(b" ")[1], body) == (b"200", HELLO), abort
    assert "Traceback" not in asgi_server.log()


# -- WebSocket, through wsproto on both sides -----------------------------------------------


def test_websocket_echo_through_wsproto(asgi_server: AsgiServer, tmp_path: Path, register_log: RegisterLog) -> None:
    # The client is wsproto in a child process on the same engine: its
    # opening handshake is made with h11 too, the server's with the server's.
    report = run_client_script("ws_client.py", [str(asgi_server.port)], tmp_path, register_log)
    assert report["h11"] == report["wsproto_h11"] == expected_engine()
    assert report["echoed"] == [True, True, True, True]
    assert report["close_code"] == 1000
