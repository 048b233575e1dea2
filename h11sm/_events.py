"""The events: what a user sends with :meth:`Connection.send` and gets back
from :meth:`Connection.receive_data`.

Every event is an immutable, final class with keyword-only constructor
arguments. Constructors convert their arguments to the canonical types (byte
strings, plain ints) and check them, raising :exc:`LocalProtocolError` for a value
HTTP/1.1 does not allow and :exc:`TypeError` for an argument of the wrong
kind. Events compare equal when they are of the same class and their fields
are equal; they are not hashable.

The wire parser has already checked everything it read, so it builds events
with the private ``_from_wire`` constructors, which take positional arguments
in field order and check nothing. They call the public constructor with the
private keyword ``_trusted=True``, which skips the checks: every event,
however it is made, is made by its ``__init__``. (That is what lets mypyc
compile the classes: a compiled class can only be instantiated through its
constructor, never allocated bare with ``object.__new__``.)

The code is plain on purpose, so that mypyc compiles it as it is: fields are
stored with ``object.__setattr__(obj, "name", value)`` (the one way past the
immutability guard, and one mypyc turns into a direct store), with no
``__class__`` swaps, slot-setter tables or conditional definitions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sized
from http import HTTPStatus
from typing import Any, ClassVar, Final, Self, final

from ._abnf import HTTP_VERSION_RE, REQUEST_TARGET_RE, TOKEN_RE
from ._errors import LocalProtocolError
from ._headers import EMPTY_HEADERS, Headers, _quote, normalize_and_validate, special_fields, to_bytes
from ._sentinels import DONE, MIGHT_SWITCH_PROTOCOL, SWITCHED_PROTOCOL, Sentinel

__all__ = [
    "ChunkExtensions",
    "ConnectionClosed",
    "Data",
    "EndOfMessage",
    "Event",
    "InformationalResponse",
    "Paused",
    "Request",
    "Response",
]

#: What the constructors accept where they store a byte string.
BytesLike = bytes | bytearray | memoryview | str

_token_fullmatch: Final = TOKEN_RE.fullmatch
_target_fullmatch: Final = REQUEST_TARGET_RE.fullmatch
_version_fullmatch: Final = HTTP_VERSION_RE.fullmatch

# Every byte allowed in a reason phrase (RFC 9112 §4: HTAB, SP, VCHAR and
# obs-text): everything but the controls other than HTAB.
_REASON_BYTES: Final = bytes([0x09, *range(0x20, 0x7F), *range(0x80, 0x100)])
# The methods of RFC 9110 §9 and RFC 5789 (PATCH): tokens, so a set lookup
# settles the method of nearly every request.
_STANDARD_METHODS: Final = frozenset(
    {b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"CONNECT", b"OPTIONS", b"TRACE", b"PATCH"}
)
# The standard reason phrases (RFC 9110 §15), and the empty one: valid, and
# nearly every response carries one of them, so a set lookup settles it.
_STANDARD_REASONS: Final = frozenset({b"", *(status.phrase.encode("ascii") for status in HTTPStatus)})

# The states of the peer that can pause reading (compared by identity:
# sentinels don't define __eq__).
_PAUSE_REASONS: Final = (DONE, MIGHT_SWITCH_PROTOCOL, SWITCHED_PROTOCOL)

# Set once every event class below exists: from then on, subclassing an
# event is refused (see Event.__init_subclass__).
_sealed = False


def _rebuild(cls: type[Event], values: tuple[object, ...]) -> Event:
    """Make an event of class *cls* from its field values (for unpickling).

    The public constructor checks them again: a pickle is bytes from
    somewhere else, and an event that breaks its own rules must not come
    out of one.
    """
    return cls(**dict(zip(cls._fields, values, strict=True)))


class Event:
    """The base class of all events. It can't be instantiated or subclassed;
    use it for type annotations and :func:`isinstance` checks."""

    __slots__ = ()

    # The field names, in constructor and repr() order: the keyword
    # arguments that make an equal event.
    _fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self) -> None:
        raise TypeError("Event is an abstract base class; create one of its subclasses")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # The events are final (type checkers learn it from @final); this
        # says so at run time too. A compiled build refuses subclasses of
        # its classes by itself.
        super().__init_subclass__(**kwargs)
        if _sealed:
            parent = cls.__mro__[1]
            if parent is Event or parent is _StatusResponse:
                raise TypeError(f"h11sm events can't be subclassed (in {cls.__qualname__})")
            raise TypeError(f"{parent.__name__} is a final class and can't be subclassed")

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} events are immutable (can't set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} events are immutable (can't delete {name!r})")

    def _field_values(self) -> tuple[object, ...]:
        return tuple([getattr(self, name) for name in self._fields])

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self) or not isinstance(other, Event):
            return NotImplemented
        return self._field_values() == other._field_values()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({shown})"

    def __reduce__(self) -> tuple[Callable[..., Event], tuple[type[Event], tuple[object, ...]]]:
        return (_rebuild, (type(self), self._field_values()))


def _bytes_field(value: object, what: str) -> bytes:
    return value if type(value) is bytes else to_bytes(value, what)


# The versions nearly every event carries; they skip the checks below.
_COMMON_VERSIONS: Final = frozenset({b"1.1", b"1.0"})

# The constructors settle the usual values inline and call these checks for
# the rest.


def _http_version(value: object) -> bytes:
    version = _bytes_field(value, "http_version")
    if _version_fullmatch(version) is None:
        raise LocalProtocolError(
            f"Illegal http_version {_quote(version)} (expected a digit, a dot and a digit)"
        )
    return version


def _status_code(value: object, event: str, low: int, high: int) -> int:
    if type(value) is not int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{event}.status_code must be an int, not {type(value).__name__}")
        value = int(value)
    if not low <= value < high:
        raise LocalProtocolError(f"{event}.status_code must be in [{low}, {high}), not {value}")
    return value


def _reason(value: object) -> bytes:
    reason = _bytes_field(value, "reason")
    if reason.translate(None, _REASON_BYTES):
        raise LocalProtocolError(f"Illegal reason {_quote(reason)} (control characters)")
    return reason


@final
class Request(Event):
    """The start of an HTTP request: request line and header fields.

    :param method: the request method, a token such as ``b"GET"``.
    :param target: the request target: ``b"/index.html"``, an absolute URL,
        ``host:port`` for CONNECT or ``*``; any run of visible ASCII
        characters is accepted here.
    :param headers: the header fields, as an iterable of ``(name, value)``
        pairs, checked and normalised into a :class:`Headers` sequence.
    :param http_version: the protocol version, ``b"1.1"`` unless you are
        replaying a message received from an older peer.

    The byte-string arguments may also be given as other bytes-like objects
    or as ASCII-only :class:`str`. An HTTP/1.1 request must carry exactly one
    Host header field (RFC 9112 §3.2); an HTTP/1.0 request may leave it out,
    but may not repeat it either.
    """

    _fields = ("method", "target", "headers", "http_version")
    __slots__ = {
        "headers": "The header fields, a :class:`Headers` sequence of "
        "``(name, value)`` byte-string pairs with lowercase names (its "
        "``raw_items()`` gives the names in the case they were given or received).",
        "http_version": "The HTTP version, as bytes like ``b'1.1'``. Always a "
        "digit, a dot and a digit, so byte-string comparisons such as "
        "``http_version < b'1.1'`` order versions correctly.",
        "method": "The request method, as bytes: ``b'GET'``, ``b'POST'``, ... "
        "Methods are case-sensitive and kept as given.",
        "target": "The request target, as bytes, e.g. ``b'/index.html?q=1'``.",
    }

    method: bytes
    target: bytes
    headers: Headers
    http_version: bytes

    def __init__(
        self,
        *,
        method: BytesLike,
        target: BytesLike,
        headers: Iterable[tuple[object, object]],
        http_version: BytesLike = b"1.1",
        _trusted: bool = False,
    ) -> None:
        # With _trusted (from _from_wire), the values are what the wire
        # parser read and checked, and are stored as they are.
        if not _trusted:
            # (The usual types are recognised inline: a call per field costs
            # more than the check.)
            if type(method) is not bytes:
                method = to_bytes(method, "method")
            if method not in _STANDARD_METHODS and _token_fullmatch(method) is None:
                raise LocalProtocolError(f"Illegal method {_quote(method)}")
            if type(target) is not bytes:
                target = to_bytes(target, "target")
            if _target_fullmatch(target) is None:
                raise LocalProtocolError(f"Illegal target {_quote(target)}")
            headers = normalize_and_validate(headers)
            if type(http_version) is not bytes or http_version not in _COMMON_VERSIONS:
                http_version = _http_version(http_version)
            _check_hosts(headers, http_version)
        object.__setattr__(self, "method", method)
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "headers", headers)
        object.__setattr__(self, "http_version", http_version)

    @staticmethod
    def _from_wire(method: bytes, target: bytes, headers: Headers, http_version: bytes) -> Request:
        """Build a Request from values the wire parser has checked."""
        return Request(method=method, target=target, headers=headers, http_version=http_version, _trusted=True)


def _check_hosts(headers: Headers, http_version: bytes) -> None:
    """RFC 9112 §3.2: exactly one Host field in an HTTP/1.1 request, at most
    one in an older one."""
    hosts = 0
    for name, _ in special_fields(headers):
        if name == b"host":
            hosts += 1
    if hosts == 0:
        if http_version >= b"1.1":
            raise LocalProtocolError("Missing mandatory Host: header")
    elif hosts > 1:
        raise LocalProtocolError("Found multiple Host: headers")


class _StatusResponse(Event):
    """What :class:`InformationalResponse` and :class:`Response` share: a
    status line and header fields, checked the same way; only the range of
    status codes differs."""

    _fields = ("status_code", "headers", "http_version", "reason")
    __slots__ = {
        "headers": "The header fields, a :class:`Headers` sequence of "
        "``(name, value)`` byte-string pairs with lowercase names (its "
        "``raw_items()`` gives the names in the case they were given or received).",
        "http_version": "The HTTP version, as bytes like ``b'1.1'``.",
        "reason": "The reason phrase, as bytes (possibly empty). It carries no "
        "meaning: look at :attr:`status_code` instead.",
        "status_code": "The status code, an :class:`int` in the range given above.",
    }

    status_code: int
    headers: Headers
    http_version: bytes
    reason: bytes

    # The status codes this kind of response carries: [_lowest, _beyond).
    _lowest: ClassVar[int]
    _beyond: ClassVar[int]

    def __init__(
        self,
        *,
        status_code: int,
        headers: Iterable[tuple[object, object]] = (),
        http_version: BytesLike = b"1.1",
        reason: BytesLike = b"",
        _trusted: bool = False,
    ) -> None:
        # _trusted: as in Request.
        if not _trusted:
            # The usual arguments are checked inline, field by field in order
            # (so the first bad one is the one reported); the helpers handle
            # the rest.
            lowest, beyond = self._lowest, self._beyond
            if type(status_code) is not int or not lowest <= status_code < beyond:
                status_code = _status_code(status_code, type(self).__name__, lowest, beyond)
            headers = normalize_and_validate(headers)
            if type(http_version) is not bytes or http_version not in _COMMON_VERSIONS:
                http_version = _http_version(http_version)
            if type(reason) is not bytes or (
                reason not in _STANDARD_REASONS and reason.translate(None, _REASON_BYTES)
            ):
                reason = _reason(reason)
        # (Here rather than in each subclass: mypyc turns these into direct
        # stores only in the class that declares the fields.)
        object.__setattr__(self, "status_code", status_code)
        object.__setattr__(self, "headers", headers)
        object.__setattr__(self, "http_version", http_version)
        object.__setattr__(self, "reason", reason)

    @classmethod
    def _from_wire(cls, status_code: int, headers: Headers, http_version: bytes, reason: bytes) -> Self:
        """Build a response of this class from values the wire parser has
        checked."""
        return cls(status_code=status_code, headers=headers, http_version=http_version, reason=reason, _trusted=True)


@final
class InformationalResponse(_StatusResponse):
    """An interim (1xx) response, such as ``100 Continue`` or
    ``101 Switching Protocols``, sent before the final :class:`Response`.

    :param status_code: an :class:`int` in the range [100, 200). An
        :class:`~enum.IntEnum` such as :class:`http.HTTPStatus` is accepted
        and stored as a plain :class:`int`.
    :param headers: the header fields, as an iterable of ``(name, value)``
        pairs.
    :param http_version: the protocol version, normally left at ``b"1.1"``.
    :param reason: the reason phrase. It may be empty: h11sm then sends the
        standard phrase for the status code.
    """

    __slots__ = ()
    _lowest = 100
    _beyond = 200


@final
class Response(_StatusResponse):
    """The start of the final response to a request: status line and header
    fields.

    :param status_code: an :class:`int` in the range [200, 1000): any
        three-digit final status, as a client accepts on the wire (so a
        proxy can forward what it received). An :class:`~enum.IntEnum` such
        as :class:`http.HTTPStatus` is accepted and stored as a plain
        :class:`int`. A code above 599 has no class in RFC 9110 §15; it is
        framed like a 500.
    :param headers: the header fields, as an iterable of ``(name, value)``
        pairs.
    :param http_version: the protocol version, normally left at ``b"1.1"``.
    :param reason: the reason phrase. It may be empty: h11sm then sends the
        standard phrase for the status code.
    """

    __slots__ = ()
    _lowest = 200
    _beyond = 1000


#: The type of :attr:`Data.extensions`.
ChunkExtensions = tuple[tuple[bytes, bytes | None], ...]

# The default of Data(extensions=...): Data() recognises it by identity.
_NO_EXTENSIONS: Final[ChunkExtensions] = ()


@final
class Data(Event):
    """A piece of a message body.

    :param data: the bytes. A body may be sent and received in any number of
        Data events; their concatenation is the body.
    :param chunk_start: accepted for compatibility with h11 0.16 and
        ignored when sending (h11sm writes each Data as one chunk).
    :param chunk_end: the same.
    :param extensions: chunk extensions (RFC 9112 §7.1.1) to write on the
        chunk-size line of this Data's chunk, as ``(name, value)`` pairs: the
        name a token, the value ``None`` (a bare name) or bytes, written as a
        token when it is one and as a quoted string otherwise. They are
        written only when the body is chunked (and the Data not empty); with
        any other framing there is no chunk to carry them, and they are
        dropped.

    The object is stored as given, not copied or converted, so that
    :meth:`Connection.send_with_data_passthrough` can hand it back
    untouched: besides bytes-like objects, any object with a :func:`len`
    (say, a placeholder for a file to send with :func:`os.sendfile`) is
    accepted. A :class:`str` is refused with :exc:`TypeError`: encode it
    first.

    Received with chunked framing, the Data event holding the first bytes of
    a chunk has ``chunk_start=True`` and carries the chunk's
    :attr:`extensions`; the one holding its last bytes has
    ``chunk_end=True`` (a whole chunk in one event has both). With other
    framings both are False.

    Two Data events are equal when their :attr:`data` are equal, whatever
    their chunk fields say: how a body was cut into chunks is not part of
    its content, so ``Data(data=b"ok")`` equals a received chunk holding
    ``b"ok"``, and so does ``Data(data=b"ok", chunk_start=True,
    chunk_end=True)``. :func:`repr` shows the chunk fields only when they
    are set.
    """

    _fields = ("data", "chunk_start", "chunk_end", "extensions")
    __slots__ = {
        # The chunk fields, in one slot so that a plain Data costs one store
        # more, not three: None when they all have their defaults, else
        # (chunk_start, chunk_end, extensions).
        "_chunk": "",
        "data": "The body bytes. Received data is always :class:`bytes`; "
        "data you send is whatever object you gave.",
    }

    data: Any
    _chunk: tuple[bool, bool, ChunkExtensions] | None

    @property
    def chunk_start(self) -> bool:
        """True if this received Data holds the first bytes of a chunk."""
        chunk = self._chunk
        return chunk is not None and chunk[0]

    @property
    def chunk_end(self) -> bool:
        """True if this received Data holds the last bytes of a chunk."""
        chunk = self._chunk
        return chunk is not None and chunk[1]

    @property
    def extensions(self) -> ChunkExtensions:
        """The chunk extensions, as ``(name, value)`` pairs of bytes in the
        order they came: a quoted-string value is given unquoted, a name
        without a value has ``None``. Set on the received Data that starts a
        chunk; empty otherwise."""
        chunk = self._chunk
        return () if chunk is None else chunk[2]

    def __init__(
        self,
        *,
        data: Sized,
        chunk_start: bool = False,
        chunk_end: bool = False,
        extensions: Iterable[tuple[object, object]] = _NO_EXTENSIONS,
    ) -> None:
        if type(data) is not bytes:
            if isinstance(data, str):
                raise TypeError("Data.data must be bytes-like, not str (encode it first)")
            try:
                len(data)
            except TypeError:
                raise TypeError(
                    f"Data.data must be bytes-like or have a len(), not {type(data).__name__}"
                ) from None
        object.__setattr__(self, "data", data)
        # Nearly every Data is built without chunk fields.
        if chunk_start is False and chunk_end is False and extensions is _NO_EXTENSIONS:
            object.__setattr__(self, "_chunk", None)
        else:
            object.__setattr__(self, "_chunk", _chunk_fields(chunk_start, chunk_end, extensions))

    @staticmethod
    def _from_wire(data: bytes) -> Data:
        """Build a Data event around bytes read from the wire."""
        # (Bytes without chunk fields: all the constructor checks is a few
        # identities.)
        return Data(data=data)

    @staticmethod
    def _from_wire_chunk(data: bytes, chunk_fields: tuple[bool, bool, ChunkExtensions]) -> Data:
        """Build a Data event around bytes read from a chunk, with the
        chunk fields ``(chunk_start, chunk_end, extensions)`` the parser
        found."""
        made = Data(data=data)
        # (The parser hands out the same few tuples again and again; storing
        # one costs less than checking and rebuilding it. The event is not
        # yet anyone else's, so it is still ours to fill in.)
        object.__setattr__(made, "_chunk", chunk_fields)
        return made

    def __repr__(self) -> str:
        shown = f"data={self.data!r}"
        if self.chunk_start:
            shown += ", chunk_start=True"
        if self.chunk_end:
            shown += ", chunk_end=True"
        if self.extensions:
            shown += f", extensions={self.extensions!r}"
        return f"Data({shown})"

    def __eq__(self, other: object) -> bool:
        # Only the bytes count: see the class docstring.
        if type(other) is not Data:
            return NotImplemented
        return bool(self.data == other.data)


def _chunk_fields(
    chunk_start: object, chunk_end: object, extensions: object
) -> tuple[bool, bool, ChunkExtensions] | None:
    """Check the chunk fields given to Data(), as the ``_chunk`` slot holds
    them (None when all have their defaults)."""
    if type(chunk_start) is not bool:
        raise TypeError(f"Data.chunk_start must be a bool, not {type(chunk_start).__name__}")
    if type(chunk_end) is not bool:
        raise TypeError(f"Data.chunk_end must be a bool, not {type(chunk_end).__name__}")
    checked = _chunk_extensions(extensions)
    if not (chunk_start or chunk_end or checked):
        return None
    return (chunk_start, chunk_end, checked)


def _chunk_extensions(given: object) -> ChunkExtensions:
    """Check chunk extensions to send: ``(name, value)`` pairs with a token
    name and a value that is None or bytes a quoted string can hold
    (RFC 9112 §7.1.1)."""
    if isinstance(given, (str, bytes, bytearray, memoryview)) or not isinstance(given, Iterable):
        raise TypeError("Data.extensions must be an iterable of (name, value) pairs")
    checked = []
    for pair in given:
        try:
            raw_name, raw_value = pair
        except (TypeError, ValueError):
            raise TypeError(f"Data.extensions must hold (name, value) pairs, not {pair!r}") from None
        name = _bytes_field(raw_name, "chunk extension name")
        if _token_fullmatch(name) is None:
            raise LocalProtocolError(f"Illegal chunk extension name {_quote(name)} (expected a token)")
        value = None
        if raw_value is not None:
            value = _bytes_field(raw_value, "chunk extension value")
            if value.translate(None, _REASON_BYTES):
                raise LocalProtocolError(
                    f"Illegal chunk extension value {_quote(value)} (control characters can't be quoted)"
                )
        checked.append((name, value))
    return tuple(checked)


@final
class EndOfMessage(Event):
    """The end of a message: its body, if any, is complete.

    Every message ends with one, even one without a body.

    :param headers: the trailer fields (sent after a chunked body), as an
        iterable of ``(name, value)`` pairs. Usually empty.
    """

    _fields = ("headers",)
    __slots__ = {
        "headers": "The trailer fields, a :class:`Headers` sequence of "
        "``(name, value)`` byte-string pairs with lowercase names (its "
        "``raw_items()`` gives the names in the case they were given or received); "
        "empty unless the body was chunked and carried trailers.",
    }

    headers: Headers

    def __init__(self, *, headers: Iterable[tuple[object, object]] = ()) -> None:
        # Nearly every EndOfMessage is built without trailers.
        if type(headers) is tuple and not headers:
            object.__setattr__(self, "headers", EMPTY_HEADERS)
        else:
            object.__setattr__(self, "headers", normalize_and_validate(headers))

    @staticmethod
    def _from_wire(headers: Headers = EMPTY_HEADERS) -> EndOfMessage:
        """Build an EndOfMessage from trailers the wire parser has checked."""
        # Nearly every message ends without trailers, and events are
        # immutable: they can all share one.
        if headers is EMPTY_HEADERS:
            return _END_WITHOUT_TRAILERS
        # (The constructor takes a Headers as it is: it was checked when made.)
        return EndOfMessage(headers=headers)


_END_WITHOUT_TRAILERS: Final = EndOfMessage()


@final
class ConnectionClosed(Event):
    """The sender has closed its side of the connection: it will send no
    more data. (It may still be reading: a TCP connection can be closed in
    one direction only.) Has no fields."""

    __slots__ = ()

    def __init__(self) -> None:
        pass


@final
class Paused(Event):
    """Not a message from the peer: :meth:`Connection.receive_data` returns
    it when it has stopped reading incoming data until the peer's state
    changes.

    :param reason: the peer's state that caused the pause.
    """

    _fields = ("reason",)
    __slots__ = {
        "reason": "The peer's state that caused the pause: "
        ":data:`~h11sm.DONE` (the client sent another request before the "
        "current response is finished), :data:`~h11sm.MIGHT_SWITCH_PROTOCOL` "
        "(waiting for the server to accept or refuse a protocol switch) or "
        ":data:`~h11sm.SWITCHED_PROTOCOL` (the peer no longer speaks HTTP).",
    }

    reason: Sentinel

    def __init__(self, *, reason: Sentinel) -> None:
        if type(reason) is not Sentinel:
            raise TypeError(f"Paused.reason must be a state sentinel, not {type(reason).__name__}")
        if reason not in _PAUSE_REASONS:
            raise LocalProtocolError(
                "Paused.reason must be DONE, MIGHT_SWITCH_PROTOCOL or SWITCHED_PROTOCOL, "
                f"not {reason!r}"
            )
        object.__setattr__(self, "reason", reason)


_sealed = True
