"""The roles and states of the h11 0.16 face, and how they map to h11sm's.

h11sm's own constants can't be instances of themselves, so the face has its
own set, one per core constant of the same name; the face's ``Connection``
translates between the two (a dict lookup). States are compared with ``is``.
"""

from __future__ import annotations

from typing import Final

from .. import _sentinels as core
from ._util import Sentinel

__all__ = [
    "CLIENT",
    "CLOSED",
    "DONE",
    "ERROR",
    "IDLE",
    "MIGHT_SWITCH_PROTOCOL",
    "MUST_CLOSE",
    "SEND_BODY",
    "SEND_RESPONSE",
    "SERVER",
    "SWITCHED_PROTOCOL",
]


class CLIENT(Sentinel, metaclass=Sentinel):
    pass


class SERVER(Sentinel, metaclass=Sentinel):
    pass


class IDLE(Sentinel, metaclass=Sentinel):
    pass


class SEND_RESPONSE(Sentinel, metaclass=Sentinel):
    pass


class SEND_BODY(Sentinel, metaclass=Sentinel):
    pass


class DONE(Sentinel, metaclass=Sentinel):
    pass


class MUST_CLOSE(Sentinel, metaclass=Sentinel):
    pass


class CLOSED(Sentinel, metaclass=Sentinel):
    pass


class ERROR(Sentinel, metaclass=Sentinel):
    pass


class MIGHT_SWITCH_PROTOCOL(Sentinel, metaclass=Sentinel):
    pass


class SWITCHED_PROTOCOL(Sentinel, metaclass=Sentinel):
    pass


class NEED_DATA(Sentinel, metaclass=Sentinel):
    pass


class PAUSED(Sentinel, metaclass=Sentinel):
    pass


_ALL: Final[tuple[type[Sentinel], ...]] = (
    CLIENT,
    SERVER,
    IDLE,
    SEND_RESPONSE,
    SEND_BODY,
    DONE,
    MUST_CLOSE,
    CLOSED,
    ERROR,
    MIGHT_SWITCH_PROTOCOL,
    SWITCHED_PROTOCOL,
    NEED_DATA,
    PAUSED,
)

#: h11sm's constant -> this face's constant of the same name.
FROM_CORE: Final[dict[core.Sentinel, type[Sentinel]]] = {
    core.Sentinel.named(face.__name__): face for face in _ALL
}
#: This face's role -> h11sm's role.
ROLE_TO_CORE: Final[dict[object, core.Sentinel]] = {CLIENT: core.CLIENT, SERVER: core.SERVER}
