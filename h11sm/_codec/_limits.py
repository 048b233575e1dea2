"""Default size and count limits for what the codec accepts from a peer.

Every limit bounds memory per connection; none of them is a protocol rule. A
peer that exceeds one gets a ``ProtocolError`` whose ``error_status_hint`` is
431 (head or trailer section too large, too many fields) or 400 (a chunk-size
line too long).
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "DEFAULT_MAX_CHUNK_LINE_SIZE",
    "DEFAULT_MAX_HEADER_COUNT",
    "DEFAULT_MAX_HEAD_SIZE",
    "DEFAULT_MAX_TRAILER_SIZE",
]

#: Largest head (start line, field lines and the final empty line, plus any
#: empty lines skipped before the start line), in bytes.
DEFAULT_MAX_HEAD_SIZE: Final = 16 * 1024

#: Most field lines in one head or one trailer section.
DEFAULT_MAX_HEADER_COUNT: Final = 128

#: Largest chunk-size line (size, extensions and CRLF), in bytes.
DEFAULT_MAX_CHUNK_LINE_SIZE: Final = 4 * 1024

#: Largest trailer section (field lines and the final empty line), in bytes.
DEFAULT_MAX_TRAILER_SIZE: Final = 16 * 1024
