"""The wire codec: bytes to events and events to bytes, with body framing.

This package knows HTTP/1.1 syntax and framing (RFC 9112) and nothing of the
connection state tables. The connection feeds received bytes into a
:class:`ReceiveBuffer`, reads heads with :func:`read_request_head` /
:func:`read_response_head`, asks :func:`framing_for_receive` for the body
reader, and on the way out serialises heads with :func:`write_request_head` /
:func:`write_response_head` and frames bodies with the writer
:func:`framing_for_send` picks.

Modules: ``_buffer`` (the receive buffer), ``_fields`` (field sections and
framing-field values), ``_heads`` (start lines and heads), ``_bodies`` (body
readers), ``_writers`` (serialisation and body writers), ``_framing`` (which
reader or writer applies), ``_facts`` (what a head says about the connection), ``_limits`` (default limits).
"""

from __future__ import annotations

from ._bodies import BodyReader, ChunkedReader, ContentLengthReader, UntilCloseReader
from ._buffer import ReceiveBuffer
from ._facts import FACT_BITS, HeadFacts, head_facts
from ._framing import (
    framing_for_receive,
    framing_for_send,
    framing_for_send_request,
    framing_for_send_response,
)
from ._heads import check_request_to_send, read_request_head, read_response_head
from ._limits import (
    DEFAULT_MAX_CHUNK_LINE_SIZE,
    DEFAULT_MAX_HEAD_SIZE,
    DEFAULT_MAX_HEADER_COUNT,
    DEFAULT_MAX_TRAILER_SIZE,
)
from ._writers import (
    BodyWriter,
    ChunkedWriter,
    ContentLengthWriter,
    UntilCloseWriter,
    write_request_head,
    write_response_head,
)

__all__ = [
    "DEFAULT_MAX_CHUNK_LINE_SIZE",
    "DEFAULT_MAX_HEADER_COUNT",
    "DEFAULT_MAX_HEAD_SIZE",
    "DEFAULT_MAX_TRAILER_SIZE",
    "FACT_BITS",
    "BodyReader",
    "BodyWriter",
    "ChunkedReader",
    "ChunkedWriter",
    "ContentLengthReader",
    "ContentLengthWriter",
    "HeadFacts",
    "ReceiveBuffer",
    "UntilCloseReader",
    "UntilCloseWriter",
    "check_request_to_send",
    "framing_for_receive",
    "framing_for_send",
    "framing_for_send_request",
    "framing_for_send_response",
    "head_facts",
    "read_request_head",
    "read_response_head",
    "write_request_head",
    "write_response_head",
]
