"""Body readers: turn the bytes after a head into Data and EndOfMessage events.

One reader per framing (RFC 9112 §6.3): a fixed Content-Length, the chunked
transfer coding, or "until the peer closes" (responses only). Each reader has
``read(buf)``, which returns the next event or None when more bytes are
needed, and ``read_eof()``, called once the peer has closed its side, which
returns the final EndOfMessage or raises if the body was cut short.

Data events hand out the bytes as they arrive: a body is never accumulated.
How a body is split into Data events therefore depends on how it arrived;
only the concatenation of the payloads is fixed. A reader is finished once it
has returned EndOfMessage; the connection then stops using it.
"""

from __future__ import annotations

import re
from typing import Final

from .._abnf import CHUNK_EXT, OWS, QUOTED_STRING, TOKEN
from .._errors import ProtocolError
from .._events import Data, EndOfMessage
from .._headers import EMPTY_HEADERS, Headers
from ._buffer import ReceiveBuffer
from ._fields import (
    FORBIDDEN_TRAILER_NAMES,
    FRAMING_NAMES,
    locate_section_end,
    parse_field_lines,
)
from ._limits import (
    DEFAULT_MAX_CHUNK_LINE_SIZE,
    DEFAULT_MAX_HEADER_COUNT,
    DEFAULT_MAX_TRAILER_SIZE,
)

__all__ = ["BodyReader", "ChunkedReader", "ContentLengthReader", "UntilCloseReader"]


class ContentLengthReader:
    """A body of exactly ``length`` bytes (RFC 9112 §6.3 item 6)."""

    __slots__ = ("_remaining",)

    def __init__(self, length: int) -> None:
        self._remaining = length

    def read(self, buf: ReceiveBuffer) -> Data | EndOfMessage | None:
        remaining = self._remaining
        if remaining == 0:
            return EndOfMessage._from_wire(EMPTY_HEADERS)
        available = len(buf.data)
        if available == 0:
            return None
        count = available if available < remaining else remaining
        self._remaining = remaining - count
        return Data._from_wire(buf.take(count))

    def read_eof(self) -> EndOfMessage:
        if self._remaining:
            raise ProtocolError(
                "peer closed connection without finishing the body "
                f"({self._remaining} bytes of the declared Content-Length missing)"
            )
        return EndOfMessage._from_wire(EMPTY_HEADERS)

    def __repr__(self) -> str:
        return f"ContentLengthReader(remaining={self._remaining})"


class UntilCloseReader:
    """A response body that ends when the server closes the connection
    (RFC 9112 §6.3 item 8)."""

    __slots__ = ()

    def read(self, buf: ReceiveBuffer) -> Data | None:
        if not buf.data:
            return None
        return Data._from_wire(buf.take(len(buf.data)))

    def read_eof(self) -> EndOfMessage:
        return EndOfMessage._from_wire(EMPTY_HEADERS)

    def __repr__(self) -> str:
        return "UntilCloseReader()"


# RFC 9112 §7.1: chunk-size = 1*HEXDIG, then chunk-ext, then CRLF. No sign,
# no "0x", no inner or trailing whitespace: every one of those has been read
# differently by two parsers in a smuggling attack. Sixteen hex digits hold
# any 64-bit size. The extensions are parsed atomically (the grammar is
# deterministic, so no backtracking is ever useful) into group 2, which is
# empty when there are none (a cheaper test than looking for a ";").
_CHUNK_SIZE_LINE_RE: Final = re.compile(rb"([0-9A-Fa-f]{1,16})((?>%s))\r\n" % CHUNK_EXT)
# Leading zeros are digits of the grammar too: a size with more than sixteen
# digits is still valid when no more than sixteen are significant (the line
# limit bounds the zeros). Tried only when the pattern above fails, so the
# usual line is matched once. (The zeros backtrack at most one step: to
# leave a single "0" as the size.)
_ZERO_PADDED_SIZE_LINE_RE: Final = re.compile(rb"0*([1-9A-Fa-f][0-9A-Fa-f]{0,15}|0)((?>%s))\r\n" % CHUNK_EXT)
_HEX_DIGITS_RE: Final = re.compile(rb"0*+([0-9A-Fa-f]*)")
# One chunk extension, as the line pattern has already checked it: its name,
# and its value as a token or as a quoted string.
_CHUNK_EXT_ITEM_RE: Final = re.compile(
    rb"%s;%s(%s)(?:%s=%s(?:(%s)|(%s)))?" % (OWS, OWS, TOKEN, OWS, OWS, TOKEN, QUOTED_STRING)
)
_QUOTED_PAIR_RE: Final = re.compile(rb"\\(.)", re.DOTALL)


def parse_chunk_extensions(text: bytes) -> tuple[tuple[bytes, bytes | None], ...]:
    """The ``(name, value)`` pairs of a chunk-ext that the chunk-size line
    pattern has matched (RFC 9112 §7.1.1): a quoted-string value unquoted,
    None for a name without a value."""
    found = []
    for item in _CHUNK_EXT_ITEM_RE.finditer(text):
        name, token, quoted = item.groups()
        if quoted is not None:
            found.append((name, _QUOTED_PAIR_RE.sub(rb"\1", quoted[1:-1])))
        else:
            found.append((name, token))
    return tuple(found)

# The chunk fields of a received Data (see Data._chunk) for a chunk without
# extensions, made once.
ChunkFields = tuple[bool, bool, tuple[tuple[bytes, bytes | None], ...]]
_CHUNK_START: Final[ChunkFields] = (True, False, ())
_CHUNK_END: Final[ChunkFields] = (False, True, ())
_WHOLE_CHUNK: Final[ChunkFields] = (True, True, ())

# Where a ChunkedReader is.
_SIZE_LINE: Final = 0  # expecting a chunk-size line
_DATA: Final = 1  # inside chunk data
_DATA_END: Final = 2  # expecting the CRLF after chunk data
_TRAILERS: Final = 3  # after the last chunk: expecting the trailer section
_DONE: Final = 4

# Tags the buffer's resume position for chunk-size line searches.
_LINE_SEARCH: Final = object()


class ChunkedReader:
    """A body in the chunked transfer coding (RFC 9112 §7.1), with trailers.

    Limits: *max_line_size* bounds a chunk-size line including extensions and
    CRLF (400 beyond it); *max_trailer_size* bounds the trailer section
    including its final empty line, and *max_header_count* the number of
    trailer fields (431 beyond either). An obs-fold in the trailers is joined
    into the value with *allow_obs_fold* (responses) and rejected without it
    (requests), as in a head.
    """

    __slots__ = (
        "_allow_obs_fold",
        "_max_header_count",
        "_max_line_size",
        "_max_trailer_size",
        "_remaining",
        "_start_fields",
        "_state",
        "_whole_fields",
    )

    def __init__(
        self,
        *,
        max_line_size: int = DEFAULT_MAX_CHUNK_LINE_SIZE,
        max_trailer_size: int = DEFAULT_MAX_TRAILER_SIZE,
        max_header_count: int = DEFAULT_MAX_HEADER_COUNT,
        allow_obs_fold: bool = False,
    ) -> None:
        self._allow_obs_fold = allow_obs_fold
        self._max_line_size = max_line_size
        self._max_trailer_size = max_trailer_size
        self._max_header_count = max_header_count
        self._state = _SIZE_LINE
        self._remaining = 0  # bytes of the current chunk not yet handed out
        # The chunk fields of the next Data if it starts a chunk (None once
        # the chunk has started), and if it also ends it (see Data._chunk).
        self._start_fields: ChunkFields | None = None
        self._whole_fields: ChunkFields = _WHOLE_CHUNK

    def read(self, buf: ReceiveBuffer) -> Data | EndOfMessage | None:
        data = buf.data
        while True:
            state = self._state
            if state == _DATA:
                available = len(data)
                if available == 0:
                    return None
                remaining = self._remaining
                start = self._start_fields
                if available < remaining:
                    self._remaining = remaining - available
                    if start is None:
                        return Data._from_wire(buf.take(available))
                    self._start_fields = None
                    return Data._from_wire_chunk(buf.take(available), start)
                self._state = _DATA_END
                if start is None:
                    return Data._from_wire_chunk(buf.take(remaining), _CHUNK_END)
                self._start_fields = None
                return Data._from_wire_chunk(buf.take(remaining), self._whole_fields)
            if state == _SIZE_LINE:
                size = self._read_size_line(buf)
                if size is None:
                    return None
                if size:
                    self._remaining = size
                    self._state = _DATA
                else:
                    self._state = _TRAILERS
            elif state == _DATA_END:
                # RFC 9112 §7.1: chunk data is followed by exactly CRLF.
                # Checked byte by byte so that a wrong byte is reported as
                # soon as it arrives.
                head = data[:2]
                if head != b"\r\n":
                    if head == b"\r" or not head:
                        return None
                    raise ProtocolError("chunk data not followed by CRLF")
                buf.discard(2)
                self._state = _SIZE_LINE
            elif state == _TRAILERS:
                return self._read_trailers(buf)
            else:
                return None

    def _read_size_line(self, buf: ReceiveBuffer) -> int | None:
        """Parse one chunk-size line; None if it has not fully arrived."""
        data = buf.data
        limit = self._max_line_size
        end = data.find(b"\n", buf.resume_from(_LINE_SEARCH), limit)
        if end < 0:
            if len(data) >= limit:
                raise ProtocolError(f"chunk-size line too long (limit {limit} bytes)")
            buf.remember_scan(_LINE_SEARCH, len(data))
            return None
        line = buf.take(end + 1)
        match = _CHUNK_SIZE_LINE_RE.fullmatch(line) or _ZERO_PADDED_SIZE_LINE_RE.fullmatch(line)
        if match is None:
            raise _chunk_size_line_error(line)
        digits, text = match.groups()
        if text:
            extensions = parse_chunk_extensions(text)
            self._start_fields = (True, False, extensions)
            self._whole_fields = (True, True, extensions)
        else:
            self._start_fields = _CHUNK_START
            self._whole_fields = _WHOLE_CHUNK
        return int(digits, 16)

    def _read_trailers(self, buf: ReceiveBuffer) -> EndOfMessage | None:
        data = buf.data
        # The usual case: no trailer fields, just the empty line.
        if data.startswith(b"\r\n"):
            buf.discard(2)
            self._state = _DONE
            return EndOfMessage._from_wire(EMPTY_HEADERS)
        if len(data) < 2:
            if data == b"\n":
                raise ProtocolError(
                    "bare LF line ending in trailer section (only CRLF is accepted)"
                )
            return None
        found = locate_section_end(
            buf, limit=self._max_trailer_size, lenient=False, what="trailer section"
        )
        if found is None:
            return None
        lines_end, section_end = found
        section = bytes(data[:lines_end])
        buf.discard(section_end)
        # (The count is enforced before the lines are parsed, so too many
        # fields cost a count, not a parse.)
        fields = parse_field_lines(
            section,
            0,
            lenient=False,
            allow_obs_fold=self._allow_obs_fold,
            max_count=self._max_header_count,
            what="trailer fields",
        )
        trailers = []
        for raw_name, value in fields:
            name = raw_name.lower()
            if name in FORBIDDEN_TRAILER_NAMES:
                if name in FRAMING_NAMES:
                    # A second framing of the same message: the one thing
                    # in a trailer that could make two parsers disagree.
                    raise ProtocolError(f"{name.decode()} header field not allowed in trailers")
                # RFC 9110 §6.5.1: such a field must not be merged into the
                # header section, not refused. It is dropped: kept, a
                # proxy would forward what no sender may send in a trailer.
                continue
            trailers.append((name, value))
        self._state = _DONE
        return EndOfMessage._from_wire(Headers._from_wire(trailers, None, fields))

    def read_eof(self) -> EndOfMessage:
        if self._state != _DONE:
            raise ProtocolError(
                "peer closed connection without finishing the body (chunked body incomplete)"
            )
        return EndOfMessage._from_wire(EMPTY_HEADERS)

    def __repr__(self) -> str:
        return f"ChunkedReader(state={self._state}, remaining={self._remaining})"


def _chunk_size_line_error(line: bytes) -> ProtocolError:
    """Say what is wrong with a chunk-size line the pattern rejected."""
    if not line.endswith(b"\r\n"):
        return ProtocolError("bare LF line ending in chunk-size line (only CRLF is accepted)")
    digits = _HEX_DIGITS_RE.match(line)
    assert digits is not None  # the pattern can match the empty string
    if digits.end() == 0:
        return ProtocolError(f"invalid chunk size in line {line[:40]!r}")
    if len(digits.group(1)) > 16:
        return ProtocolError("chunk size too large (more than 16 hex digits)")
    return ProtocolError(f"invalid chunk extension in line {line[:60]!r}")


BodyReader = ContentLengthReader | ChunkedReader | UntilCloseReader
