"""What a type checker and a packager see: send() overloads, the public
names the API page mentions, Connection's repr, the license and metadata."""

from __future__ import annotations

import textwrap
import tomllib
from pathlib import Path

import pytest

import h11sm

ROOT = Path(__file__).resolve().parent.parent


def test_send_overloads_satisfy_mypy_strict(tmp_path: Path) -> None:
    mypy_api = pytest.importorskip("mypy.api")
    program = tmp_path / "client.py"
    program.write_text(
        textwrap.dedent(
            """\
            import socket

            import h11sm


            def get(sock: socket.socket, conn: h11sm.Connection) -> None:
                request = h11sm.Request(method="GET", target="/", headers=[("Host", "a")])
                sock.sendall(conn.send(request))
                sock.sendall(conn.send(h11sm.Data(data=b"")))
                sock.sendall(conn.send(h11sm.EndOfMessage()))
                nothing: None = conn.send(h11sm.ConnectionClosed())
                any_event: h11sm.Event = h11sm.EndOfMessage()
                maybe: bytes | None = conn.send(any_event)
                headers: h11sm.Headers = request.headers
                state: h11sm.Sentinel = conn.our_state
                value: h11sm.BytesLike = "text"
                print(nothing, maybe, headers, state, value)
            """
        ),
        encoding="utf-8",
    )
    out, err, status = mypy_api.run(
        ["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(program)]
    )
    assert status == 0, out + err


def test_the_names_the_api_page_mentions_are_public() -> None:
    assert h11sm.Headers is h11sm._headers.Headers
    assert h11sm.Sentinel is h11sm._sentinels.Sentinel
    assert h11sm.BytesLike == bytes | bytearray | memoryview | str
    assert {"Headers", "Sentinel", "BytesLike"} <= set(h11sm.__all__)
    assert isinstance(h11sm.Request(method="GET", target="/", headers=[("Host", "a")]).headers, h11sm.Headers)
    assert isinstance(h11sm.DONE, h11sm.Sentinel)
    # The event docstrings point at public names only.
    assert "normalize_and_validate" not in (h11sm.Request.__doc__ or "")


def test_connection_repr() -> None:
    conn = h11sm.Connection(h11sm.CLIENT)
    assert repr(conn) == "<h11sm.Connection our_role=CLIENT states={CLIENT: IDLE, SERVER: IDLE}>"
    conn.send(h11sm.Request(method="GET", target="/", headers=[("Host", "a")]))
    assert repr(conn) == "<h11sm.Connection our_role=CLIENT states={CLIENT: SEND_BODY, SERVER: SEND_RESPONSE}>"


def test_the_license_and_the_metadata() -> None:
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License\n\nCopyright (c) 2026 the h11sm developers\n")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert set(project["urls"]) >= {"Homepage", "Source", "Issues"}
    assert project["scripts"] == {"h11sm": "h11sm._cli:main"}
    assert project["optional-dependencies"]["diagrams"] == ["graphviz>=0.20"]
    assert project["dependencies"] == []
    assert "HTTP/1.1" in project["description"] and "h11sm" not in project["description"]
