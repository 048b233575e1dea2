"""docs/examples/server.py, spoken to by Python's http.client."""

from __future__ import annotations

import http.client
from pathlib import Path

import pytest
from peers import ExampleProcess

pytestmark = pytest.mark.interop

TIMEOUT = 15.0


def test_requests_reuse_one_connection(example_server: ExampleProcess, docroot: Path) -> None:
    client = http.client.HTTPConnection("127.0.0.1", example_server.port, timeout=TIMEOUT)
    try:
        client.request("GET", "/hello.txt")
        first = client.getresponse()
        assert (first.status, first.reason, first.read()) == (200, "OK", b"hello, interop\n")
        sock = client.sock

        client.request("GET", "/big.bin")
        big = client.getresponse()
        assert big.getheader("Content-Length") == str(1024 * 1024)
        assert big.read() == (docroot / "big.bin").read_bytes()

        client.request("HEAD", "/big.bin")
        head = client.getresponse()
        assert head.getheader("Content-Length") == str(1024 * 1024)
        assert head.read() == b""

        client.request("GET", "/stream?lines=2")
        stream = client.getresponse()
        assert stream.getheader("Transfer-Encoding") == "chunked"
        assert stream.read() == b"line 1\nline 2\n"
        assert client.sock is sock  # never reconnected
    finally:
        client.close()
    assert "[conn 2]" not in example_server.log()


def test_uploads_with_length_and_chunked(example_server: ExampleProcess) -> None:
    client = http.client.HTTPConnection("127.0.0.1", example_server.port, timeout=TIMEOUT)
    try:
        client.request("PUT", "/echo", body=b"with a length", headers={"Content-Type": "text/x-test"})
        echoed = client.getresponse()
        assert echoed.getheader("Content-Type") == "text/x-test"
        assert echoed.getheader("Content-Length") == "13"
        assert echoed.read() == b"with a length"

        pieces = [b"sent ", b"in ", b"chunks"]
        client.request("POST", "/echo", body=iter(pieces), encode_chunked=True)
        chunked = client.getresponse()
        assert chunked.getheader("Transfer-Encoding") == "chunked"
        assert chunked.read() == b"sent in chunks"

        client.request("GET", "/echo")
        refused = client.getresponse()
        assert (refused.status, refused.getheader("Allow"), refused.read()) == (405, "POST, PUT", b"use POST or PUT\n")
    finally:
        client.close()
    assert example_server.log().count("[conn 1] ") == 3
