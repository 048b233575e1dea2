"""The receive buffer: bytes that arrived from the peer but are not yet events.

The buffer is a ``bytearray`` consumed from the front. CPython deletes a prefix
of a ``bytearray`` by moving a start pointer, so ``del data[:n]`` costs O(1)
amortised and a long stream of small messages never triggers a quadratic
memmove.

Searches for a terminator (the empty line that ends a head, the LF that ends a
chunk-size line) remember where an unsuccessful scan stopped. When more bytes
arrive, the next scan resumes there instead of starting over, so a head that
trickles in one byte at a time is still scanned in linear time. The remembered
position is tagged with the kind of search that made it, so a different search
never trusts it by accident; any consumption from the front resets it.

The connection uses :meth:`ReceiveBuffer.feed`, ``len()``, ``bool()`` and
:meth:`ReceiveBuffer.take_all`; the codec's readers work on ``data`` (read
it, never replace it) through :meth:`~ReceiveBuffer.take`,
:meth:`~ReceiveBuffer.discard` and the scan bookkeeping.
"""

from __future__ import annotations

from typing import Final

__all__ = ["ReceiveBuffer"]

# Below this many bytes, copying twice (slice, then bytes()) beats setting up
# a memoryview; above it, copying once wins.
_COPY_ONCE_ABOVE: Final = 8192


class ReceiveBuffer:
    """Bytes received from the peer and not yet turned into events."""

    __slots__ = ("data", "scan_key", "scan_pos", "skipped")

    def __init__(self) -> None:
        self.data = bytearray()
        # Which search last failed (an opaque key) and where it may resume.
        self.scan_key: object = None
        self.scan_pos = 0
        # Bytes of empty lines dropped before the head being read; they count
        # against the head size limit (RFC 9112 §2.2 lets us skip them, not
        # skip them without bound).
        self.skipped = 0

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        """Append bytes received from the peer."""
        try:
            self.data += data
        except TypeError:
            raise TypeError(f"received data must be bytes-like (bytes, bytearray, memoryview), not "
                            f"{type(data).__name__}") from None

    def __len__(self) -> int:
        return len(self.data)

    def __bool__(self) -> bool:
        return bool(self.data)

    def __bytes__(self) -> bytes:
        return bytes(self.data)

    def __repr__(self) -> str:
        return f"<ReceiveBuffer of {len(self.data)} bytes>"

    def take_all(self) -> bytes:
        """Remove and return every unprocessed byte (e.g. after a protocol
        switch, where the rest belongs to the new protocol)."""
        out = bytes(self.data)
        self.data.clear()
        self.scan_key = None
        self.scan_pos = 0
        self.skipped = 0
        return out

    # -- for the codec's readers (they run per byte of a head: plain
    # attributes and methods, no properties) --------------------------------

    def take(self, count: int) -> bytes:
        """Remove and return the first *count* bytes (``count <= len(self)``)."""
        data = self.data
        self.scan_key = None
        self.scan_pos = 0
        if count >= len(data):
            out = bytes(data)
            data.clear()
            return out
        if count < _COPY_ONCE_ABOVE:
            out = bytes(data[:count])
        else:
            # Copy once through a memoryview (slicing the bytearray would
            # copy twice); the view is released before the bytearray is
            # resized, as a live view would forbid that.
            with memoryview(data) as view:
                out = view[:count].tobytes()
        del data[:count]
        return out

    def discard(self, count: int) -> None:
        """Drop the first *count* bytes."""
        del self.data[:count]
        self.scan_key = None
        self.scan_pos = 0

    def resume_from(self, key: object) -> int:
        """Where a search of kind *key* may start: past what it already saw."""
        return self.scan_pos if self.scan_key is key else 0

    def remember_scan(self, key: object, position: int) -> None:
        """Note that a search of kind *key* found nothing before *position*."""
        self.scan_key = key
        self.scan_pos = position if position > 0 else 0
