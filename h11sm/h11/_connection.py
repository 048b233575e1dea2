"""The h11 0.16 ``Connection``: h11sm's connection under h11 0.16's names.

Nothing here decides protocol. Every method hands over to one
:class:`h11sm.Connection` and translates only what differs in the calling
convention: ``receive_data`` stores bytes and returns nothing (the events come
from ``next_event``), ``start_next_cycle`` is ``prepare_to_reuse``, and roles
and states are this face's own constants.
"""

from __future__ import annotations

from typing import Any, Final

from .. import _connection as core
from .._events import Event
from .._sentinels import Sentinel as CoreSentinel
from ._state import FROM_CORE, NEED_DATA, PAUSED, ROLE_TO_CORE
from ._util import Sentinel

__all__ = ["DEFAULT_MAX_INCOMPLETE_EVENT_SIZE", "NEED_DATA", "PAUSED", "Connection"]

#: The default of ``max_incomplete_event_size``: the most bytes of one
#: message head (or chunk-size line, or trailer section) held while it is
#: incomplete. h11sm's own default, which is also h11 0.16's (16 KiB).
DEFAULT_MAX_INCOMPLETE_EVENT_SIZE: Final = core.DEFAULT_MAX_BUFFER_SIZE


class Connection:
    """One HTTP/1.1 connection seen from one side, with h11 0.16's API.

    :param our_role: :data:`h11sm.h11.CLIENT` or :data:`h11sm.h11.SERVER`.
    :param max_incomplete_event_size: the most bytes of an incomplete
        message head (or chunk-size line, or trailer section) that we will
        buffer; a peer that sends more makes :meth:`next_event` raise
        :exc:`RemoteProtocolError` with ``error_status_hint == 431``.
    """

    __slots__ = ("_core", "our_role", "their_role")

    def __init__(self, our_role: type[Sentinel], max_incomplete_event_size: int = DEFAULT_MAX_INCOMPLETE_EVENT_SIZE):
        role = ROLE_TO_CORE.get(our_role)
        if role is None:
            raise ValueError(f"expected CLIENT or SERVER, not {our_role!r}")
        self._core = core.Connection(role, max_incomplete_event_size)
        #: :data:`CLIENT` if we are the client, :data:`SERVER` if we are the server.
        self.our_role = our_role
        #: The other role.
        self.their_role = FROM_CORE[self._core.their_role]

    def __repr__(self) -> str:
        return f"<h11sm.h11.Connection our_role={self.our_role!r} states={self.states!r}>"

    # -- state ---------------------------------------------------------------

    @property
    def states(self) -> dict[type[Sentinel], type[Sentinel]]:
        """``{CLIENT: <client state>, SERVER: <server state>}``."""
        return {FROM_CORE[role]: FROM_CORE[state] for role, state in self._core.states.items()}

    @property
    def our_state(self) -> type[Sentinel]:
        """The state of the role we play."""
        return FROM_CORE[self._core.our_state]

    @property
    def their_state(self) -> type[Sentinel]:
        """The state of the role the peer plays."""
        return FROM_CORE[self._core.their_state]

    @property
    def their_http_version(self) -> bytes | None:
        """The HTTP version the peer announced in its last message head
        (``b"1.1"``, ``b"1.0"``), or ``None`` before the first one. Kept by
        :meth:`start_next_cycle`."""
        return self._core.their_http_version

    @property
    def client_is_waiting_for_100_continue(self) -> bool:
        """True while a client that sent ``Expect: 100-continue`` waits: the
        server has sent no response yet and the client has sent no body."""
        return self._core.client_is_waiting_for_100_continue

    @property
    def they_are_waiting_for_100_continue(self) -> bool:
        """True if the peer is the client and it waits for ``100 Continue``."""
        return self._core.they_are_waiting_for_100_continue

    @property
    def trailing_data(self) -> tuple[bytes, bool]:
        """``(bytes received but not parsed, whether the peer closed)``: after
        a protocol switch, the first bytes of the new protocol."""
        return self._core.trailing_data

    # -- receiving -----------------------------------------------------------

    def receive_data(self, data: bytes) -> None:
        """Store bytes from the peer; :meth:`next_event` parses them.

        ``b""`` means the peer closed its side (calling it again is
        harmless). Bytes after that raise :exc:`RuntimeError`.
        """
        try:
            self._core.feed(data)
        except ValueError as exc:
            raise RuntimeError(str(exc)) from None

    def next_event(self) -> Event | type[NEED_DATA] | type[PAUSED]:
        """Parse and return the next event, or :data:`NEED_DATA` (read more
        bytes and pass them to :meth:`receive_data`), or :data:`PAUSED`
        (nothing will be parsed until our side catches up, see
        :meth:`start_next_cycle`).

        Raises :exc:`RemoteProtocolError` if the peer broke the protocol;
        its state is then :data:`ERROR` and every later call raises too.
        After :class:`ConnectionClosed`, every call returns it again.
        """
        event = self._core.next_event()
        if type(event) is CoreSentinel:
            return FROM_CORE[event]  # type: ignore[return-value]  # (NEED_DATA or PAUSED)
        return event

    # -- sending -------------------------------------------------------------

    def send(self, event: Event) -> bytes | None:
        """The bytes that carry *event* to the peer, or ``None`` for
        :class:`ConnectionClosed` (close your socket instead).

        Raises :exc:`LocalProtocolError` if the event is not allowed now; our
        state is then :data:`ERROR`.
        """
        return self._core.send(event)

    def send_with_data_passthrough(self, event: Event) -> list[Any] | None:
        """Like :meth:`send`, but as a list of pieces to write in order, in
        which a :class:`Data` event's ``data`` object appears untouched (for
        ``sendfile()``-style writing)."""
        return self._core.send_with_data_passthrough(event)

    def send_failed(self) -> None:
        """Say that bytes we produced never reached the peer: our state
        becomes :data:`ERROR`, and the connection must not be reused."""
        self._core.send_failed()

    def start_next_cycle(self) -> None:
        """Reset both sides from :data:`DONE` to :data:`IDLE` for the next
        request/response exchange on this connection; raises
        :exc:`LocalProtocolError` (and changes nothing) unless both are
        :data:`DONE`."""
        self._core.prepare_to_reuse()
