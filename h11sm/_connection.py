"""The Connection: the public API over the engine and the codec.

A :class:`Connection` never decides a state transition itself. What a
machine state does with bytes (read a head, a body, hold them, refuse them)
is a word the tables give each state (``[receive]`` and ``[send]``), compiled
into the joint state, and so is the connection option our heads must carry
there (``[announce]``); what a message head does to the machines (its event
and the signals its facts raise) is worked out by :mod:`h11sm._head_step`
from the tables. The codec turns events into bytes and bytes into events.
"""

from __future__ import annotations

import sys
from typing import Any, Final, Protocol, overload

from . import _codec
from ._compiled import AUTOMATON as _AUTOMATON
from ._engine import Automaton, JointState, TableError, Trigger, TriggerRefused
from ._errors import LocalProtocolError, ProtocolError, RemoteProtocolError, as_local, as_remote
from ._events import ConnectionClosed, Data, EndOfMessage, Event, InformationalResponse, Paused, Request, Response
from ._head_step import (
    CLOSE_DELIMITED,
    CLOSE_OPTION,
    RESPONSE_ENDS_IN_MUST_CLOSE,
    TRIGGERS_BY_ROLE,
    UPGRADE,
    classify,
    head_facts,
    step,
    with_close,
    with_keep_alive,
)
from ._sentinels import CLIENT, NEED_DATA, PAUSED, SERVER, Sentinel

__all__ = ["Connection"]

_CLIENT_POS: Final = _AUTOMATON.position["client"]
_SERVER_POS: Final = _AUTOMATON.position["server"]
_EXPECT_CONTINUE_POS: Final = _AUTOMATON.position["expect_continue"]
_WAITING_FOR_100_CONTINUE: Final = Sentinel.named("waiting")

_TRIGGERS_BY_ROLE: Final = TRIGGERS_BY_ROLE
# The sentinels that receiving compares with on every call, as constants of
# this module: the compiled build reads a Final from a C variable, and an
# imported name from the module's dictionary.
_CLIENT: Final = CLIENT
_NEED_DATA: Final = NEED_DATA
_PAUSED: Final = PAUSED
_PROTOCOL_ERROR: Final = {
    role: _AUTOMATON.vocabulary.trigger("event", "ProtocolError", role) for role in (CLIENT, SERVER)
}
_PREPARE_TO_REUSE: Final = _AUTOMATON.vocabulary.trigger("method", "prepare_to_reuse")
_RESPONSE_BY_SERVER: Final = _TRIGGERS_BY_ROLE[SERVER][Response]

# The words of the tables' [receive] and [send] sections (interned by the
# loader, so they are compared by identity).
_HEAD: Final = sys.intern("head")
_BODY: Final = sys.intern("body")
_PAUSE: Final = sys.intern("pause")
_PAUSE_IF_DATA: Final = sys.intern("pause_if_data")
_SILENT: Final = sys.intern("silent")
_BROKEN: Final = sys.intern("broken")
_NONE: Final = sys.intern("none")
# The one connection option an [announce] section may name: the connection
# adds it to our heads with with_keep_alive.
_KEEP_ALIVE: Final = sys.intern("keep-alive")


def _check_the_words_are_known(automaton: Automaton) -> None:
    """The connection acts on each declared word; a table that declares a
    word it does not know would be read wrong, so it is refused at import
    (an exception, not an assert: ``python -O`` must not skip it)."""
    vocabulary = automaton.vocabulary
    receive = {_HEAD, _BODY, _PAUSE, _PAUSE_IF_DATA, _SILENT, _BROKEN}
    send = {_HEAD, _BODY, _NONE, _BROKEN}
    if vocabulary.receive_modes != receive or vocabulary.send_modes != send:
        raise TableError(
            "vocabulary.toml: receive_modes must be "
            f"{sorted(receive)} and send_modes {sorted(send)}: the Connection acts on exactly these"
        )
    if not vocabulary.announce_options <= {_KEEP_ALIVE}:
        raise TableError(
            f"vocabulary.toml: announce_options may only be {[_KEEP_ALIVE]}: the Connection announces no other option"
        )
    for role in (CLIENT, SERVER):
        machine = automaton.machines[automaton.position[role.name.lower()]]
        if not machine.receive or not machine.send:
            raise TableError(f"{machine.file}: the {role!r} machine needs [receive] and [send] sections")


_check_the_words_are_known(_AUTOMATON)

# The codec's limits are the connection's defaults: one number, one place.
DEFAULT_MAX_BUFFER_SIZE: Final = _codec.DEFAULT_MAX_HEAD_SIZE
DEFAULT_MAX_HEADER_COUNT: Final = _codec.DEFAULT_MAX_HEADER_COUNT


class _BodyReader(Protocol):
    def read(self, buf: _codec.ReceiveBuffer) -> Data | EndOfMessage | None: ...
    def read_eof(self) -> EndOfMessage: ...


class _BodyWriter(Protocol):
    def __call__(self, event: Data | EndOfMessage) -> list[Any]: ...


# What a connection's role decides: the other role, both positions in a
# joint state, and both roles' event triggers.
_ROLE_SETUP: Final = {
    CLIENT: (SERVER, _CLIENT_POS, _SERVER_POS, _TRIGGERS_BY_ROLE[CLIENT], _TRIGGERS_BY_ROLE[SERVER]),
    SERVER: (CLIENT, _SERVER_POS, _CLIENT_POS, _TRIGGERS_BY_ROLE[SERVER], _TRIGGERS_BY_ROLE[CLIENT]),
}

_ALREADY_BROKEN: Final = "can't send: we already broke the protocol (our state is ERROR)"

# Paused events are immutable and carry only the state, so one of each will
# do: one for every state in which the tables hold the peer's bytes.
_PAUSED_EVENTS: Final = {
    state: Paused(reason=state)
    for position in (_CLIENT_POS, _SERVER_POS)
    for state, mode in _AUTOMATON.machines[position].receive.items()
    if mode is _PAUSE or mode is _PAUSE_IF_DATA
}


def _body_events_allowed_in_body_states(automaton: Automaton) -> None:
    """The body loops (receiving and sending) fire Data and EndOfMessage for
    a role whose state reads or writes a body without a refusal path, so
    the tables must allow both there in every joint state. Checked once,
    at import, against the compiled automaton, so a table change that broke
    it is caught before any connection runs."""
    for joint in automaton.joint_states.values():
        for role in (CLIENT, SERVER):
            position = automaton.position[role.name.lower()]
            if joint.receive[position] is _BODY or joint.send[position] is _BODY:
                for event_type in (Data, EndOfMessage):
                    if automaton.vocabulary.trigger("event", event_type.__name__, role) not in joint.next:
                        raise TableError(
                            f"the tables must allow {event_type.__name__} by {role!r} wherever its state "
                            f"reads or writes a body (not in {joint!r})"
                        )


_body_events_allowed_in_body_states(_AUTOMATON)


class Connection:
    """One HTTP/1.1 connection, seen from one side.

    :param our_role: :data:`h11sm.CLIENT` or :data:`h11sm.SERVER`.
    :param max_buffer_size: the most bytes of one message head (request or
        status line plus header fields), of one chunk-size line, or of one
        trailer section that we will buffer while waiting for its end. A peer
        that sends more gets a :exc:`ProtocolError` with
        ``error_status_hint == 431``.
    :param max_header_count: the most header (or trailer) fields one message
        may carry.
    """

    def __init__(
        self,
        our_role: Sentinel,
        max_buffer_size: int = DEFAULT_MAX_BUFFER_SIZE,
        *,
        max_header_count: int = DEFAULT_MAX_HEADER_COUNT,
    ) -> None:
        if our_role is not CLIENT and our_role is not SERVER:
            raise ValueError(f"our_role must be h11sm.CLIENT or h11sm.SERVER, not {our_role!r}")
        if type(max_buffer_size) is not int:
            raise TypeError(f"max_buffer_size must be an int, not {type(max_buffer_size).__name__}")
        if type(max_header_count) is not int:
            raise TypeError(f"max_header_count must be an int, not {type(max_header_count).__name__}")
        if max_buffer_size < 1 or max_header_count < 1:
            raise ValueError("max_buffer_size and max_header_count must be positive")
        # (What depends on the role only, looked up in one go.)
        (
            their_role,
            self._our_pos,
            self._their_pos,
            self._our_triggers,
            self._their_triggers,
        ) = _ROLE_SETUP[our_role]
        #: :data:`CLIENT` if we are the client, :data:`SERVER` if we are the server.
        self.our_role: Final[Sentinel] = our_role
        #: The other role.
        self.their_role: Final[Sentinel] = their_role
        self._max_buffer_size = max_buffer_size
        self._max_header_count = max_header_count
        self._joint: JointState = _AUTOMATON.initial
        self._buffer = _codec.ReceiveBuffer()
        self._receive_closed = False
        self._pending_error: RemoteProtocolError | None = None
        self._body_reader: _BodyReader | None = None
        self._body_writer: _BodyWriter | None = None
        self._request_method: bytes | None = None
        #: The HTTP version the peer announced in its last message head, such
        #: as ``b"1.1"``; ``None`` until one arrived. Kept across reuse.
        self.their_http_version: bytes | None = None
        # Which role's message raised each signal, so that a refusal can say
        # what led there ("Connection: close, in a message from SERVER").
        self._signals_seen: dict[Trigger, Sentinel] = {}

    def __repr__(self) -> str:
        states = self._joint.states
        return (
            f"<h11sm.Connection our_role={self.our_role!r} "
            f"states={{CLIENT: {states[_CLIENT_POS]!r}, SERVER: {states[_SERVER_POS]!r}}}>"
        )

    # -- state ---------------------------------------------------------------

    @property
    def states(self) -> dict[Sentinel, Sentinel]:
        """``{CLIENT: <client state>, SERVER: <server state>}``."""
        states = self._joint.states
        return {CLIENT: states[_CLIENT_POS], SERVER: states[_SERVER_POS]}

    @property
    def our_state(self) -> Sentinel:
        """The state of our role's machine."""
        return self._joint.states[self._our_pos]

    @property
    def their_state(self) -> Sentinel:
        """The state of the peer's machine."""
        return self._joint.states[self._their_pos]

    @property
    def client_is_waiting_for_100_continue(self) -> bool:
        """True while a client that sent ``Expect: 100-continue`` waits for
        the server's go-ahead (RFC 9110 §10.1.1): the ``expect_continue``
        machine is ``waiting``."""
        return self._joint.states[_EXPECT_CONTINUE_POS] is _WAITING_FOR_100_CONTINUE

    @property
    def they_are_waiting_for_100_continue(self) -> bool:
        """True if the peer is a client waiting for ``100 Continue``."""
        return self.their_role is CLIENT and self.client_is_waiting_for_100_continue

    @property
    def trailing_data(self) -> tuple[bytes, bool]:
        """``(unprocessed bytes, whether the peer closed)``: after a protocol
        switch, the first bytes of the new protocol."""
        return (bytes(self._buffer), self._receive_closed)

    def _fire(self, trigger: Trigger) -> None:
        # The automaton's fire(), with the facts this connection saw for
        # the refusal.
        try:
            self._joint = self._joint.next[trigger]
        except KeyError:
            raise self._refusal(trigger) from None

    def _refusal(self, trigger: Trigger) -> TriggerRefused:
        """Why the tables refuse *trigger* now, with the facts this
        connection saw (only on the refusal path, so it may take its time)."""
        return _AUTOMATON.explain(self._joint.states, trigger, self._signals_seen)

    def prepare_to_reuse(self) -> None:
        """Start the next request/response exchange on this connection.

        Allowed only when both sides are :data:`DONE`; otherwise raises
        :exc:`ProtocolError` and leaves the connection exactly as it was.
        """
        self._fire(_PREPARE_TO_REUSE)
        self._body_reader = None
        self._body_writer = None
        self._request_method = None

    def send_failed(self) -> None:
        """Tell the connection that bytes it gave you never reached the peer
        (the write failed, or was cancelled).

        Our state becomes :data:`ERROR`: the peer's view of the exchange no
        longer matches ours, so the connection must not be reused (close
        it). Calling it again, or after another error, changes nothing.
        """
        self._fire(_PROTOCOL_ERROR[self.our_role])

    # -- receiving -----------------------------------------------------------

    def receive_data(self, data: bytes | bytearray | memoryview | None) -> list[Event]:
        """Feed bytes from the peer and return every event they complete.

        ``b""`` means the peer closed its sending side; ``None`` adds nothing
        but parses the buffer again (needed after :meth:`prepare_to_reuse`).
        The list ends with a :class:`Paused` event when parsing is paused.

        A :exc:`ProtocolError` from the peer is raised by the call that met
        the bad bytes, and the events of the broken message that this call
        produced are dropped (the message is lost anyway). Only when the
        call also completed an earlier message (its events up to
        :class:`EndOfMessage`) does it return that message's events, and
        the error is kept and raised by the next call: once you have
        answered that message, call ``receive_data(None)`` (as after
        :meth:`prepare_to_reuse`) or read again. So a loop that handles the
        events and then reads from its socket never waits for bytes while
        an error is pending that it has not been told of.
        """
        if self._pending_error is not None or self._joint.receive[self._their_pos] is _BROKEN:
            # Raises the kept error, or says the peer broke the protocol;
            # the new bytes are dropped, so a caller that keeps reading from
            # a broken peer cannot grow the buffer without bound.
            self._check_receiving()
        self.feed(data)
        events: list[Event] = []
        try:
            while True:
                # (A method call, not a bound method kept in a local: the
                # compiled build calls the method directly, but would call
                # the bound method through Python.)
                event = self._next_event()
                if event is _NEED_DATA:
                    return events
                if event is _PAUSED:
                    events.append(_PAUSED_EVENTS[self._joint.states[self._their_pos]])
                    return events
                events.append(event)  # type: ignore[arg-type]
                if type(event) is ConnectionClosed:
                    return events
        except Exception as exc:
            error = self._receive_failed(exc)
            # Only the events of complete messages are returned before the
            # error (see the docstring); the pieces of the broken message
            # are dropped, so a loop that handles events and then reads
            # again learns of the error now, not on a read that may never
            # return.
            complete = len(events)
            while complete and type(events[complete - 1]) is not EndOfMessage:
                complete -= 1
            if not complete:
                raise error from None
            self._pending_error = error
            del events[complete:]
            return events

    def feed(self, data: bytes | bytearray | memoryview | None) -> None:
        """Add bytes from the peer to the buffer without parsing them (the
        pull-style half of :meth:`receive_data`; see :meth:`next_event`)."""
        if data is None:
            return
        if self._receive_closed:
            if data:
                raise ValueError("received data after the peer closed the connection (receive_data(b'') came first)")
            return
        if data:
            self._buffer.feed(data)
        else:
            self._receive_closed = True

    def next_event(self) -> Event | Sentinel:
        """Parse and return the next event from the buffer.

        Returns :data:`NEED_DATA` when more bytes are needed, or
        :data:`PAUSED` when parsing is paused (see :class:`Paused`). Raises
        :exc:`ProtocolError` if the peer broke the protocol; from then on
        every call raises.
        """
        self._check_receiving()
        try:
            return self._next_event()
        except Exception as exc:
            raise self._receive_failed(exc) from None

    def _check_receiving(self) -> None:
        """Raise the error a receiving call must raise before reading: one
        kept for it by an earlier call, or the peer's broken state."""
        if self._pending_error is not None:
            # Found by an earlier call that had good events to return first;
            # the peer is already in ERROR.
            error, self._pending_error = self._pending_error, None
            raise error
        if self._joint.receive[self._their_pos] is _BROKEN:
            raise RemoteProtocolError("can't receive data: the peer already broke the protocol (state ERROR)")

    def _receive_failed(self, exc: Exception) -> RemoteProtocolError:
        """The peer's state becomes ERROR; the error to raise for *exc*."""
        self._fire(_PROTOCOL_ERROR[self.their_role])
        if isinstance(exc, ProtocolError):
            return as_remote(exc)
        # A bug in h11sm; reported the documented way.
        return RemoteProtocolError(f"internal error while parsing: {exc!r}")  # pragma: no cover

    def _next_event(self) -> Event | Sentinel:
        mode = self._joint.receive[self._their_pos]
        if mode is _BODY:
            reader = self._body_reader
            assert reader is not None  # (set with the head; for the type checker)
            event: Event | None = reader.read(self._buffer)
            if event is None:
                if not self._receive_closed:
                    return _NEED_DATA
                event = reader.read_eof()
            # _fire() without its refusal path, which cannot be taken here
            # (see _body_events_allowed_in_body_states): this runs for
            # every piece of every body.
            self._joint = self._joint.next[self._their_triggers[type(event)]]
            return event
        if mode is _HEAD:
            # (Called directly: a functools.partial holding the keyword
            # arguments would cost more than the call itself.)
            head: Request | InformationalResponse | Response | None
            if self.their_role is _CLIENT:
                head = _codec.read_request_head(
                    self._buffer, max_head_size=self._max_buffer_size, max_header_count=self._max_header_count
                )
            else:
                head = _codec.read_response_head(
                    self._buffer,
                    max_head_size=self._max_buffer_size,
                    max_header_count=self._max_header_count,
                    lenient=True,
                )
            if head is not None:
                self.their_http_version = head.http_version
                # (Read once: the step and the framing both use them.)
                facts = head_facts(head)
                self._take_head(head, classify(head, self._request_method), facts[0])
                if type(head) is not InformationalResponse:
                    # The reader of the body that follows the head.
                    self._body_reader = _codec.framing_for_receive(
                        head,
                        self._request_method,
                        facts,
                        max_line_size=self._max_buffer_size,
                        max_trailer_size=self._max_buffer_size,
                        max_header_count=self._max_header_count,
                    )
                return head
        elif mode is _PAUSE:
            return _PAUSED
        elif mode is _PAUSE_IF_DATA:
            if self._buffer.data:
                return _PAUSED
        elif self._buffer.data:
            raise RemoteProtocolError(
                f"received data while the peer should be silent (peer state {self.their_state!r})"
            )
        if not self._receive_closed:
            return _NEED_DATA
        if self._buffer.data:
            raise RemoteProtocolError("peer closed the connection in the middle of a message head")
        try:
            self._fire(self._their_triggers[ConnectionClosed])
        except TriggerRefused as refusal:
            # The tables decide where a close is clean; say what it means
            # for the user (typically: a server hung up without answering).
            raise RemoteProtocolError(
                f"peer closed the connection before the exchange was complete ({refusal.headline})"
            ) from None
        return ConnectionClosed()

    def _take_head(self, head: Request | InformationalResponse | Response, trigger: Trigger, facts: int) -> None:
        """Fire the signals *head*'s facts raise and then *trigger*, in
        either direction: one lookup (see :mod:`h11sm._head_step`)."""
        head_type = type(head)
        joint = self._joint
        key = (head_type, trigger, facts)
        found = joint.heads.get(key)
        if found is None:  # (the first such head from this joint state)
            found = joint.heads[key] = step(joint, head_type, trigger, facts)
        after_signals, moved, after, fired = found
        if moved:
            # Which role's message raised each signal that moved a
            # machine, so that a refusal can say what led there.
            by = CLIENT if head_type is Request else SERVER
            for signal in moved:
                self._signals_seen[signal] = by
        if after is None:
            self._joint = after_signals
            raise self._refusal(fired)
        self._joint = after
        if head_type is Request:
            self._request_method = head.method  # type: ignore[union-attr]

    # -- sending -------------------------------------------------------------

    @overload
    def send(self, event: Request | InformationalResponse | Response | Data | EndOfMessage) -> bytes: ...
    @overload
    def send(self, event: ConnectionClosed) -> None: ...
    @overload
    def send(self, event: Event) -> bytes | None: ...
    def send(self, event: Event) -> bytes | None:
        """Turn *event* into the bytes to send to the peer.

        Returns ``None`` for :class:`ConnectionClosed` (there is nothing to
        send: close or shut down your socket), bytes for every other event
        (so ``sock.sendall(conn.send(request))`` type-checks). Raises
        :exc:`ProtocolError` if the event is not allowed now; our state is
        then :data:`ERROR`. Anything that is not an event to send raises
        :exc:`TypeError` and changes nothing.
        """
        event_type = type(event)
        if event_type is Response or event_type is Request or event_type is InformationalResponse:
            # A head is always one piece of bytes: no list to unpack.
            return self._send_head(event)  # type: ignore[arg-type]
        if event_type is Data and type(event.data) is not bytes:  # type: ignore[attr-defined]
            # Converted once, before anything is counted: the writer then
            # counts exactly the bytes that go on the wire. (Converting
            # after counting let an object whose len() disagreed with its
            # bytes desynchronise the framing.)
            event = self._data_as_bytes(event)  # type: ignore[arg-type]
        pieces = self._send(event)
        if pieces is None:
            return None
        if len(pieces) == 1:
            return pieces[0]  # type: ignore[no-any-return]
        return b"".join(pieces)

    def _data_as_bytes(self, event: Data) -> Data:
        """*event* with its payload as bytes; if it can't be converted, our
        state becomes ERROR and the error is raised."""
        try:
            return Data._from_wire(bytes(event.data))
        except Exception as exc:
            # (A list of ints holding 300, a released memoryview...)
            error = self._send_failed(exc)
            if isinstance(exc, TypeError):
                raise TypeError(
                    "send() returns bytes, so Data.data must be bytes-like; send a placeholder "
                    "(for sendfile) with send_with_data_passthrough() instead"
                ) from None
            raise error from None

    def send_with_data_passthrough(self, event: Event) -> list[Any] | None:
        """Like :meth:`send`, but return the pieces to send in order, with a
        :class:`Data` event's ``data`` object passed through untouched (so it
        can be a placeholder that your I/O layer sends with ``sendfile()``).

        The framing counts what a payload puts on the wire without looking
        inside it: ``nbytes`` for an object with the buffer protocol, and
        ``len()`` for anything else. For a placeholder, ``len()`` is
        therefore a contract: your I/O layer must send exactly that many
        bytes for it, or the peer will read the framing wrong."""
        event_type = type(event)
        if event_type is Response or event_type is Request or event_type is InformationalResponse:
            return [self._send_head(event)]  # type: ignore[arg-type]
        return self._send(event)

    def _send_failed(self, exc: Exception) -> Exception:
        """Our state becomes ERROR; the error to raise for *exc*. A
        ProtocolError or not, whatever went wrong, our half of the
        conversation can no longer be trusted to be in step with the bytes
        sent so far. (A writer's complaint, such as a body longer than its
        Content-Length, is the caller's fault: a LocalProtocolError.)"""
        self._fire(_PROTOCOL_ERROR[self.our_role])
        return as_local(exc) if isinstance(exc, ProtocolError) else exc

    def _send_head(self, head: Request | InformationalResponse | Response) -> bytes:
        """send() for a head: its bytes, in one piece."""
        if self._joint.send[self._our_pos] is _BROKEN:
            raise LocalProtocolError(_ALREADY_BROKEN)
        try:
            event_type = type(head)
            if event_type not in self._our_triggers:
                raise LocalProtocolError(
                    f"{self.our_role!r} can't send a {event_type.__name__}: only the {self.their_role!r} does"
                )
            if head.http_version != b"1.1":
                raise LocalProtocolError(f"h11sm only sends HTTP/1.1 messages, not HTTP/{head.http_version.decode()}")
            if event_type is Request:
                return self._send_request(head)  # type: ignore[arg-type]
            return self._send_response(head)  # type: ignore[arg-type]
        except Exception as exc:
            raise self._send_failed(exc) from None

    def _send(self, event: Event) -> list[Any] | None:
        """send_with_data_passthrough() for anything but a head: Data and
        EndOfMessage (their pieces) and ConnectionClosed (None)."""
        if self._joint.send[self._our_pos] is _BROKEN:
            raise LocalProtocolError(_ALREADY_BROKEN)
        event_type = type(event)
        if event_type is not Data and event_type is not EndOfMessage and event_type is not ConnectionClosed:
            # (Nothing was sent or changed, so a plain type mistake leaves
            # the connection usable.)
            raise TypeError(
                "send() takes a Request, InformationalResponse, Response, Data, EndOfMessage or "
                f"ConnectionClosed, not {event_type.__name__}; the connection is unchanged"
            )
        try:
            trigger = self._our_triggers[event_type]
            if event_type is ConnectionClosed:
                self._fire(trigger)
                return None
            writer = self._body_writer
            if self._joint.send[self._our_pos] is not _BODY or writer is None:
                self._fire(trigger)  # raises: not allowed here
            assert writer is not None  # (for the type checker: the tables allowed no other way)
            pieces = writer(event)  # type: ignore[arg-type]
            # _fire() without its refusal path (see
            # _body_events_allowed_in_body_states): this runs for every
            # piece of every body.
            self._joint = self._joint.next[trigger]
            return pieces
        except Exception as exc:
            raise self._send_failed(exc) from None

    def _send_request(self, request: Request) -> bytes:
        # A request's framing never needs extra headers: without framing
        # fields its body is simply empty.
        # (The head's facts, read once, serve the framing and the step.)
        facts = head_facts(request)
        _, writer = _codec.framing_for_send_request(request, facts)
        _codec.check_request_to_send(request)
        if self._joint.announce is not None:
            headers = with_keep_alive(request.headers)
            if headers is not request.headers:
                request = Request._from_wire(request.method, request.target, headers, request.http_version)
        self._take_head(request, classify(request, None), facts[0])
        self._body_writer = writer
        return _codec.write_request_head(request)

    def _send_response(self, response: InformationalResponse | Response) -> bytes:
        status = response.status_code
        # (The head's facts, read once, serve the checks below, the framing
        # and the step.)
        read = head_facts(response)
        facts = read[0]
        if type(response) is InformationalResponse:
            if facts & CLOSE_OPTION:
                # RFC 9110 §7.6.1 ties "close" to the end of the exchange,
                # but some clients (llhttp) stop reading at a 1xx that
                # carries it, and the final response is lost.
                raise LocalProtocolError(
                    f"can't send Connection: close on a 1xx response ({status}): put it on the final response"
                )
            if status == 101 and not facts & UPGRADE:
                raise LocalProtocolError(
                    "a 101 Switching Protocols response must name the protocol it switches to in an "
                    "Upgrade header field (RFC 9110 §15.2.2)"
                )
        headers, writer, close_delimited = _codec.framing_for_send_response(
            response, self._request_method, self.their_http_version, read
        )
        trigger = classify(response, self._request_method)
        if type(response) is Response:
            # What the head must say besides the user's fields, with the
            # fact it raises (set here, not read back from the header): a
            # close-delimited body ends the connection; so does a response
            # after which the tables put the server in MUST_CLOSE; and the
            # option the tables' [announce] gives this joint state (an
            # HTTP/1.0 peer that asked for keep-alive must hear it back).
            # (A response that accepts a protocol switch ends HTTP instead,
            # and never announces a close.)
            if close_delimited:
                facts |= CLOSE_DELIMITED
                headers = with_close(headers)
            elif trigger is _RESPONSE_BY_SERVER and self._joint in RESPONSE_ENDS_IN_MUST_CLOSE:
                facts |= CLOSE_OPTION
                headers = with_close(headers)
            elif trigger is _RESPONSE_BY_SERVER and self._joint.announce is not None:
                headers = with_keep_alive(headers)
        if headers is not response.headers:
            response = type(response)._from_wire(status, headers, response.http_version, response.reason)
        self._take_head(response, trigger, facts)
        if type(response) is Response:
            self._body_writer = writer
        return _codec.write_response_head(response)
