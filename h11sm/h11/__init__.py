"""h11 0.16's API on h11sm: the names, classes and calling conventions of
h11 0.16, over h11sm's one parser and one set of state tables.

Programs written for h11 0.16 (uvicorn, hypercorn, httpx through httpcore,
wsproto) run on it unchanged: call :func:`install` before they import
``h11``, or start them with ``python -m h11sm.h11 -m MODULE ...``. Where h11sm
behaves differently from h11 0.16 (stricter parsing, for one), the
documentation's page "Coming from h11 0.16" lists it.
"""

from __future__ import annotations

from .. import PRODUCT_ID
from ._connection import Connection
from ._events import ConnectionClosed, Data, EndOfMessage, Event, InformationalResponse, Request, Response
from ._install import install, uninstall
from ._state import (
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
)
from ._util import LocalProtocolError, ProtocolError, RemoteProtocolError
from ._version import __version__

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
    "Connection",
    "ConnectionClosed",
    "Data",
    "EndOfMessage",
    "Event",
    "InformationalResponse",
    "LocalProtocolError",
    "ProtocolError",
    "RemoteProtocolError",
    "Request",
    "Response",
    "__version__",
    "install",
    "uninstall",
]
