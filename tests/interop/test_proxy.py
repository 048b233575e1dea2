"""curl through docs/examples/proxy.py to nginx: forwarding in both roles at
once, re-framing between the hops, and CONNECT tunnels (plain and TLS)."""

from __future__ import annotations

import gzip
import socket
from pathlib import Path

import pytest
from client import HttpClient
from peers import CERT_FILE, ExampleProcess, Nginx, describe, free_port, require_program, run_command

pytestmark = pytest.mark.interop


def curl_via(proxy: ExampleProcess, *args: str) -> tuple[bytes, str]:
    """curl through the proxy; (stdout, stderr), failing the test if curl fails."""
    command = [require_program("curl"), "-q", "--silent", "--show-error", "--max-time", "20", "--proxy", proxy.url]
    result = run_command([*command, *args])
    assert result.returncode == 0, describe(result)
    return result.stdout, result.stderr.decode(errors="replace")


def split_response(raw: bytes) -> tuple[list[bytes], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return head.lower().split(b"\r\n"), body


def test_forwards_several_requests_on_one_connection(example_proxy: ExampleProcess, nginx: Nginx) -> None:
    urls = [f"{nginx.url}/hello.txt", f"{nginx.url}/big.bin", f"{nginx.url}/hello.txt"]
    discard_bodies = [arg for url in urls for arg in ("--output", "/dev/null", url)]
    out, _ = curl_via(example_proxy, "--write-out", r"%{http_code} %{num_connects} %{size_download}\n", *discard_bodies)
    assert out.splitlines() == [b"200 1 15", b"200 0 1048576", b"200 0 15"]
    # One upstream connection too: the proxy kept it alive for the same origin.
    log = [line.split() for line in nginx.access_log()]
    assert len({fields[1] for fields in log}) == 1, log  # the same conn=N
    assert [fields[2] for fields in log] == ["req=1", "req=2", "req=3"], log
    assert example_proxy.log().count("[proxy conn 1] GET http://") == 3


def test_body_bytes_and_headers(example_proxy: ExampleProcess, nginx: Nginx, docroot: Path) -> None:
    out, _ = curl_via(example_proxy, "--include", f"{nginx.url}/big.bin")
    headers, body = split_response(out)
    assert headers[0] == b"http/1.1 200 ok"
    assert b"via: 1.1 h11sm-proxy" in headers
    assert b"content-length: 1048576" in headers
    assert body == (docroot / "big.bin").read_bytes()


def test_chunked_response_is_rechunked(example_proxy: ExampleProcess, nginx: Nginx, docroot: Path) -> None:
    out, _ = curl_via(example_proxy, "--include", "--compressed", f"{nginx.url}/gzip/lines.txt")
    headers, body = split_response(out)
    assert b"transfer-encoding: chunked" in headers
    assert b"content-encoding: gzip" in headers
    assert body == (docroot / "lines.txt").read_bytes()  # curl decoded the gzip


def test_http_1_0_client_gets_a_close_delimited_body(
    example_proxy: ExampleProcess, nginx: Nginx, docroot: Path
) -> None:
    out, err = curl_via(example_proxy, "--http1.0", "--verbose", "--include", "-H", "Accept-Encoding: gzip",
                        f"{nginx.url}/gzip/lines.txt")
    headers, body = split_response(out)
    assert b"connection: close" in headers
    assert not any(h.startswith((b"transfer-encoding", b"content-length")) for h in headers)
    assert gzip.decompress(body) == (docroot / "lines.txt").read_bytes()
    assert f"> GET {nginx.url}/gzip/lines.txt HTTP/1.0" in err


def test_upload_with_expect_100_continue(
    example_proxy: ExampleProcess, nginx: Nginx, docroot: Path, tmp_path: Path
) -> None:
    upload = tmp_path / "upload.bin"
    upload.write_bytes(bytes(range(256)) * 8192)  # 2 MiB
    out, err = curl_via(
        example_proxy, "--verbose", "--write-out", "%{http_code}", "--output", "/dev/null",
        "-H", "Expect: 100-continue", "--expect100-timeout", "15", "--upload-file", str(upload),
        f"{nginx.url}/upload/through-proxy.bin",
    )
    assert out == b"201"
    # nginx's 100 Continue came back through the proxy before the body left.
    assert "< HTTP/1.1 100 Continue" in err
    assert (docroot / "upload" / "through-proxy.bin").read_bytes() == upload.read_bytes()


def test_chunked_upload(example_proxy: ExampleProcess, nginx: Nginx, docroot: Path, tmp_path: Path) -> None:
    upload = tmp_path / "upload.txt"
    upload.write_bytes(b"a chunked request body, forwarded chunked\n" * 2000)
    out, _ = curl_via(
        example_proxy, "--write-out", "%{http_code}", "--output", "/dev/null",
        "-H", "Transfer-Encoding: chunked", "--upload-file", str(upload), f"{nginx.url}/upload/chunked.txt",
    )
    assert out == b"201"
    assert (docroot / "upload" / "chunked.txt").read_bytes() == upload.read_bytes()


def test_connect_tunnel_for_plain_http(example_proxy: ExampleProcess, nginx: Nginx) -> None:
    out, err = curl_via(example_proxy, "--proxytunnel", "--verbose", f"{nginx.url}/hello.txt", f"{nginx.url}/hello.txt")
    assert out == b"hello, interop\n" * 2
    assert f"> CONNECT 127.0.0.1:{nginx.port} HTTP/1.1" in err
    assert "< HTTP/1.1 200 OK" in err
    assert example_proxy.log().count(f"CONNECT 127.0.0.1:{nginx.port}") == 1  # one tunnel, reused


def test_connect_tunnel_for_tls(example_proxy: ExampleProcess, nginx: Nginx, docroot: Path) -> None:
    out, _ = curl_via(example_proxy, "--cacert", str(CERT_FILE), f"{nginx.tls_url}/big.bin")
    assert out == (docroot / "big.bin").read_bytes()
    assert f"tunnel to 127.0.0.1:{nginx.tls_port} open" in example_proxy.log()


def test_unreachable_origin_gets_502(example_proxy: ExampleProcess) -> None:
    nobody = free_port()  # nothing listens there
    out, _ = curl_via(example_proxy, "--include", f"http://127.0.0.1:{nobody}/")
    headers, body = split_response(out)
    assert headers[0] == b"http/1.1 502 bad gateway"
    assert f"can't connect to 127.0.0.1:{nobody}".encode() in body


def test_bytes_sent_right_after_connect_reach_the_origin(example_proxy: ExampleProcess, nginx: Nginx) -> None:
    # A client may start talking through the tunnel before the proxy said
    # 200: those bytes sit in h11sm's buffer (Connection.trailing_data) and
    # must be the first the origin gets.
    origin = f"127.0.0.1:{nginx.port}"
    connect = f"CONNECT {origin} HTTP/1.1\r\nHost: {origin}\r\n\r\n".encode()
    inner = b"GET /hello.txt HTTP/1.1\r\nHost: tunnelled\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", example_proxy.port), timeout=15) as sock:
        sock.sendall(connect + inner)  # one write
        received = bytearray()
        while chunk := sock.recv(65536):
            received += chunk
    proxy_answer, _, origin_answer = bytes(received).partition(b"\r\n\r\n")
    assert proxy_answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert origin_answer.startswith(b"HTTP/1.1 200 OK\r\nServer: nginx")
    assert origin_answer.endswith(b"\r\n\r\nhello, interop\n")
    assert f"open ({len(inner)} early bytes)" in example_proxy.log()


def test_example_client_through_the_proxy(example_proxy: ExampleProcess, nginx: Nginx, docroot: Path) -> None:
    # h11sm at all three places it can be: client, proxy (both roles), and
    # nginx at the end. A proxy takes absolute-form targets.
    with HttpClient(example_proxy.url, timeout=15, continue_timeout=10) as client:
        big = bytearray()
        fetched = client.request("GET", f"{nginx.url}/big.bin", sink=big.extend)
        refused = client.request("PUT", f"{nginx.url}/tiny/x", body=b"x" * 100_000, expect_continue=True)
        stored = client.request("PUT", f"{nginx.url}/upload/y", body=b"y" * 100_000, expect_continue=True)
    assert (fetched.status_code, bytes(big)) == (200, (docroot / "big.bin").read_bytes())
    assert fetched.header(b"via") == b"1.1 h11sm-proxy"
    # nginx refused the body before it was sent; the refusal came back at once
    # and the body never left the client, so its connection was not reused.
    assert (refused.status_code, refused.informational, refused.connection_number) == (413, [], 1)
    assert (stored.status_code, stored.informational, stored.connection_number) == (201, [100], 2)
    assert (docroot / "upload" / "y").read_bytes() == b"y" * 100_000
