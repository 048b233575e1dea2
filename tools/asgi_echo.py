"""The echo application of the uvicorn workload of tools/bench.py.

Answers every request with its body (an empty body for a GET), and says in
an ``x-h11`` field which module ``import h11`` gave this process (``none``
when nothing imported h11, as with ``--http httptools``), so the benchmark
can check that each server runs on the engine it claims before timing it.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


async def app(scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return  # run with --lifespan off and --ws none: nothing else comes
    body = b""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    h11 = sys.modules.get("h11")
    headers = [
        (b"content-type", b"application/octet-stream"),
        (b"content-length", str(len(body)).encode()),
        (b"x-h11", b"none" if h11 is None else h11.__name__.encode()),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
