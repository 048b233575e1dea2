"""h11sm: a bring-your-own-I/O HTTP/1.1 protocol library.

The connection lifecycle is defined by data tables (see :mod:`h11sm.machines`);
a generic engine runs them and a separate codec turns events into bytes and
back. Everything a user needs is importable from here.
"""

from __future__ import annotations

from ._connection import Connection
from ._errors import LocalProtocolError, ProtocolError, RemoteProtocolError
from ._events import (
    BytesLike,
    ConnectionClosed,
    Data,
    EndOfMessage,
    Event,
    InformationalResponse,
    Paused,
    Request,
    Response,
)
from ._headers import Headers
from ._sentinels import (
    CLIENT,
    CLOSED,
    DONE,
    ERROR,
    IDLE,
    MIGHT_SWITCH_PROTOCOL,
    MUST_CLOSE,
    NEED_DATA,
    PAUSED,
    SEND_BODY,
    SEND_RESPONSE,
    SERVER,
    SWITCHED_PROTOCOL,
    Sentinel,
)
from ._version import __version__

#: Identifies this library in a ``User-Agent`` or ``Server`` header.
PRODUCT_ID = f"h11sm/{__version__}"

__all__ = [
    "CLIENT",
    "CLOSED",
    "DONE",
    "ERROR",
    "IDLE",
    "MIGHT_SWITCH_PROTOCOL",
    "MUST_CLOSE",
    "NEED_DATA",
    "PAUSED",
    "PRODUCT_ID",
    "SEND_BODY",
    "SEND_RESPONSE",
    "SERVER",
    "SWITCHED_PROTOCOL",
    "BytesLike",
    "Connection",
    "ConnectionClosed",
    "Data",
    "EndOfMessage",
    "Event",
    "Headers",
    "InformationalResponse",
    "LocalProtocolError",
    "Paused",
    "ProtocolError",
    "RemoteProtocolError",
    "Request",
    "Response",
    "Sentinel",
    "__version__",
]
