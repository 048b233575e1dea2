"""docs/examples/client.py against nginx: static files with Content-Length,
chunked and close-delimited bodies, keep-alive, TLS and a 100-continue upload."""

from __future__ import annotations

import gzip
import ssl
import sys
from pathlib import Path

import pytest
from client import HttpClient, ResponseInfo
from peers import CERT_FILE, EXAMPLES, Nginx, describe, run_command

pytestmark = pytest.mark.interop

TIMEOUT = 15.0
GZIP = [("Accept-Encoding", "gzip")]


def fetch(client: HttpClient, target: str, **kwargs: object) -> tuple[ResponseInfo, bytes]:
    body = bytearray()
    info = client.request(kwargs.pop("method", "GET"), target, sink=body.extend, **kwargs)  # type: ignore[arg-type]
    return info, bytes(body)


def test_keep_alive_across_several_paths(nginx: Nginx, docroot: Path) -> None:
    with HttpClient(nginx.url, timeout=TIMEOUT) as client:
        results = [fetch(client, path) for path in ("/hello.txt", "/big.bin", "/", "/hello.txt")]
    assert [info.status_code for info, _ in results] == [200, 200, 200, 200]
    assert [body for _, body in results] == [
        b"hello, interop\n",
        (docroot / "big.bin").read_bytes(),
        (docroot / "index.html").read_bytes(),
        b"hello, interop\n",
    ]
    assert {info.framing for info, _ in results} == {"content-length"}
    # nginx numbers its connections and the requests on each.
    assert len({info.header(b"x-connection") for info, _ in results}) == 1
    assert [info.header(b"x-connection-requests") for info, _ in results] == [b"1", b"2", b"3", b"4"]
    assert client.connections_opened == 1


def test_chunked_response(nginx: Nginx, docroot: Path) -> None:
    with HttpClient(nginx.url, timeout=TIMEOUT) as client:
        info, body = fetch(client, "/gzip/lines.txt", headers=GZIP)
        again, _ = fetch(client, "/gzip/hello.txt", headers=GZIP)
    assert (info.status_code, info.framing, info.header(b"content-encoding")) == (200, "chunked", b"gzip")
    assert info.header(b"transfer-encoding") == b"chunked"
    assert gzip.decompress(body) == (docroot / "lines.txt").read_bytes()
    assert info.trailers == [(b"x-trailer-test", b"sent after the body")]  # in the EndOfMessage
    assert again.connection_number == 1  # a chunked body ends cleanly: the connection lives on


def test_close_delimited_response_then_reconnect(nginx: Nginx, docroot: Path) -> None:
    with HttpClient(nginx.url, timeout=TIMEOUT) as client:
        info, body = fetch(client, "/close/lines.txt", headers=GZIP)
        after, after_body = fetch(client, "/hello.txt")
    assert (info.status_code, info.framing) == (200, "until-close")
    assert info.header(b"content-length") is None and info.header(b"transfer-encoding") is None
    assert gzip.decompress(body) == (docroot / "lines.txt").read_bytes()
    # The body ended with the connection, so the next request needed another.
    assert (after.connection_number, after_body) == (2, b"hello, interop\n")


def test_bodiless_answers_and_errors(nginx: Nginx) -> None:
    with HttpClient(nginx.url, timeout=TIMEOUT) as client:
        head, head_body = fetch(client, "/big.bin", method="HEAD")
        first, _ = fetch(client, "/hello.txt")
        etag = first.header(b"etag")
        assert etag is not None
        unchanged, unchanged_body = fetch(client, "/hello.txt", headers=[("If-None-Match", etag.decode())])
        missing, _ = fetch(client, "/no-such-file")
        last, _ = fetch(client, "/hello.txt")
    # HEAD and 304 answers describe a body they do not carry (RFC 9112 §6.3).
    assert (head.status_code, head.framing, head_body) == (200, "none", b"")
    assert head.header(b"content-length") == str(1024 * 1024).encode()
    assert (unchanged.status_code, unchanged.framing, unchanged_body) == (304, "none", b"")
    assert missing.status_code == 404
    assert last.connection_number == 1
    assert last.header(b"x-connection-requests") == b"5"


def test_tls(nginx: Nginx, docroot: Path) -> None:
    context = ssl.create_default_context(cafile=str(CERT_FILE))
    with HttpClient(nginx.tls_url, timeout=TIMEOUT, tls_context=context) as client:
        first, body = fetch(client, "/big.bin")
        second, chunked = fetch(client, "/gzip/lines.txt", headers=GZIP)
    assert (first.status_code, first.framing, body) == (200, "content-length", (docroot / "big.bin").read_bytes())
    assert gzip.decompress(chunked) == (docroot / "lines.txt").read_bytes()
    assert second.connection_number == 1


def test_expect_100_continue_upload(nginx: Nginx, docroot: Path) -> None:
    payload = bytes(range(256)) * 4096  # 1 MiB
    with HttpClient(nginx.url, timeout=TIMEOUT, continue_timeout=10) as client:
        stored, _ = fetch(client, "/upload/sent.bin", method="PUT", body=payload, expect_continue=True)
        fetched, body = fetch(client, "/upload/sent.bin")
    # nginx answers "Expect: 100-continue" with 100 before reading the body.
    assert stored.informational == [100]
    assert stored.status_code == 201
    assert (docroot / "upload" / "sent.bin").read_bytes() == payload
    assert (fetched.status_code, body, fetched.connection_number) == (200, payload, 1)


def test_refused_expectation_keeps_the_body_back(nginx: Nginx, docroot: Path) -> None:
    with HttpClient(nginx.url, timeout=TIMEOUT, continue_timeout=10) as client:
        refused, _ = fetch(client, "/tiny/big.bin", method="PUT", body=b"x" * 100_000, expect_continue=True)
        after, body = fetch(client, "/hello.txt")
    assert (refused.status_code, refused.informational) == (413, [])
    assert not (docroot / "tiny").exists()
    # The announced body was never sent, so that connection could not be
    # reused: the next request went on a new one.
    assert (after.status_code, body, after.connection_number) == (200, b"hello, interop\n", 2)


def test_command_line_client(nginx: Nginx, docroot: Path) -> None:
    result = run_command(
        [sys.executable, str(EXAMPLES / "client.py"), f"{nginx.tls_url}/hello.txt", "/gzip/hello.txt", "/index.html",
         "--cafile", str(CERT_FILE), "-H", "Accept-Encoding: identity"]
    )
    assert result.returncode == 0, describe(result)
    assert result.stdout == b"hello, interop\n" * 2 + (docroot / "index.html").read_bytes()
    assert result.stderr.decode().splitlines() == [
        "GET /hello.txt: 200 OK, 15 bytes (content-length), connection #1",
        "GET /gzip/hello.txt: 200 OK, 15 bytes (chunked), connection #1",  # chunked: nginx adds a trailer
        f"GET /index.html: 200 OK, {(docroot / 'index.html').stat().st_size} bytes (content-length), connection #1",
    ]
