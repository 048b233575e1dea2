"""The error classes and the sentinel type of the h11 0.16 face.

The errors are h11sm's own: ``ProtocolError`` here is the abstract common
base of :exc:`~h11sm.LocalProtocolError` and :exc:`~h11sm.RemoteProtocolError`
(so ``except h11.ProtocolError`` catches what the core raises), and it can't
be raised itself, as in h11 0.16.
"""

from __future__ import annotations

from typing import Any

from .._errors import AttributedProtocolError as ProtocolError
from .._errors import LocalProtocolError, RemoteProtocolError

__all__ = ["LocalProtocolError", "ProtocolError", "RemoteProtocolError", "Sentinel"]


class Sentinel(type):
    """The type of this face's constants: each one is a class whose type is
    itself, so ``type(h11.NEED_DATA) is h11.NEED_DATA`` and dispatching on
    ``type(event)`` works for events and constants alike (a documented
    feature of h11 0.16). It prints as its bare name.

    Declare one as ``class NAME(Sentinel, metaclass=Sentinel): pass``.
    """

    def __new__(mcls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any) -> Sentinel:
        if bases != (Sentinel,):
            raise TypeError("a sentinel derives from Sentinel alone")
        made = super().__new__(mcls, name, bases, namespace, **kwargs)
        # The one thing only a metaclass can arrange: the class is its own type.
        made.__class__ = made  # type: ignore[assignment]
        return made

    def __repr__(self) -> str:
        return self.__name__
