"""The Connection: glue between the user's events, the engine and the codec.

A :class:`Connection` never decides a state transition itself. For every
event it works out the *triggers* the tables speak of (the event, plus any
signals read off its headers, such as ``Connection: close``) and hands them
to the compiled automaton; it asks the codec which framing applies and lets
the codec turn events into bytes and bytes into events.
"""

from __future__ import annotations

from typing import Any, Final, Protocol, overload

from . import _codec
from ._compiled import AUTOMATON as _AUTOMATON
from ._engine import JointState, TriggerRefused
from ._errors import (
    LocalProtocolError,
    ProtocolError,
    RemoteProtocolError,
    as_local,
    as_remote,
)
from ._events import (
    ConnectionClosed,
    Data,
    EndOfMessage,
    Event,
    InformationalResponse,
    Paused,
    Request,
    Response,
)
from ._headers import Headers, comma_list_items, get_comma_header, set_comma_header
from ._sentinels import (
    CLIENT,
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
from ._tables import Trigger

__all__ = ["Connection"]

_CLIENT_POS: Final = _AUTOMATON.position["client"]
_SERVER_POS: Final = _AUTOMATON.position["server"]


def _event_trigger(name: str, role: Sentinel) -> Trigger:
    return _AUTOMATON.vocabulary.trigger("event", name, role)


# The triggers, looked up once; firing one is then a dict lookup by identity.
_EVENT_TRIGGERS: Final[dict[tuple[type[Event], Sentinel], Trigger]] = {
    (event_type, role): _event_trigger(event_type.__name__, role)
    for event_type, roles in (
        (Request, (CLIENT,)),
        (InformationalResponse, (SERVER,)),
        (Response, (SERVER,)),
        (Data, (CLIENT, SERVER)),
        (EndOfMessage, (CLIENT, SERVER)),
        (ConnectionClosed, (CLIENT, SERVER)),
    )
    for role in roles
}
_ACCEPT_UPGRADE: Final = _event_trigger("AcceptUpgrade", SERVER)
_ACCEPT_CONNECT: Final = _event_trigger("AcceptConnect", SERVER)
_PROTOCOL_ERROR: Final = {role: _event_trigger("ProtocolError", role) for role in (CLIENT, SERVER)}
_SIGNAL_CONNECTION_CLOSE: Final = _AUTOMATON.vocabulary.trigger("signal", "connection_close")
_SIGNAL_HTTP_1_0: Final = _AUTOMATON.vocabulary.trigger("signal", "http_1_0")
_SIGNAL_HTTP_1_0_KEEP_ALIVE: Final = _AUTOMATON.vocabulary.trigger("signal", "http_1_0_keep_alive")
_SIGNAL_UPGRADE: Final = _AUTOMATON.vocabulary.trigger("signal", "upgrade_proposed")
_SIGNAL_CONNECT: Final = _AUTOMATON.vocabulary.trigger("signal", "connect_proposed")
_SIGNAL_FRAMING_CONFLICT: Final = _AUTOMATON.vocabulary.trigger("signal", "framing_conflict")
_PREPARE_TO_REUSE: Final = _AUTOMATON.vocabulary.trigger("method", "prepare_to_reuse")
# The same triggers by role, then by event type: what a connection looks up
# for every event (one dict per role, chosen once per connection).
_TRIGGERS_BY_ROLE: Final[dict[Sentinel, dict[type[Event], Trigger]]] = {
    role: {event_type: trigger for (event_type, by), trigger in _EVENT_TRIGGERS.items() if by is role}
    for role in (CLIENT, SERVER)
}
_RESPONSE_BY_SERVER: Final = _EVENT_TRIGGERS[Response, SERVER]
_REQUEST_BY_CLIENT: Final = _EVENT_TRIGGERS[Request, CLIENT]
_END_OF_MESSAGE_BY_SERVER: Final = _EVENT_TRIGGERS[EndOfMessage, SERVER]

# The codec's limits are the connection's defaults: one number, one place.
DEFAULT_MAX_BUFFER_SIZE: Final = _codec.DEFAULT_MAX_HEAD_SIZE
DEFAULT_MAX_HEADER_COUNT: Final = _codec.DEFAULT_MAX_HEADER_COUNT


class _BodyReader(Protocol):
    def read(self, buf: _codec.ReceiveBuffer) -> Data | EndOfMessage | None: ...
    def read_eof(self) -> EndOfMessage: ...


class _BodyWriter(Protocol):
    def __call__(self, event: Data | EndOfMessage) -> list[Any]: ...


# What a connection's role decides: the other role, both positions in a joint
# state, both roles' event triggers, and the peer's states in which a message
# head may start (a client's request starts from IDLE; a server's response
# head may come while the server is IDLE, an early 400 or 408, or answering).
_ROLE_SETUP: Final = {
    CLIENT: (
        SERVER, _CLIENT_POS, _SERVER_POS, _TRIGGERS_BY_ROLE[CLIENT], _TRIGGERS_BY_ROLE[SERVER], (IDLE, SEND_RESPONSE)
    ),
    SERVER: (CLIENT, _SERVER_POS, _CLIENT_POS, _TRIGGERS_BY_ROLE[SERVER], _TRIGGERS_BY_ROLE[CLIENT], (IDLE,)),
}

_ALREADY_BROKEN: Final = "can't send: we already broke the protocol (our state is ERROR)"

# Paused events are immutable and carry only the state, so one of each will do.
_PAUSED_EVENTS: Final = {state: Paused(reason=state) for state in (DONE, MIGHT_SWITCH_PROTOCOL, SWITCHED_PROTOCOL)}


# The comma-list fields whose tokens raise signals or set flags.
_TOKEN_LIST_NAMES: Final = frozenset({b"connection", b"upgrade", b"expect"})


def _has_faulty_framing(response: Response) -> bool:
    """RFC 9112 §6.1, §6.3: a response with Transfer-Encoding and also
    Content-Length, or from an HTTP/1.0 server, has faulty framing: it is
    read (as chunked) but the connection is closed after it."""
    names = [name for name, _ in response.headers._special_fields()]
    return b"transfer-encoding" in names and (b"content-length" in names or response.http_version < b"1.1")


def _with_keep_alive(headers: Headers) -> Headers:
    """*headers* with the keep-alive connection option added to their
    Connection field (the same object if they say keep-alive or close)."""
    tokens = get_comma_header(headers._special_fields(), b"connection")
    if b"keep-alive" in tokens or b"close" in tokens:
        return headers
    return set_comma_header(headers, b"connection", [*tokens, b"keep-alive"])


def _responses_that_end_in_must_close() -> frozenset[JointState]:
    """The joint states from which the tables put the server in MUST_CLOSE
    once a final response is complete (keep-alive off, the client gone or
    broken...): a response sent from one of them must say
    ``Connection: close``. Asked of the compiled automaton, so the rule
    stays in the tables."""
    closing = set()
    for joint in _AUTOMATON.joint_states.values():
        after_head = joint.next.get(_RESPONSE_BY_SERVER)
        after_body = None if after_head is None else after_head.next.get(_END_OF_MESSAGE_BY_SERVER)
        if after_body is not None and after_body.states[_SERVER_POS] is MUST_CLOSE:
            closing.add(joint)
    return frozenset(closing)


_RESPONSE_ENDS_IN_MUST_CLOSE: Final = _responses_that_end_in_must_close()

# The joint states in which persistence rests on HTTP/1.0's keep-alive
# mechanism (the keep-alive machine's table says why): every message head we
# send from one of them says `Connection: keep-alive`, unless it closes.
_KEEP_ALIVE_POS: Final = _AUTOMATON.position["keep_alive"]
_MUST_SAY_KEEP_ALIVE: Final = frozenset(
    joint
    for joint in _AUTOMATON.joint_states.values()
    if joint.states[_KEEP_ALIVE_POS] is Sentinel.named("enabled_http_1_0")
)

# The body loops (receiving and sending) fire Data and EndOfMessage for a
# role in SEND_BODY without a refusal path, because the tables allow both
# there in every joint state. Checked once, at import, against the compiled
# automaton, so a table change that broke it would be caught here.
_BODY_EVENTS_ALLOWED_IN_SEND_BODY: Final = all(
    _TRIGGERS_BY_ROLE[role][event_type] in joint.next
    for joint in _AUTOMATON.joint_states.values()
    for role, position in ((CLIENT, _CLIENT_POS), (SERVER, _SERVER_POS))
    if joint.states[position] is SEND_BODY
    for event_type in (Data, EndOfMessage)
)
assert _BODY_EVENTS_ALLOWED_IN_SEND_BODY, "the tables must allow Data and EndOfMessage in SEND_BODY"


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
            self._head_states,
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
        #: True while a client that sent ``Expect: 100-continue`` waits for
        #: the server's go-ahead (RFC 9110 §10.1.1).
        self.client_is_waiting_for_100_continue = False
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
    def they_are_waiting_for_100_continue(self) -> bool:
        """True if the peer is a client waiting for ``100 Continue``."""
        return self.their_role is CLIENT and self.client_is_waiting_for_100_continue

    @property
    def trailing_data(self) -> tuple[bytes, bool]:
        """``(unprocessed bytes, whether the peer closed)``: after a protocol
        switch, the first bytes of the new protocol."""
        return (bytes(self._buffer), self._receive_closed)

    def _fire(self, trigger: Trigger) -> None:
        # The automaton's fire(), inlined: this runs several times per message.
        try:
            self._joint = self._joint.next[trigger]
        except KeyError:
            raise self._refusal(trigger) from None

    def _refusal(self, trigger: Trigger) -> TriggerRefused:
        """Why the tables refuse *trigger* now, with the facts this
        connection saw (only on the refusal path, so it may take its time)."""
        return _AUTOMATON.explain(self._joint.states, trigger, self._signals_seen)

    def _fire_signal(self, signal: Trigger, head: Request | InformationalResponse | Response) -> None:
        before = self._joint
        self._fire(signal)
        if self._joint is not before:
            # Only a signal that moved a machine explains anything (the
            # close we add to our answer after the peer's own changes nothing).
            self._signals_seen[signal] = CLIENT if type(head) is Request else SERVER

    def prepare_to_reuse(self) -> None:
        """Start the next request/response exchange on this connection.

        Allowed only when both sides are :data:`DONE`; otherwise raises
        :exc:`ProtocolError` and leaves the connection exactly as it was.
        """
        try:  # (_fire(), inline: once per exchange on a kept-alive connection)
            self._joint = self._joint.next[_PREPARE_TO_REUSE]
        except KeyError:
            raise self._refusal(_PREPARE_TO_REUSE) from None
        self._body_reader = None
        self._body_writer = None
        self._request_method = None
        self.client_is_waiting_for_100_continue = False

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
        if self._pending_error is not None or self._joint.states[self._their_pos] is ERROR:
            # Raises the kept error, or says the peer broke the protocol;
            # the new bytes are dropped, so a caller that keeps reading from
            # a broken peer cannot grow the buffer without bound.
            self.next_event()
        # feed()'s usual cases, without its calls: bytes to add, or None.
        if data and not self._receive_closed:
            try:
                self._buffer._data += data
            except TypeError:
                self._buffer.feed(data)  # raises, saying what data must be
        elif data is not None:
            self.feed(data)
        # next_event()'s loop, inlined: its checks hold until an error ends it.
        events: list[Event] = []
        next_event = self._next_event
        try:
            while True:
                event = next_event()
                if event is NEED_DATA:
                    return events
                if event is PAUSED:
                    events.append(_PAUSED_EVENTS[self._joint.states[self._their_pos]])
                    return events
                events.append(event)  # type: ignore[arg-type]
                event_type = type(event)
                if event_type is EndOfMessage:
                    # What _next_event() would answer next when the peer's
                    # message left it DONE (the keep-alive case), without
                    # the call: PAUSED with bytes of a pipelined message
                    # waiting, NEED_DATA without them.
                    if self._joint.states[self._their_pos] is DONE:
                        if self._buffer._data:
                            events.append(_PAUSED_EVENTS[DONE])
                            return events
                        if not self._receive_closed:
                            return events
                elif event_type is ConnectionClosed:
                    return events
        except ProtocolError as exc:
            self._fire(_PROTOCOL_ERROR[self.their_role])
            # Only the events of complete messages are returned before the
            # error (see the docstring); the pieces of the broken message
            # are dropped, so a loop that handles events and then reads
            # again learns of the error now, not on a read that may never
            # return.
            complete = len(events)
            while complete and type(events[complete - 1]) is not EndOfMessage:
                complete -= 1
            if not complete:
                raise as_remote(exc) from None
            self._pending_error = as_remote(exc)
            del events[complete:]
            return events
        except Exception as exc:  # pragma: no cover - a bug in h11sm; report it the documented way
            self._fire(_PROTOCOL_ERROR[self.their_role])
            raise RemoteProtocolError(f"internal error while parsing: {exc!r}") from exc

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
        if self._pending_error is not None:
            # Found by an earlier call that had good events to return first;
            # the peer is already in ERROR.
            error, self._pending_error = self._pending_error, None
            raise error
        if self.their_state is ERROR:
            raise RemoteProtocolError("can't receive data: the peer already broke the protocol (state ERROR)")
        try:
            return self._next_event()
        except ProtocolError as exc:
            self._fire(_PROTOCOL_ERROR[self.their_role])
            raise as_remote(exc) from None
        except Exception as exc:  # pragma: no cover - a bug in h11sm; report it the documented way
            self._fire(_PROTOCOL_ERROR[self.their_role])
            raise RemoteProtocolError(f"internal error while parsing: {exc!r}") from exc

    def _next_event(self) -> Event | Sentinel:
        state = self._joint.states[self._their_pos]
        if state is SEND_BODY:
            reader = self._body_reader
            assert reader is not None
            event: Event | None = reader.read(self._buffer)
            if event is None:
                if not self._receive_closed:
                    return NEED_DATA
                event = reader.read_eof()
            if self.their_role is CLIENT:
                self.client_is_waiting_for_100_continue = False
            # _fire(), inlined, without its refusal path, which cannot be
            # taken here (see _BODY_EVENTS_ALLOWED_IN_SEND_BODY): this runs
            # for every piece of every body.
            self._joint = self._joint.next[self._their_triggers[type(event)]]
            return event
        if state is MIGHT_SWITCH_PROTOCOL or state is SWITCHED_PROTOCOL:
            return PAUSED
        if state is DONE:
            # (Its own branch: the buffer is then looked at only once. Its
            # bytearray is asked directly, here and below: bool() of the
            # buffer itself would be a Python-level call.)
            if self._buffer._data:
                return PAUSED
        elif state in self._head_states:
            # (Called directly: a functools.partial holding the keyword
            # arguments would cost more than the call itself.)
            head: Request | InformationalResponse | Response | None
            if self.their_role is CLIENT:
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
                # (The usual triggers are found without a call: every
                # request, and every final response that can't accept a
                # CONNECT.)
                head_type = type(head)
                if head_type is Request:
                    trigger = _REQUEST_BY_CLIENT
                else:
                    # Only received responses can have faulty framing:
                    # requests with it are refused by the parser, and we
                    # never send it. (Fewer than two special fields can't
                    # hold both framing fields: then there is nothing to
                    # look for, unless the server speaks HTTP/1.0.)
                    special = head.headers._special
                    if (
                        head_type is Response
                        and (special is None or len(special) > 1 or head.http_version < b"1.1")
                        and _has_faulty_framing(head)  # type: ignore[arg-type]
                    ):
                        self._fire_signal(_SIGNAL_FRAMING_CONFLICT, head)
                    if head_type is Response and self._request_method != b"CONNECT":
                        trigger = _RESPONSE_BY_SERVER
                    else:
                        trigger = self._response_trigger(head)  # type: ignore[arg-type]
                self._process_head(head, trigger)
                if head_type is not InformationalResponse:
                    self._body_reader = _codec.framing_for_receive(
                        head,
                        self._request_method,
                        max_line_size=self._max_buffer_size,
                        max_trailer_size=self._max_buffer_size,
                        max_header_count=self._max_header_count,
                    )
                return head
        elif self._buffer._data:
            raise RemoteProtocolError(f"received data while the peer should be silent (peer state {state!r})")
        if not self._receive_closed:
            return NEED_DATA
        if self._buffer._data:
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
        except TypeError:
            self._fire(_PROTOCOL_ERROR[self.our_role])
            raise TypeError(
                "send() returns bytes, so Data.data must be bytes-like; send a placeholder "
                "(for sendfile) with send_with_data_passthrough() instead"
            ) from None
        except Exception:
            # (A list of ints holding 300, a released memoryview...)
            self._fire(_PROTOCOL_ERROR[self.our_role])
            raise

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

    def _send_head(self, head: Request | InformationalResponse | Response) -> bytes:
        """send() for a head: its bytes, in one piece."""
        if self._joint.states[self._our_pos] is ERROR:
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
        except ProtocolError as exc:
            self._fire(_PROTOCOL_ERROR[self.our_role])
            raise as_local(exc) from None
        except Exception:
            # (Not a ProtocolError: see _send.)
            self._fire(_PROTOCOL_ERROR[self.our_role])
            raise

    def _send(self, event: Event) -> list[Any] | None:
        """send_with_data_passthrough() for anything but a head: Data and
        EndOfMessage (their pieces) and ConnectionClosed (None)."""
        states = self._joint.states
        if states[self._our_pos] is ERROR:
            raise LocalProtocolError(_ALREADY_BROKEN)
        try:
            event_type = type(event)
            if event_type is Data or event_type is EndOfMessage:
                # The body comes first: it is sent many times per message.
                trigger = self._our_triggers[event_type]
                writer = self._body_writer
                if states[self._our_pos] is not SEND_BODY or writer is None:
                    self._fire(trigger)  # raises: not allowed here
                assert writer is not None
                pieces = writer(event)  # type: ignore[arg-type]
                if self.our_role is CLIENT:
                    self.client_is_waiting_for_100_continue = False
                # _fire(), inlined, without its refusal path (see
                # _BODY_EVENTS_ALLOWED_IN_SEND_BODY): this runs for every
                # piece of every body.
                self._joint = self._joint.next[trigger]
                return pieces
            if event_type is ConnectionClosed:
                self._fire(self._our_triggers[ConnectionClosed])
                return None
        except ProtocolError as exc:
            # (A writer's complaint, such as a body longer than its
            # Content-Length, is the caller's fault.)
            self._fire(_PROTOCOL_ERROR[self.our_role])
            raise as_local(exc) from None
        except Exception:
            # A ProtocolError or not, whatever went wrong, our half of the
            # conversation can no longer be trusted to be in step with the
            # bytes sent so far.
            self._fire(_PROTOCOL_ERROR[self.our_role])
            raise
        # Not an event we can send (outside the try: nothing was sent or
        # changed, so a plain type mistake leaves the connection usable).
        raise TypeError(
            f"send() takes a Request, InformationalResponse, Response, Data, EndOfMessage or ConnectionClosed, "
            f"not {type(event).__name__}; the connection is unchanged"
        )

    def _send_request(self, request: Request) -> bytes:
        # A request's framing never needs extra headers: without framing
        # fields its body is simply empty.
        _, writer = _codec.framing_for_send_request(request)
        _codec.check_request_to_send(request)
        if self._joint in _MUST_SAY_KEEP_ALIVE:
            headers = _with_keep_alive(request.headers)
            if headers is not request.headers:
                request = Request._from_wire(request.method, request.target, headers, request.http_version)
        self._process_head(request, _REQUEST_BY_CLIENT)
        self._body_writer = writer
        return _codec.write_request_head(request)

    def _send_response(self, response: InformationalResponse | Response) -> bytes:
        status = response.status_code
        if type(response) is InformationalResponse:
            if self.their_http_version is not None and self.their_http_version < b"1.1":
                raise LocalProtocolError(
                    f"can't send a 1xx response ({status}) to an HTTP/1.0 client: it would not understand "
                    "it (RFC 9110 §15.2)"
                )
            if b"close" in get_comma_header(response.headers._special_fields(), b"connection"):
                # RFC 9110 §7.6.1 ties "close" to the end of the exchange,
                # but some clients (llhttp) stop reading at a 1xx that
                # carries it, and the final response is lost.
                raise LocalProtocolError(
                    f"can't send Connection: close on a 1xx response ({status}): put it on the final response"
                )
            if status == 101:
                if self.client_is_waiting_for_100_continue:
                    raise LocalProtocolError(
                        "the client is waiting for 100 Continue: send it (and read the body) before "
                        "101 Switching Protocols (RFC 9110 §7.8)"
                    )
                if not get_comma_header(response.headers, b"upgrade"):
                    raise LocalProtocolError(
                        "a 101 Switching Protocols response must name the protocol it switches to in an "
                        "Upgrade header field (RFC 9110 §15.2.2)"
                    )
        headers, writer, must_close = _codec.framing_for_send_response(
            response, self._request_method, self.their_http_version
        )
        # (A plain final response's trigger without the call, unless it may
        # accept a CONNECT: this is nearly every response sent.)
        if type(response) is Response and self._request_method != b"CONNECT":
            trigger = _RESPONSE_BY_SERVER
        else:
            trigger = self._response_trigger(response)
        # The prediction is for an ordinary response; one that accepts a
        # protocol switch ends HTTP instead, and never announces a close.
        closing = must_close or (trigger is _RESPONSE_BY_SERVER and self._joint in _RESPONSE_ENDS_IN_MUST_CLOSE)
        if closing and type(response) is Response:
            tokens = [t for t in get_comma_header(headers._special_fields(), b"connection") if t != b"keep-alive"]
            if b"close" not in tokens:
                headers = set_comma_header(headers, b"connection", [*tokens, b"close"])
        elif trigger is _RESPONSE_BY_SERVER and self._joint in _MUST_SAY_KEEP_ALIVE:
            headers = _with_keep_alive(headers)
        if headers is not response.headers:
            response = type(response)._from_wire(
                response.status_code, headers, response.http_version, response.reason
            )
        self._process_head(response, trigger)
        if type(response) is Response:
            self._body_writer = writer
        return _codec.write_response_head(response)

    # -- shared by both directions -------------------------------------------

    def _response_trigger(self, response: InformationalResponse | Response) -> Trigger:
        """The event trigger a response fires (a request always fires
        ``_REQUEST_BY_CLIENT``). A response that accepts the client's
        proposal is its own event in the vocabulary (the tables decide
        whether it is allowed): 101 for Upgrade, a 2xx for CONNECT."""
        event_type = type(response)
        status = response.status_code
        if event_type is InformationalResponse and status == 101:
            return _ACCEPT_UPGRADE
        if event_type is Response and self._request_method == b"CONNECT" and 200 <= status < 300:
            return _ACCEPT_CONNECT
        return _TRIGGERS_BY_ROLE[SERVER][event_type]

    def _process_head(self, head: Request | InformationalResponse | Response, trigger: Trigger) -> None:
        """Fire the signals and then *trigger* (see _response_trigger) for a
        message head, in either direction, and keep the facts later framing
        depends on.

        The signals fire in the order the tables expect them: HTTP/1.0,
        Connection: close, an Upgrade proposal, a CONNECT; then the event.
        (Inline code rather than helpers and _fire(): this runs for every
        head sent or received.)
        """
        # The tokens of the head's Connection, Upgrade and Expect fields by
        # field name (as get_comma_header() gives them; a name is absent
        # when its field is), read off the head's few special fields.
        tokens: dict[bytes, list[bytes]] | None = None  # (made only when needed: most heads have none)
        special = head.headers._special  # (the method call only when not yet found)
        for name, value in special if special is not None else head.headers._special_fields():
            if name in _TOKEN_LIST_NAMES:
                if tokens is None:
                    tokens = {name: comma_list_items(value)}
                elif name in tokens:
                    tokens[name] += comma_list_items(value)
                else:
                    tokens[name] = comma_list_items(value)
        if head.http_version < b"1.1":
            # RFC 9112 Appendix C.2.2: an HTTP/1.0 peer asks to keep the
            # connection with the keep-alive connection option.
            if tokens and b"keep-alive" in tokens.get(b"connection", ()):
                self._fire_signal(_SIGNAL_HTTP_1_0_KEEP_ALIVE, head)
            else:
                self._fire_signal(_SIGNAL_HTTP_1_0, head)
        if tokens and b"close" in tokens.get(b"connection", ()):
            self._fire_signal(_SIGNAL_CONNECTION_CLOSE, head)
        if type(head) is Request:
            request: Request = head
            # RFC 9110 §7.8: Upgrade in an HTTP/1.0 request is ignored.
            if tokens and tokens.get(b"upgrade") and request.http_version >= b"1.1":
                self._fire_signal(_SIGNAL_UPGRADE, head)
            if request.method == b"CONNECT":
                self._fire_signal(_SIGNAL_CONNECT, head)
            try:
                self._joint = self._joint.next[trigger]
            except KeyError:
                raise self._refusal(trigger) from None
            self._request_method = request.method
            if tokens and b"100-continue" in tokens.get(b"expect", ()) and request.http_version >= b"1.1":
                self.client_is_waiting_for_100_continue = True
            return
        try:
            self._joint = self._joint.next[trigger]
        except KeyError:
            raise self._refusal(trigger) from None
        # RFC 9110 §10.1.1: only a 100 (Continue) or a final response ends
        # the wait; another 1xx, such as 103 Early Hints, does not.
        if head.status_code == 100 or type(head) is Response:
            self.client_is_waiting_for_100_continue = False
