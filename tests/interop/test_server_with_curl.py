"""docs/examples/server.py, spoken to by curl."""

from __future__ import annotations

from pathlib import Path

import pytest
from peers import ExampleProcess, describe, require_program, run_command

pytestmark = pytest.mark.interop


def curl(*args: str) -> tuple[bytes, str]:
    """Run curl (bounded time, no config file) and return (stdout, stderr);
    fails the test with curl's output if curl fails."""
    result = run_command([require_program("curl"), "--silent", "--show-error", "--max-time", "20", "-q", *args])
    assert result.returncode == 0, describe(result)
    return result.stdout, result.stderr.decode(errors="replace")


def test_keep_alive_serves_several_urls_on_one_connection(example_server: ExampleProcess, docroot: Path) -> None:
    base = example_server.url.rstrip("/")
    urls = [f"{base}/hello.txt", f"{base}/stream?lines=3", f"{base}/big.bin", f"{base}/hello.txt"]
    # One line per transfer: how many new connections curl opened for it.
    discard_bodies = [arg for url in urls for arg in ("--output", "/dev/null", url)]
    out, _ = curl("--write-out", r"%{http_code} %{num_connects}\n", *discard_bodies)
    assert out.splitlines() == [b"200 1", b"200 0", b"200 0", b"200 0"]
    log = example_server.log()
    assert log.count("[conn 1] GET") == 4
    assert "[conn 2]" not in log


def test_bodies_arrive_intact_whatever_the_framing(example_server: ExampleProcess, docroot: Path) -> None:
    base = example_server.url.rstrip("/")
    out, _ = curl(f"{base}/big.bin")
    assert out == (docroot / "big.bin").read_bytes()
    out, _ = curl("--dump-header", "-", f"{base}/stream?lines=3")
    head, _, body = out.partition(b"\r\n\r\n")
    assert b"transfer-encoding: chunked" in head.lower()
    assert body == b"line 1\nline 2\nline 3\n"


def test_chunked_upload_is_echoed(example_server: ExampleProcess, tmp_path: Path) -> None:
    upload = tmp_path / "upload.bin"
    upload.write_bytes(bytes(range(256)) * 1000)
    out, _ = curl(
        "--dump-header", "-", "-H", "Transfer-Encoding: chunked", "--data-binary", f"@{upload}",
        f"{example_server.url}echo",
    )
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"transfer-encoding: chunked" in head.lower()  # echoed the way it came
    assert body == upload.read_bytes()


def test_expect_100_continue_upload(example_server: ExampleProcess, tmp_path: Path) -> None:
    upload = tmp_path / "upload.txt"
    upload.write_bytes(b"sent only after the server said 100 Continue\n" * 100)
    out, err = curl(
        "--verbose", "-H", "Expect: 100-continue", "--expect100-timeout", "15", "--data-binary", f"@{upload}",
        f"{example_server.url}echo",
    )
    assert out == upload.read_bytes()
    # curl waits up to 15 s for the interim response; it came, in order.
    assert err.index("< HTTP/1.1 100 Continue") < err.index("< HTTP/1.1 200 OK")


def test_http_1_0_client_gets_a_close_delimited_body(example_server: ExampleProcess) -> None:
    out, err = curl("--http1.0", "--verbose", "--dump-header", "-", f"{example_server.url}stream?lines=2")
    head, _, body = out.partition(b"\r\n\r\n")
    headers = head.lower().split(b"\r\n")
    assert headers[0] == b"http/1.1 200 ok"
    assert b"connection: close" in headers
    assert not any(h.startswith((b"transfer-encoding", b"content-length")) for h in headers)
    assert body == b"line 1\nline 2\n"
    assert "> GET /stream?lines=2 HTTP/1.0" in err


def test_oversized_head_gets_431(example_server: ExampleProcess) -> None:
    out, _ = curl("--dump-header", "-", "-H", "X-Padding: " + "x" * 20_000, f"{example_server.url}hello.txt")
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
    assert b"connection: close" in head.lower()
    assert b"too large" in body  # the ProtocolError's message


def test_unknown_method_and_missing_file(example_server: ExampleProcess) -> None:
    out, _ = curl("--write-out", "%{http_code}", "--output", "/dev/null", "-X", "DELETE", f"{example_server.url}x")
    assert out == b"405"
    out, _ = curl("--write-out", "%{http_code}", "--output", "/dev/null", f"{example_server.url}no/such/file")
    assert out == b"404"
    out, _ = curl("--write-out", "%{http_code}", "--output", "/dev/null", "--path-as-is", f"{example_server.url}../x")
    assert out == b"404"
    out, _ = curl("--write-out", "%{http_code}", "--output", "/dev/null", f"{example_server.url}hello.txt%00.png")
    assert out == b"404"
