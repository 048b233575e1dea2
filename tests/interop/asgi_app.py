"""The small ASGI application that uvicorn and hypercorn serve in the
embedder tests (issue 11). It runs inside the server's process, so it can
also say which h11 the server is really using.

Routes (any method unless said otherwise):

* ``/engine``: JSON naming the module behind ``import h11`` in this process,
  and the one each loaded embedder module holds as its ``h11`` attribute
  (uvicorn's and hypercorn's protocol modules, wsproto's handshake);
* ``/hello``: a fixed body with a Content-Length;
* ``/echo``: the request body back, with a Content-Length;
* ``/headers``: JSON, the request's header names as the server passed them;
* ``/stream?n=N&size=S``: N pieces of S bytes each, sent as separate body
  messages without a length, so the server frames them chunked (or by close
  to an HTTP/1.0 client);
* WebSocket on any path: every message echoed back as it came.

Every HTTP response carries ``x-client-port`` (the peer's port: the same
port means the same connection), ``x-http-version`` and
``x-request-framing`` (``chunked``, ``length`` or ``none``: how the request
body was delimited).
"""

from __future__ import annotations

import json
import sys
import types
import urllib.parse
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

HELLO = b"hello, interop\n"


def stream_piece(index: int, size: int) -> bytes:
    """Piece *index* of /stream: *size* bytes that say where they belong."""
    pattern = b"piece %d;" % index
    return (pattern * (size // len(pattern) + 1))[:size]


def engine_report() -> dict[str, Any]:
    """Which h11 this process runs: ``import h11``, and what the modules
    that embed it actually hold."""
    h11 = sys.modules.get("h11")
    embedded = {
        name: module.h11.__name__
        for name, module in list(sys.modules.items())
        if isinstance(module, types.ModuleType)
        and name.split(".")[0] in {"uvicorn", "hypercorn", "wsproto", "httpcore"}
        and isinstance(getattr(module, "h11", None), types.ModuleType)
    }
    return {
        "h11": None if h11 is None else h11.__name__,
        "h11_file": None if h11 is None else getattr(h11, "__file__", None),
        "embedded": embedded,
    }


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
    elif scope["type"] == "websocket":
        await websocket_echo(receive, send)
    else:
        await http(scope, receive, send)


async def lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def websocket_echo(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
        elif message["type"] == "websocket.receive":
            if message.get("text") is not None:
                await send({"type": "websocket.send", "text": message["text"]})
            else:
                await send({"type": "websocket.send", "bytes": message["bytes"]})
        else:  # websocket.disconnect
            return


async def read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None if the client went away first."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        body += message.get("body", b"")
        if not message.get("more_body", False):
            return bytes(body)


async def http(scope: Scope, receive: Receive, send: Send) -> None:
    request_headers = {name.lower(): value for name, value in scope["headers"]}
    if b"chunked" in request_headers.get(b"transfer-encoding", b""):
        framing = b"chunked"
    elif b"content-length" in request_headers:
        framing = b"length"
    else:
        framing = b"none"
    client = scope.get("client") or ("", 0)
    headers = [
        (b"x-client-port", str(client[1]).encode()),
        (b"x-http-version", scope["http_version"].encode()),
        (b"x-request-framing", framing),
    ]
    body = await read_body(receive)
    if body is None:
        return  # the client aborted: nothing to answer
    path = scope["path"]
    query = urllib.parse.parse_qs(scope.get("query_string", b"").decode())
    if path == "/stream":
        count, size = int(query.get("n", ["3"])[0]), int(query.get("size", ["16"])[0])
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for index in range(count):
            await send({"type": "http.response.body", "body": stream_piece(index, size), "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return
    if path == "/engine":
        content = json.dumps(engine_report()).encode()
        headers.append((b"content-type", b"application/json"))
    elif path == "/echo":
        content = body
    elif path == "/headers":
        content = json.dumps([name.decode("latin-1") for name, _ in scope["headers"]]).encode()
    elif path == "/hello":
        content = HELLO
    else:
        status_body = b"not found\n"
        headers.append((b"content-length", str(len(status_body)).encode()))
        await send({"type": "http.response.start", "status": 404, "headers": headers})
        await send({"type": "http.response.body", "body": status_body})
        return
    headers.append((b"content-length", str(len(content)).encode()))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": content})
