"""Serialisation: heads to bytes, and body writers that frame Data and
EndOfMessage events for the wire.

Heads are written exactly as the event holds them: ``name: value`` and CRLF
per field, each name in the case it was given or received in (the raw names
of :meth:`Headers.raw_items`, not the lowercase ones). Events were validated
when they were built, so nothing is checked again here.

A body writer is called with each Data and the final EndOfMessage and returns
the pieces to send, in order. The payload object of a Data event is passed
through untouched -- it may be a placeholder a sendfile-capable transport
knows how to send -- so writers only ask for its size in bytes: the
``nbytes`` of anything that exposes a buffer (an ``array('H')`` of two items
is four bytes, not two), and ``len()`` of a placeholder.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Final

from .._abnf import TOKEN_RE
from .._errors import ProtocolError
from .._events import Data, EndOfMessage, InformationalResponse, Request, Response
from .._headers import EMPTY_HEADERS, Headers, wire_fields
from ._fields import FORBIDDEN_TRAILER_NAMES

__all__ = [
    "BodyWriter",
    "ChunkedWriter",
    "ContentLengthWriter",
    "UntilCloseWriter",
    "write_request_head",
    "write_response_head",
]

def byte_count(payload: object) -> int:
    """How many bytes *payload* puts on the wire."""
    if type(payload) is bytes:
        return len(payload)
    try:
        with memoryview(payload) as view:  # type: ignore[arg-type]
            return view.nbytes
    except TypeError:
        # Not a buffer: a placeholder for sendfile(), whose len() is its
        # size in bytes by contract.
        return len(payload)  # type: ignore[arg-type]


# RFC 9110 §15: the customary reason phrases, used when the event has none.
_REASON_PHRASES: Final = {status.value: status.phrase.encode("ascii") for status in HTTPStatus}


def _head(start_line: bytes, headers: Headers) -> bytes:
    """The one head writer: *start_line* (with its CRLF), the field lines,
    and the empty line that ends them. A trailer section is written the
    same way, after the last-chunk line."""
    fields = wire_fields(headers)
    if fields:
        # bytes.join per field, all in C, beats formatting each line with %.
        return b"%s%s\r\n\r\n" % (start_line, b"\r\n".join(map(b": ".join, fields)))
    return start_line + b"\r\n"


def write_request_head(event: Request) -> bytes:
    """``method SP target SP HTTP/x.y CRLF``, the field lines, and CRLF."""
    return _head(b"%s %s HTTP/%s\r\n" % (event.method, event.target, event.http_version), event.headers)


def write_response_head(event: InformationalResponse | Response) -> bytes:
    """``HTTP/x.y SP status SP reason CRLF``, the field lines, and CRLF.

    An empty reason is replaced by the standard phrase for the status code
    (RFC 9110 §15) when there is one; otherwise the reason stays empty, after
    the SP the status-line grammar requires (RFC 9112 §4).
    """
    reason = event.reason or _REASON_PHRASES.get(event.status_code, b"")
    return _head(b"HTTP/%s %d %s\r\n" % (event.http_version, event.status_code, reason), event.headers)


class ContentLengthWriter:
    """Sends exactly the declared number of body bytes, unframed.

    A message that has no body at all (a request without framing fields, a
    204 response...) gets a zero-length writer whose *no_body* text says
    why, so sending Data there is refused with that reason instead of a
    complaint about a Content-Length nobody declared.
    """

    __slots__ = ("_no_body", "_remaining")

    def __init__(self, length: int, no_body: str | None = None) -> None:
        self._remaining = length
        self._no_body = no_body

    def __call__(self, event: Data | EndOfMessage) -> list[object]:
        if isinstance(event, Data):
            payload = event.data
            size = byte_count(payload)
            if size > self._remaining:
                raise ProtocolError(self._no_body or "Too much data for declared Content-Length")
            self._remaining -= size
            return [payload] if size else []
        trailers = event.headers
        if trailers is not EMPTY_HEADERS and len(trailers):  # (EndOfMessage() shares the empty one)
            # Only the chunked coding can carry a trailer section (RFC 9112
            # §7.1.2).
            if self._no_body:
                raise ProtocolError(f"can't send trailers: {self._no_body}")
            raise ProtocolError("can't send trailers with a Content-Length body")
        if self._remaining:
            raise ProtocolError("Too little data for declared Content-Length")
        return []

    def __repr__(self) -> str:
        return f"ContentLengthWriter(remaining={self._remaining})"


class ChunkedWriter:
    """Sends each Data as one chunk, and EndOfMessage as the last chunk plus
    the trailer section (RFC 9112 §7.1)."""

    __slots__ = ()

    def __call__(self, event: Data | EndOfMessage) -> list[object]:
        if isinstance(event, Data):
            payload = event.data
            size = byte_count(payload)
            if not size:
                # A zero-size chunk is the last chunk: an empty Data must
                # send nothing rather than end the body.
                return []
            extensions = event.extensions
            if extensions:
                return [b"%x%s\r\n" % (size, format_chunk_extensions(extensions)), payload, b"\r\n"]
            return [b"%x\r\n" % size, payload, b"\r\n"]
        trailers = event.headers
        for name, _ in trailers:
            if name in FORBIDDEN_TRAILER_NAMES:
                raise ProtocolError(f"{name.decode()} header field not allowed in trailers")
        return [_head(b"0\r\n", trailers)]

    def __repr__(self) -> str:
        return "ChunkedWriter()"


def format_chunk_extensions(extensions: tuple[tuple[bytes, bytes | None], ...]) -> bytes:
    """The chunk-ext of a chunk-size line (RFC 9112 §7.1.1): ``;name`` or
    ``;name=value``, the value as a token when it is one and as a quoted
    string otherwise. The Data event has checked the names and values."""
    written = []
    for name, value in extensions:
        if value is None:
            written.append(b";" + name)
        elif TOKEN_RE.fullmatch(value):
            written.append(b";%s=%s" % (name, value))
        else:
            escaped = value.replace(b"\\", b"\\\\").replace(b'"', b'\\"')
            written.append(b';%s="%s"' % (name, escaped))
    return b"".join(written)


class UntilCloseWriter:
    """Sends the body unframed; closing the connection ends it. Used for a
    response of unknown length to an HTTP/1.0 client (RFC 9112 §6.3)."""

    __slots__ = ()

    def __call__(self, event: Data | EndOfMessage) -> list[object]:
        if isinstance(event, Data):
            payload = event.data
            return [payload] if byte_count(payload) else []
        if event.headers:
            raise ProtocolError("can't send trailers to an HTTP/1.0 peer")
        return []

    def __repr__(self) -> str:
        return "UntilCloseWriter()"


BodyWriter = ContentLengthWriter | ChunkedWriter | UntilCloseWriter
