"""Named singleton values: the two roles and every machine state.

A sentinel is compared by identity (``conn.our_state is h11sm.DONE``) and
prints as its bare name, so ``conn.states`` reads ``{CLIENT: IDLE, SERVER:
IDLE}``. States are created by name when the tables are loaded; asking for the
same name twice gives the same object, so the constants exported below and the
states the engine reads from ``tables/`` are one and the same.
"""

from __future__ import annotations

from typing import ClassVar, final

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
    "SEND_BODY",
    "SEND_RESPONSE",
    "SERVER",
    "SWITCHED_PROTOCOL",
    "Sentinel",
]


@final
class Sentinel:
    """A unique, named marker value. Use :meth:`named` to get one."""

    __slots__ = ("name",)
    _registry: ClassVar[dict[str, Sentinel]] = {}

    name: str

    def __new__(cls, name: str) -> Sentinel:
        raise TypeError("use Sentinel.named(name): sentinels are singletons")

    @classmethod
    def named(cls, name: str) -> Sentinel:
        """Return the one sentinel called *name*, creating it on first use."""
        existing = cls._registry.get(name)
        if existing is not None:
            return existing
        if not name.isidentifier():
            raise ValueError(f"sentinel names must be identifiers, not {name!r}")
        made = object.__new__(cls)
        object.__setattr__(made, "name", name)
        cls._registry[name] = made
        return made

    def __setattr__(self, attr: str, value: object) -> None:
        raise AttributeError("sentinels are immutable")

    def __repr__(self) -> str:
        return self.name

    def __reduce__(self) -> tuple[object, tuple[str]]:
        # Pickling keeps identity: unpickling asks the registry again.
        return (Sentinel.named, (self.name,))


CLIENT = Sentinel.named("CLIENT")
SERVER = Sentinel.named("SERVER")

IDLE = Sentinel.named("IDLE")
SEND_RESPONSE = Sentinel.named("SEND_RESPONSE")
SEND_BODY = Sentinel.named("SEND_BODY")
DONE = Sentinel.named("DONE")
MUST_CLOSE = Sentinel.named("MUST_CLOSE")
CLOSED = Sentinel.named("CLOSED")
MIGHT_SWITCH_PROTOCOL = Sentinel.named("MIGHT_SWITCH_PROTOCOL")
SWITCHED_PROTOCOL = Sentinel.named("SWITCHED_PROTOCOL")
ERROR = Sentinel.named("ERROR")

# Answers of Connection.next_event() that are not events.
NEED_DATA = Sentinel.named("NEED_DATA")
PAUSED = Sentinel.named("PAUSED")
