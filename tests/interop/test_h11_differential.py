"""h11sm.h11 against the real h11 0.16, byte for byte.

The same bytes are fed to both, and the same events sent through both; the
results must be identical, except in the cases listed with the h11sm result
they must have, each of which is a difference documented on the page
"Coming from h11 0.16" (docs/coming_from_h11.rst). A difference nobody chose
fails here first.

The real h11 comes with the interop extra (uvicorn and httpx depend on it).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import h11sm.h11 as face

DOCS_PAGE = Path(__file__).resolve().parents[2] / "docs" / "coming_from_h11.rst"


def _real_h11() -> ModuleType:
    """The installed h11 package, never the face (whatever install() did)."""
    face.uninstall()
    try:
        real = importlib.import_module("h11")
    except ImportError:  # pragma: no cover - the interop extra brings it
        pytest.fail("h11 is not installed: pip install -e '.[interop]'")
    assert not real.__name__.startswith("h11sm") and real.__version__.startswith("0.16")
    # Kept here only: later imports of h11 (and install()) must not find it.
    for name in [name for name in sys.modules if name == "h11" or name.startswith("h11.")]:
        del sys.modules[name]
    return real


real = _real_h11()

Send = Callable[[Any], Any]


def _request(*headers: tuple[str, str], method: str = "GET", target: str = "/") -> Send:
    return lambda h11: h11.Request(method=method, target=target, headers=[("Host", "a"), *headers])


def _end(h11: Any) -> Any:
    return h11.EndOfMessage()


def _event(event: Any) -> tuple[Any, ...]:
    kind = type(event).__name__
    if kind == "Request":
        return (kind, event.method, event.target, event.headers.raw_items(), event.http_version)
    if kind in ("Response", "InformationalResponse"):
        return (kind, event.status_code, event.headers.raw_items(), event.http_version, event.reason)
    if kind == "Data":
        return (kind, bytes(event.data), event.chunk_start, event.chunk_end)
    if kind == "EndOfMessage":
        return (kind, event.headers.raw_items())
    return (kind,)


def receive(h11: Any, role: str, chunks: list[bytes], sends: tuple[Send, ...] = ()) -> list[Any]:
    """What *h11* (the real one or the face) makes of *chunks*: the events
    and sentinels next_event() returns, the error that ends them, the states."""
    conn = h11.Connection(getattr(h11, role))
    for make in sends:
        conn.send(make(h11))
    seen: list[Any] = []
    try:
        for chunk in chunks:
            conn.receive_data(chunk)
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA or event is h11.PAUSED:
                    seen.append(repr(event))
                    break
                seen.append(_event(event))
                if type(event) is h11.ConnectionClosed:
                    break
    except h11.RemoteProtocolError as error:
        seen.append(("RemoteProtocolError", error.error_status_hint))
    seen.append(repr(conn.states))
    return seen


GET_ = (_request(), _end)
UPGRADE = (_request(("Upgrade", "websocket"), ("Connection", "upgrade")), _end)
CONNECT = (_request(method="CONNECT", target="a:443"), _end)
HEAD = (_request(method="HEAD"), _end)

# (id, role, chunks, what we send first) -> identical results.
SAME = [
    ("get", "SERVER", [b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"], ()),
    ("http-1.0", "SERVER", [b"GET / HTTP/1.0\r\n\r\n"], ()),
    ("raw-case", "SERVER", [b"GET / HTTP/1.1\r\nHOST: a\r\nX-Thing: 1\r\n\r\n"], ()),
    ("chunk-extension", "SERVER",
     [b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\n\r\n"], ()),
    ("chunk-split-trailer", "SERVER",
     [b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", b"lo\r\n0\r\nX: y\r\n\r\n"], ()),
    ("content-length-split", "SERVER", [b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhel", b"lo"], ()),
    ("content-length-twice", "SERVER",
     [b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"], ()),
    ("no-host", "SERVER", [b"GET / HTTP/1.1\r\n\r\n"], ()),
    ("two-hosts", "SERVER", [b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"], ()),
    ("lowercase-method", "SERVER", [b"get / HTTP/1.1\r\nHost: a\r\n\r\n"], ()),
    ("double-space", "SERVER", [b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n"], ()),
    ("close-after-request", "SERVER", [b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", b""], ()),
    ("pipelined", "SERVER", [b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n"], ()),
    ("expect-100", "SERVER", [b"POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"], ()),
    ("tls-hello", "SERVER", [b"\x16\x03\x01"], ()),
    ("nul", "SERVER", [b"\x00"], ()),
    ("eof-at-once", "SERVER", [b""], ()),
    ("upgrade-proposal", "SERVER",
     [b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: ws\r\nConnection: upgrade\r\n\r\nxyz"], ()),
    ("connect-proposal", "SERVER", [b"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\nxyz"], ()),
    ("space-before-colon", "SERVER", [b"GET / HTTP/1.1\r\nHost: a\r\nX : y\r\n\r\n"], ()),
    ("absolute-form", "SERVER", [b"GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n"], ()),
    ("asterisk-form", "SERVER", [b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"], ()),
    ("gzip-coding", "SERVER", [b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"], ()),
    ("response", "CLIENT", [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"], GET_),
    ("until-close", "CLIENT", [b"HTTP/1.1 200 OK\r\n\r\nhi", b""], GET_),
    ("http-1.0-server", "CLIENT", [b"HTTP/1.0 200 OK\r\n\r\nhi", b""], GET_),
    ("no-reason", "CLIENT", [b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n"], GET_),
    ("204", "CLIENT", [b"HTTP/1.1 204 No Content\r\n\r\n"], GET_),
    ("304-with-length", "CLIENT", [b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n"], GET_),
    ("head-with-length", "CLIENT", [b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"], HEAD),
    ("100-then-200", "CLIENT", [b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"], GET_),
    ("accepted-upgrade", "CLIENT", [b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: ws\r\n\r\nabc"], UPGRADE),
    ("accepted-connect", "CLIENT", [b"HTTP/1.1 200 OK\r\n\r\nabc"], CONNECT),
    ("refused-connect", "CLIENT", [b"HTTP/1.1 407 No\r\nContent-Length: 0\r\n\r\n"], CONNECT),
    ("bare-lf-response", "CLIENT", [b"HTTP/1.1 200 OK\nContent-Length: 0\n\n"], GET_),
    ("folded-response", "CLIENT", [b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n"], GET_),
    ("status-600", "CLIENT", [b"HTTP/1.1 600 Weird\r\nContent-Length: 0\r\n\r\n"], GET_),
    ("garbage-response", "CLIENT", [b"garbage\r\n\r\n"], GET_),
    ("close-response", "CLIENT", [b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx"], GET_),
    ("chunked-response", "CLIENT",
     [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n", b""], GET_),
]  # fmt: skip

# (id, role, chunks, sends, h11sm's result, the words of the docs row that explains it)
DIFFERENT = [
    ("http-1.0-keep-alive", "SERVER", [b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"], (),
     [("Request", b"GET", b"/", [(b"Connection", b"keep-alive")], b"1.0"), ("EndOfMessage", []), "NEED_DATA",
      "{CLIENT: DONE, SERVER: SEND_RESPONSE}"],
     "An HTTP/1.0 peer that sends ``Connection: keep-alive``"),
    ("empty-line-first", "SERVER", [b"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"], (),
     [("Request", b"GET", b"/", [(b"Host", b"a")], b"1.1"), ("EndOfMessage", []), "NEED_DATA",
      "{CLIENT: DONE, SERVER: SEND_RESPONSE}"],
     "At least one empty line before a request line is skipped."),
    ("empty-line-alone", "SERVER", [b"\r\n"], (), ["NEED_DATA", "{CLIENT: IDLE, SERVER: IDLE}"],
     "At least one empty line before a request line is skipped."),
    ("bare-lf-request", "SERVER", [b"GET / HTTP/1.1\nHost: a\n\n"], (),
     [("RemoteProtocolError", 400), "{CLIENT: ERROR, SERVER: IDLE}"],
     "A server refuses both with 400"),
    ("folded-request", "SERVER", [b"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n"], (),
     [("RemoteProtocolError", 400), "{CLIENT: ERROR, SERVER: IDLE}"],
     "A server refuses both with 400"),
    ("control-in-value", "SERVER", [b"GET / HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n"], (),
     [("RemoteProtocolError", 400), "{CLIENT: ERROR, SERVER: IDLE}"],
     "Control characters in a field value"),
    ("length-and-chunked", "SERVER",
     [b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"], (),
     [("RemoteProtocolError", 400), "{CLIENT: ERROR, SERVER: IDLE}"],
     "both ``Transfer-Encoding`` and ``Content-Length``"),
    ("http-1.0-chunked", "SERVER", [b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"], (),
     [("RemoteProtocolError", 400), "{CLIENT: ERROR, SERVER: IDLE}"],
     "``Transfer-Encoding`` in an HTTP/1.0 request"),
    ("http-2.0", "SERVER", [b"GET / HTTP/2.0\r\nHost: a\r\n\r\n"], (),
     [("RemoteProtocolError", 505), "{CLIENT: ERROR, SERVER: IDLE}"],
     "A request line that names HTTP/2.0"),
    ("identity-coding", "SERVER", [b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n"], (),
     [("RemoteProtocolError", 400), "{CLIENT: ERROR, SERVER: IDLE}"],
     "``Transfer-Encoding: identity``"),
    ("coding-case", "SERVER", [b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n"], (),
     [("Request", b"POST", b"/", [(b"Host", b"a"), (b"Transfer-Encoding", b"Chunked")], b"1.1"),
      ("EndOfMessage", []), "NEED_DATA", "{CLIENT: DONE, SERVER: SEND_RESPONSE}"],
     "field values are kept as received"),
    ("response-before-request", "CLIENT", [b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"], (),
     [("Response", 200, [(b"Content-Length", b"0")], b"1.1", b"OK"), ("EndOfMessage", []), "NEED_DATA",
      "{CLIENT: MUST_CLOSE, SERVER: MUST_CLOSE}"],
     "A response that answers no request"),
]  # fmt: skip


@pytest.mark.parametrize(("role", "chunks", "sends"), [case[1:] for case in SAME], ids=[case[0] for case in SAME])
def test_the_same_bytes_give_the_same_events(role: str, chunks: list[bytes], sends: tuple[Send, ...]) -> None:
    assert receive(face, role, chunks, sends) == receive(real, role, chunks, sends)


@pytest.mark.parametrize(
    ("role", "chunks", "sends", "ours", "documented"),
    [case[1:] for case in DIFFERENT],
    ids=[case[0] for case in DIFFERENT],
)
def test_each_difference_is_chosen_and_documented(
    role: str, chunks: list[bytes], sends: tuple[Send, ...], ours: list[Any], documented: str
) -> None:
    assert receive(face, role, chunks, sends) == ours
    assert receive(real, role, chunks, sends) != ours
    assert documented in " ".join(DOCS_PAGE.read_text(encoding="utf-8").split())


SENT = [
    ("request", lambda h11: [h11.Request(method="GET", target="/", headers=[("Host", "a"), ("X-Thing", "1")])]),
    ("post-chunked", lambda h11: [
        h11.Request(method="POST", target="/", headers=[("Host", "a"), ("Transfer-Encoding", "chunked")]),
        h11.Data(data=b"hello"), h11.EndOfMessage(headers=[("Etag", "x")])]),
    ("post-length", lambda h11: [
        h11.Request(method="POST", target="/", headers=[("Host", "a"), ("Content-Length", "5")]),
        h11.Data(data=b"hello"), h11.EndOfMessage()]),
    ("request-close", lambda h11: [
        h11.Request(method="GET", target="/", headers=[("Host", "a"), ("Connection", "close")])]),
]  # fmt: skip


@pytest.mark.parametrize("events", [case[1] for case in SENT], ids=[case[0] for case in SENT])
def test_the_same_events_give_the_same_bytes(events: Callable[[Any], list[Any]]) -> None:
    def wire(h11: Any) -> list[Any]:
        conn = h11.Connection(h11.CLIENT)
        return [conn.send(event) for event in events(h11)]

    assert wire(face) == wire(real)


@pytest.mark.parametrize(
    ("request_bytes", "response"),
    [
        (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", [("Content-Length", "2")]),
        (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", []),
        (b"GET / HTTP/1.0\r\n\r\n", []),
        (b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", [("Content-Length", "2")]),
        (b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", [("Content-Length", "2")]),
    ],
)
def test_responses_with_a_reason_give_the_same_bytes(request_bytes: bytes, response: list[tuple[str, str]]) -> None:
    def wire(h11: Any) -> list[Any]:
        conn = h11.Connection(h11.SERVER)
        conn.receive_data(request_bytes)
        while conn.next_event() is not h11.NEED_DATA:
            pass
        sent = [conn.send(h11.Response(status_code=200, headers=response, reason=b"OK"))]
        if conn.our_state is h11.SEND_BODY and request_bytes.startswith(b"GET"):
            sent.append(conn.send(h11.Data(data=b"hi")))
        sent.append(conn.send(h11.EndOfMessage()))
        return [sent, repr(conn.states)]

    assert wire(face) == wire(real)


def test_an_empty_reason_is_where_the_bytes_differ() -> None:
    def head(h11: Any) -> bytes:
        conn = h11.Connection(h11.SERVER)
        conn.receive_data(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        conn.next_event()
        return conn.send(h11.Response(status_code=404, headers=[("Content-Length", "0")]))  # type: ignore[no-any-return]

    assert head(real) == b"HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n"
    assert head(face) == b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
    assert "An empty reason phrase is sent empty" in DOCS_PAGE.read_text(encoding="utf-8")
