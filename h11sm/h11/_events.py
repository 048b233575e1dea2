"""The events of the h11 0.16 face: h11sm's own event classes."""

from __future__ import annotations

from .._events import ConnectionClosed, Data, EndOfMessage, Event, InformationalResponse, Request, Response

__all__ = ["ConnectionClosed", "Data", "EndOfMessage", "Event", "InformationalResponse", "Request", "Response"]
