"""httpx in a child process, on the h11 that ``import h11`` gives it: runs a
plan of requests on one client and prints, as one JSON line, what it saw.

    python -m h11sm.h11 tests/interop/httpx_client.py BASE_URL sync|async PLAN_JSON

The plan is a list of steps; each is a dict with ``name``, ``method``,
``path`` and optionally ``body`` (``"bytes:N"``: N bytes of
:func:`pattern_bytes` with a Content-Length; ``"stream:N"``: the same bytes
from a generator, which httpx sends chunked), ``headers`` and ``stream``
(read the response with ``client.stream`` and ``iter_bytes``).

For each step the report has the status, a few headers, the body's length
and SHA-256 (and the body itself when short), the HTTP version, the local
port of the connection that carried it (the same port: the same
connection), or the exception raised with the chain of its causes. The
report also names the module behind ``import h11`` and the one httpcore
holds.

httpx is imported inside main(), never at import time: the tests import
this module for :func:`pattern_bytes` and must not import httpx themselves.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

TIMEOUT = 20.0
PIECE = 16 * 1024


def pattern_bytes(size: int) -> bytes:
    """*size* bytes in which every 4-byte word says where it is, so a lost
    or repeated piece changes the digest."""
    words = (size + 3) // 4
    return b"".join((number % 2**32).to_bytes(4, "big") for number in range(words))[:size]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _body_size(step: dict[str, Any]) -> tuple[str, int] | None:
    if "body" not in step:
        return None
    kind, _, size = step["body"].partition(":")
    return kind, int(size)


def _pieces(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), PIECE):
        yield data[start : start + PIECE]


async def _async_pieces(data: bytes) -> AsyncIterator[bytes]:
    for piece in _pieces(data):
        await asyncio.sleep(0)
        yield piece


def _request_kwargs(step: dict[str, Any], asynchronous: bool) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"headers": step.get("headers", {})}
    body = _body_size(step)
    if body is not None:
        kind, size = body
        data = pattern_bytes(size)
        if kind == "bytes":
            kwargs["content"] = data
        else:
            kwargs["content"] = _async_pieces(data) if asynchronous else _pieces(data)
    return kwargs


def _error(exc: BaseException) -> dict[str, Any]:
    import httpx

    chain = []
    cause: BaseException | None = exc
    while cause is not None:
        chain.append({"class": f"{type(cause).__module__}.{type(cause).__qualname__}", "message": str(cause)})
        cause = cause.__cause__ or cause.__context__
    return {
        "error": chain,
        "is_httpx_local_protocol_error": isinstance(exc, httpx.LocalProtocolError),
        "is_httpx_remote_protocol_error": isinstance(exc, httpx.RemoteProtocolError),
    }


def _describe(response: Any, body: bytes, chunks: int) -> dict[str, Any]:
    stream = response.extensions.get("network_stream")
    client_addr = stream.get_extra_info("client_addr") if stream is not None else None
    return {
        "status": response.status_code,
        "http_version": response.http_version,
        "headers": {name: response.headers.get(name) for name in WATCHED_HEADERS if name in response.headers},
        "length": len(body),
        "sha256": digest(body),
        "text": body.decode("latin-1") if len(body) <= 2048 else None,
        "chunks": chunks,
        "client_port": None if client_addr is None else client_addr[1],
    }


WATCHED_HEADERS = (
    "content-length",
    "transfer-encoding",
    "connection",
    "x-client-port",
    "x-http-version",
    "x-request-framing",
    "x-connection",
)


def run_sync(base_url: str, plan: list[dict[str, Any]]) -> list[dict[str, Any]]:
    import httpx

    results = []
    with httpx.Client(base_url=base_url, timeout=TIMEOUT) as client:
        for step in plan:
            try:
                kwargs = _request_kwargs(step, asynchronous=False)
                if step.get("stream"):
                    with client.stream(step["method"], step["path"], **kwargs) as response:
                        pieces = list(response.iter_bytes())
                        result = _describe(response, b"".join(pieces), len(pieces))
                else:
                    response = client.request(step["method"], step["path"], **kwargs)
                    result = _describe(response, response.content, 1)
            except Exception as exc:
                result = _error(exc)
            results.append({"name": step["name"], **result})
    return results


async def run_async(base_url: str, plan: list[dict[str, Any]]) -> list[dict[str, Any]]:
    import httpx

    results = []
    async with httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT) as client:
        for step in plan:
            try:
                kwargs = _request_kwargs(step, asynchronous=True)
                if step.get("stream"):
                    async with client.stream(step["method"], step["path"], **kwargs) as response:
                        pieces = [piece async for piece in response.aiter_bytes()]
                        result = _describe(response, b"".join(pieces), len(pieces))
                else:
                    response = await client.request(step["method"], step["path"], **kwargs)
                    result = _describe(response, response.content, 1)
            except Exception as exc:
                result = _error(exc)
            results.append({"name": step["name"], **result})
    return results


def main(argv: list[str]) -> int:
    base_url, mode, plan_json = argv
    plan = json.loads(plan_json)
    steps = run_sync(base_url, plan) if mode == "sync" else asyncio.run(run_async(base_url, plan))
    import httpcore._sync.http11

    h11 = sys.modules["h11"]
    report = {
        "h11": h11.__name__,
        "h11_file": getattr(h11, "__file__", None),
        "httpcore_h11": httpcore._sync.http11.h11.__name__,
        "steps": steps,
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
