"""The one exception type h11sm raises for protocol violations."""

from __future__ import annotations

__all__ = ["ProtocolError"]


class ProtocolError(Exception):
    """Somebody broke the HTTP/1.1 rules: the peer (from ``receive_data``) or
    the caller (from ``send``, ``prepare_to_reuse`` or an event constructor).

    ``error_status_hint`` is the status code a server would answer with if the
    peer caused the error: 400 for a generic violation, 431 when a head is too
    large, 505 for an HTTP version we cannot speak, and so on.
    """

    def __init__(self, msg: str, error_status_hint: int = 400) -> None:
        super().__init__(msg)
        self.msg = msg
        self.error_status_hint = error_status_hint

    def __repr__(self) -> str:
        return f"ProtocolError({self.msg!r}, error_status_hint={self.error_status_hint})"


# Tracebacks and class reprs name the public spelling, the one users catch
# (h11sm.ProtocolError), rather than this private module.
ProtocolError.__module__ = "h11sm"
