"""Header fields: the :class:`Headers` sequence every event carries, the
checks applied to headers a user hands us, and the comma-list helpers the
connection uses to read Connection, Transfer-Encoding, Expect and Upgrade.

In a :class:`Headers` object every name is a lowercase token and every value
is a byte string without surrounding whitespace that obeys RFC 9110's
field-value grammar. The names as they were given or received, in their
original case, are kept beside them (:meth:`Headers.raw_items`): they are what
goes on the wire. Headers built from user input get there through
:func:`normalize_and_validate`; the wire parser checks the same rules itself
and builds its results with the unchecked :meth:`Headers._from_wire`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, final, overload

from ._abnf import FIELD_VALUE_RE, TOKEN_RE
from ._errors import LocalProtocolError

__all__ = [
    "Headers",
    "comma_list_items",
    "get_comma_header",
    "has_token",
    "normalize_and_validate",
    "set_comma_header",
    "special_fields",
    "to_bytes",
    "wire_fields",
    "with_field_added",
    "without_field",
]

_Field = tuple[bytes, bytes]

_token_fullmatch: Final = TOKEN_RE.fullmatch
_field_value_fullmatch: Final = FIELD_VALUE_RE.fullmatch

# RFC 9110 §5.6.3: the whitespace allowed around a field value.
_OWS: Final = b" \t"

# RFC 9110 §8.6: Content-Length = 1*DIGIT. We also cap it at 19 digits, here
# and in the wire parser (which takes the bound from here): that reaches past
# 2**63, far beyond any real body, and it keeps a hand-built message and a
# parsed one subject to one rule.
MAX_CONTENT_LENGTH_DIGITS: Final = 19

# How much of an offending value an error message quotes.
_QUOTE_LIMIT: Final = 60


def _quote(value: bytes) -> str:
    """repr() of *value*, shortened when it is long."""
    if len(value) > _QUOTE_LIMIT:
        return f"{value[:_QUOTE_LIMIT]!r}..."
    return repr(value)


def to_bytes(value: object, what: str) -> bytes:
    """Return *value* as a plain :class:`bytes` object.

    Accepts :class:`bytes` (and subclasses), any other object supporting the
    buffer protocol (:class:`bytearray`, :class:`memoryview`, ...) and
    :class:`str` holding only ASCII characters. *what* names the value in
    error messages.

    :raises LocalProtocolError: for a :class:`str` with non-ASCII characters (a
        value that can't be sent, rather than a wrong type; to send bytes
        outside ASCII, pass them as bytes).
    :raises TypeError: for anything else, notably :class:`int` (``bytes(5)``
        would silently make five NUL bytes).
    """
    if type(value) is bytes:
        return value
    if isinstance(value, str):
        try:
            return value.encode("ascii")
        except UnicodeEncodeError:
            raise LocalProtocolError(
                f"{what} must contain only ASCII characters, got {value[:_QUOTE_LIMIT]!r}"
            ) from None
    if isinstance(value, bytes):
        return bytes(value)
    try:
        view = memoryview(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(
            f"{what} must be bytes, a bytes-like object or an ASCII str, not {type(value).__name__}"
        ) from None
    with view:
        return view.tobytes()


@final
class Headers(Sequence[_Field]):
    """An immutable sequence of header fields, as ``(name, value)`` pairs of
    byte strings, in the order they were given or received.

    Names are lowercase and values carry no leading or trailing whitespace.
    A field that appears several times appears several times here too; use
    :func:`get_comma_header` to read a field as a list. The names in the case
    they were given or received are kept too, for sending: see
    :meth:`raw_items`.

    A :class:`Headers` object compares equal to another :class:`Headers`, a
    :class:`list` or a :class:`tuple` holding the same pairs in the same
    order, and prints like a list, so ``event.headers == [(b"host",
    b"example.com")]`` holds for a request with just that field.
    """

    __slots__ = ("_fields", "_raw", "_special")

    _fields: tuple[_Field, ...]
    # The same fields with their names as given or received (bytes, case
    # kept), which is what the head writers send; None when every name was
    # already lowercase, so _fields says it all. Never modified (it may be
    # the list the wire parser made, kept without a copy).
    _raw: Sequence[_Field] | None
    # The fields the connection and the framing code read (see
    # _special_fields); None until first asked for.
    _special: tuple[_Field, ...] | None

    def __init__(self, headers: Iterable[tuple[object, object]] = ()) -> None:
        # Same result as normalize_and_validate(), for people who construct
        # the type directly. With no fields there is nothing to check, and
        # nothing to look up: the compiled build runs this, without an
        # argument, whenever Headers.__new__(Headers) makes an object (see
        # _from_wire), EMPTY_HEADERS included, before that name exists.
        if type(headers) is tuple and not headers:
            self._fields = ()
            self._raw = None
            self._special = None
            return
        checked = normalize_and_validate(headers)
        self._fields = checked._fields
        self._raw = checked._raw
        self._special = None

    @staticmethod
    def _from_wire(
        pairs: Iterable[_Field],
        special: Iterable[_Field] | None = None,
        raw: Sequence[_Field] | None = None,
    ) -> Headers:
        """Wrap pairs that already obey every rule, without checking them.

        For the wire parser and the framing code only: they have validated
        and lowercased the fields themselves. Passing a tuple avoids a copy.
        A caller that has already picked out the special fields (see
        :meth:`_special_fields`) on its own pass over the names passes them
        as *special*, in order, so that nobody scans the fields for them
        again. *raw* is the same fields with the names in their original
        case (kept as it is, not copied: the caller must not change it), or
        None if that is *pairs* itself.
        """
        # (Headers.__new__(Headers), not object.__new__(Headers): a class
        # compiled by mypyc refuses the latter. In pure Python both are the
        # same bare allocation; compiled, it also runs __init__ without
        # fields, which costs three stores.)
        made = Headers.__new__(Headers)
        made._fields = tuple(pairs)
        made._raw = raw
        made._special = None if special is None else tuple(special)
        return made

    def raw_items(self) -> list[tuple[bytes, bytes]]:
        """The fields as ``(name, value)`` pairs of bytes, with each name in
        the case it was given in (a :class:`str` name encoded to ASCII) or
        received in from the peer.

        These are the names h11sm writes on the wire, so an event built from
        received headers sends them on as they came. Fields that h11sm adds
        or rewrites itself when sending (``Transfer-Encoding: chunked``,
        ``Connection: close``) are named in title case. Several identical
        Content-Length fields merged into one keep the name of the first.
        Header names are case-insensitive (RFC 9110 §5.1): compare names
        with the lowercase ones that iterating over the object gives, not
        with these.
        """
        raw = self._raw
        return list(self._fields if raw is None else raw)

    def _without(self, name: bytes) -> Headers:
        """A copy without the fields called *name* (lowercase)."""
        raw = self._raw
        if raw is None:
            return Headers._from_wire([field for field in self._fields if field[0] != name])
        kept = [(field, raw_field) for field, raw_field in zip(self._fields, raw, strict=True) if field[0] != name]
        return Headers._from_wire([field for field, _ in kept], None, [raw_field for _, raw_field in kept])

    def _appending(self, name: bytes, value: bytes) -> Headers:
        """A copy with the field *name* (lowercase): *value* added at the end,
        its name title-cased on the wire (a field h11sm adds itself)."""
        return Headers._from_wire(
            (*self._fields, (name, value)), None, (*wire_fields(self), (title_case(name), value))
        )

    def _special_fields(self) -> tuple[_Field, ...]:
        """The fields whose names are in ``SPECIAL_NAMES``, in order.

        A message's framing and connection fields are read several times
        (on receipt by the framing code and by the connection's signals, on
        sending once more for ``Connection: close``); each reading then
        looks at these few fields instead of all of them. Found on the first
        request and kept: the object is immutable.
        """
        special = self._special
        if special is None:
            found = []
            for field in self._fields:
                if field[0] in SPECIAL_NAMES:
                    found.append(field)
            special = self._special = tuple(found)
        return special

    def __len__(self) -> int:
        return len(self._fields)

    @overload
    def __getitem__(self, index: int) -> _Field: ...

    @overload
    def __getitem__(self, index: slice) -> Headers: ...

    def __getitem__(self, index: int | slice) -> _Field | Headers:
        if isinstance(index, slice):
            raw = self._raw
            return Headers._from_wire(self._fields[index], None, None if raw is None else raw[index])
        return self._fields[index]

    def __iter__(self) -> Iterator[_Field]:
        return iter(self._fields)

    def __reversed__(self) -> Iterator[_Field]:
        return reversed(self._fields)

    def __contains__(self, field: object) -> bool:
        return field in self._fields

    def index(self, value: object, start: int = 0, stop: int = sys.maxsize) -> int:
        """Position of the first field equal to *value* (a pair), like
        :meth:`list.index`."""
        return self._fields.index(value, start, stop)

    def count(self, value: object) -> int:
        """How many fields are equal to *value* (a pair)."""
        return self._fields.count(value)

    def __eq__(self, other: object) -> bool:
        if type(other) is Headers:
            return self._fields == other._fields
        if type(other) is tuple:
            return self._fields == other
        if isinstance(other, (list, tuple)):
            return self._fields == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self._fields))

    def __reduce__(self) -> tuple[Callable[..., Headers], tuple[object, ...]]:
        raw = self._raw
        return (Headers._from_wire, (self._fields, None, None if raw is None else tuple(raw)))


# The names of the fields h11sm adds to a message itself, as it writes them.
_TITLE_CASE_NAMES: Final = {
    b"connection": b"Connection",
    b"content-length": b"Content-Length",
    b"transfer-encoding": b"Transfer-Encoding",
}


def title_case(name: bytes) -> bytes:
    """*name* (a lowercase token) with each hyphen-separated word
    capitalised, as in ``Transfer-Encoding``: how h11sm names on the wire
    the fields it adds or rewrites itself. Any case would do (names are
    case-insensitive, RFC 9110 §5.1); this one is what peers are used to."""
    known = _TITLE_CASE_NAMES.get(name)
    if known is not None:
        return known
    return b"-".join([word.capitalize() for word in name.split(b"-")])


# -- the package's view of a Headers object ----------------------------------
#
# The codec and the connection read a Headers object through these functions
# of the module that owns the class, never through its private slots.


def special_fields(headers: Headers) -> tuple[_Field, ...]:
    """The fields of *headers* whose names are in ``SPECIAL_NAMES``, in
    order: all a message's framing and connection fields, which the codec
    reads on every head. Found once per object (when the wire parser or the
    constructor did not already pick them out) and kept."""
    special = headers._special
    return special if special is not None else headers._special_fields()


def wire_fields(headers: Headers) -> Sequence[_Field]:
    """The pairs to write on the wire: :meth:`Headers.raw_items`, without a
    copy."""
    raw = headers._raw
    return headers._fields if raw is None else raw


def without_field(headers: Headers, name: bytes) -> Headers:
    """A copy of *headers* without the fields called *name* (lowercase)."""
    return headers._without(name)


def with_field_added(headers: Headers, name: bytes, value: bytes) -> Headers:
    """A copy of *headers* with the field *name* (lowercase): *value* added
    at the end, its name title-cased on the wire (a field h11sm adds
    itself)."""
    return headers._appending(name, value)


#: The header fields that decide framing (RFC 9112 §6), that the connection
#: turns into signals for the tables, or that a request must carry exactly
#: once (Host, RFC 9112 §3.2).
SPECIAL_NAMES: Final = frozenset(
    {b"connection", b"content-length", b"expect", b"host", b"transfer-encoding", b"upgrade"}
)

#: The empty header list, shared.
EMPTY_HEADERS: Final = Headers._from_wire(())


# Iterables that are never what a caller meant as a list of header fields.
_NOT_HEADER_LISTS: Final = (str, bytes, bytearray, memoryview, Mapping)


def _not_a_pair(item: object) -> TypeError:
    return TypeError(f"each header must be a (name, value) pair, not {item!r}")


def _value_to_bytes(value: object, name: bytes) -> bytes:
    """to_bytes() for a header value, with errors that name the header."""
    if type(value) is str:
        try:
            return value.encode("ascii")
        except UnicodeEncodeError:
            pass
    return to_bytes(value, f"value of header {name!r}")


def _check_name_error(name: bytes) -> LocalProtocolError:
    """The error for a header name that is not a token."""
    if name and name.strip() != name:
        # RFC 9112 §5.1: servers must reject whitespace between the name and
        # the colon, as recipients have disagreed on what it means.
        return LocalProtocolError(f"Illegal header name {_quote(name)}: leading or trailing whitespace")
    return LocalProtocolError(f"Illegal header name {_quote(name)}")


class InvalidContentLength(ValueError):
    """Content-Length values that state no single length: *value* is the
    field value at fault; *conflict* tells differing lengths from a value
    that is not a length at all. Each caller words its own error."""

    def __init__(self, value: bytes, *, conflict: bool) -> None:
        super().__init__(value)
        self.value = value
        self.conflict = conflict


def agreed_content_length(values: Iterable[bytes]) -> tuple[bytes, bytes]:
    """The one length all the Content-Length field *values* state: the
    length as written, and its significant digits (leading zeros dropped;
    ``0`` stays ``0``, safe to hand to :func:`int`).

    RFC 9110 §8.6 lets a comma list of identical lengths (``5, 5``, or two
    fields saying ``5``) stand for that length; anything else -- differing
    values, empty list elements, signs, spaces inside, more than 19
    significant digits -- raises :exc:`InvalidContentLength` (RFC 9112 §6.3
    item 5: an unrecoverable framing error). Lengths must agree byte for
    byte: ``5`` and ``05`` conflict. The one Content-Length rule, for the
    fields a user gives and for those a peer sends.
    """
    agreed: bytes | None = None
    significant = b""
    for value in values:
        for item in value.split(b","):
            item = item.strip(_OWS)
            digits = item.lstrip(b"0") or b"0"
            if not item.isdigit() or len(digits) > MAX_CONTENT_LENGTH_DIGITS:
                raise InvalidContentLength(value, conflict=False)
            if agreed is None:
                agreed, significant = item, digits
            elif item != agreed:
                raise InvalidContentLength(value, conflict=True)
    if agreed is None:  # pragma: no cover - every caller passes at least one value
        raise InvalidContentLength(b"", conflict=False)
    return agreed, significant


def _content_length(name: bytes, value: bytes) -> bytes:
    """The one length a Content-Length field value given by the user
    states (see :func:`agreed_content_length`): as written, unless it is
    longer than 19 digits, then without its leading zeros."""
    if value.isdigit() and len(value) <= MAX_CONTENT_LENGTH_DIGITS:
        return value
    try:
        agreed, significant = agreed_content_length((value,))
    except InvalidContentLength as exc:
        if exc.conflict:
            raise LocalProtocolError(f"Conflicting values in {name!r} header: {_quote(value)}") from None
        raise LocalProtocolError(f"Illegal header value {_quote(value)} for {name!r}") from None
    return agreed if len(agreed) <= MAX_CONTENT_LENGTH_DIGITS else significant


def _check_transfer_encoding(name: bytes, value: bytes) -> None:
    """Transfer-Encoding must be a comma list naming at least one coding.

    Which codings are acceptable is for the framing code to decide; here we
    only check the syntax. Empty list elements are refused, as a server
    refuses them on receipt (RFC 9110 §5.6.1: a sender must not generate
    them, and in this field they are an obfuscation shape).
    """
    if not value:
        raise LocalProtocolError(f"Empty {name!r} header")
    for item in value.split(b","):
        item = item.strip(_OWS)
        if not item:
            raise LocalProtocolError(f"Empty list element in {name!r} header: {_quote(value)}")
        if _token_fullmatch(item) is None:
            raise LocalProtocolError(f"Illegal header value {_quote(value)} for {name!r}")


def normalize_and_validate(headers: Iterable[tuple[object, object]]) -> Headers:
    """Check and normalise header fields given by a user.

    *headers* is any iterable of ``(name, value)`` pairs. Each name and value
    may be :class:`bytes`, another bytes-like object or an ASCII-only
    :class:`str`; the result holds plain :class:`bytes`. Names are
    lowercased (the names as given are kept for sending, see
    :meth:`Headers.raw_items`) and spaces and tabs around values are
    removed. The input is not modified.

    A :class:`Headers` object is returned unchanged: it was checked when it
    was made.

    Rules (a violation raises :exc:`LocalProtocolError` naming the header):

    * a name must be a token (RFC 9110 §5.1); whitespace before or after it
      is rejected rather than stripped (RFC 9112 §5.1);
    * a value must be a valid field-value: no NUL, CR, LF or other control
      characters besides HTAB inside (RFC 9110 §5.5);
    * Content-Length must be 1 to 19 digits. Several Content-Length fields,
      or a comma list in one, are allowed only if they all state the same
      length, and are merged into a single field where the first one was;
    * Transfer-Encoding must be a comma list of tokens, with at least one.

    A :class:`str` with non-ASCII characters also raises
    :exc:`LocalProtocolError`. Something that is not a pair, or a name or value
    of a type that is neither bytes-like nor :class:`str`, raises
    :exc:`TypeError`; so does passing a mapping, a :class:`str` or
    :class:`bytes` as *headers* itself.
    """
    kind = type(headers)
    if kind is Headers:
        return headers  # type: ignore[return-value]
    if kind is list or kind is tuple:
        if not headers:
            return EMPTY_HEADERS
        common = _normalize_common_case(headers)  # type: ignore[arg-type]
        if common is not None:
            return common
    elif isinstance(headers, _NOT_HEADER_LISTS):
        hint = " (pass list(mapping.items()) for a mapping)" if isinstance(headers, Mapping) else ""
        raise TypeError(
            "headers must be an iterable of (name, value) pairs, "
            f"not {type(headers).__name__}{hint}"
        )
    fields: list[_Field] = []
    raw_fields: list[_Field] = []
    content_length: bytes | None = None
    # (Items typed Any: they are checked here, one by one, and the compiled
    # build must not refuse a list or a non-pair before this check does.)
    iterator: Iterator[Any]
    try:
        iterator = iter(headers)
    except TypeError:
        raise TypeError(
            f"headers must be an iterable of (name, value) pairs, not {type(headers).__name__}"
        ) from None
    for item in iterator:
        if type(item) is not tuple and isinstance(item, (str, bytes, bytearray, memoryview)):
            # These unpack "successfully" when two characters long.
            raise _not_a_pair(item)
        try:
            raw_name, raw_value = item
        except (TypeError, ValueError):
            raise _not_a_pair(item) from None
        name = raw_name if type(raw_name) is bytes else to_bytes(raw_name, "header name")
        if _token_fullmatch(name) is None:
            raise _check_name_error(name)
        cased_name = name
        name = name.lower()
        value = raw_value if type(raw_value) is bytes else _value_to_bytes(raw_value, name)
        value = value.strip(_OWS)
        if _field_value_fullmatch(value) is None:
            raise LocalProtocolError(f"Illegal header value {_quote(value)} for {name!r}")
        if name == b"content-length":
            length = _content_length(name, value)
            if content_length is None:
                content_length = length
                fields.append((name, length))
                raw_fields.append((cased_name, length))
            elif length != content_length:
                raise LocalProtocolError(
                    f"Conflicting {name!r} headers: {content_length!r} and {length!r}"
                )
            continue
        if name == b"transfer-encoding":
            _check_transfer_encoding(name, value)
        fields.append((name, value))
        raw_fields.append((cased_name, value))
    if not fields:
        return EMPTY_HEADERS
    return Headers._from_wire(fields, None, None if raw_fields == fields else raw_fields)


# Header names seen before, as given (bytes or str) -> the lowercase bytes
# name, holding only names that are valid tokens. Programs send the same few
# names over and over; the cache is bounded so odd names can't grow it.
_KNOWN_NAMES: Final[dict[bytes | str, bytes]] = {}
_KNOWN_NAMES_LIMIT: Final = 512

# Several field values joined with LF (which no valid value contains),
# checked in one go: each is a FIELD_VALUE (a visible byte, then any bytes a
# value may hold, not ending in SP / HTAB). The run is possessive and the
# lookbehind refuses a value that ends in whitespace, so nothing backtracks
# and each value costs one tight loop of the regex engine.
_ONE_VALUE: Final = rb"(?:[\x21-\x7e\x80-\xff][\t\x20-\x7e\x80-\xff]*+(?<![ \t]))?+"
_JOINED_VALUES_RE: Final = re.compile(rb"%s(?:\n%s)*+" % (_ONE_VALUE, _ONE_VALUE))

_CONTENT_LENGTH: Final = b"content-length"
_FRAMING_NAMES: Final = frozenset({_CONTENT_LENGTH, b"transfer-encoding"})


def _learn_name(raw_name: bytes | str) -> bytes | None:
    """The lowercase bytes form of a header name given as bytes or str, if it
    is a valid token (remembered for next time); None otherwise."""
    if type(raw_name) is str:
        if not raw_name.isascii():
            return None
        as_bytes = raw_name.encode("ascii")
    else:
        as_bytes = raw_name  # type: ignore[assignment]
    if _token_fullmatch(as_bytes) is None:
        return None
    name = as_bytes.lower()
    if len(_KNOWN_NAMES) < _KNOWN_NAMES_LIMIT:
        _KNOWN_NAMES[raw_name] = name
    return name


def _normalize_common_case(headers: list[object] | tuple[object, ...]) -> Headers | None:
    """normalize_and_validate() for the usual input, faster: a list or tuple
    of 2-tuples of valid bytes or ASCII str names and values, values without
    surrounding whitespace, no Transfer-Encoding and at most one plain
    Content-Length. Anything else returns None, and the general path (which
    accepts the same inputs with the same result) takes over.

    Names are looked up in a cache of names already checked, and all values
    are checked together by one regex. The special fields are picked out on
    the way, so the result never has to be scanned for them.
    """
    known = _KNOWN_NAMES
    fields: list[_Field] = []
    values: list[bytes] = []
    special: list[_Field] = []
    length: bytes | None = None
    # Whether a name or value was given as str: without one, the pairs as
    # given are the raw fields (see Headers._raw) as they are.
    given_as_str = False
    for item in headers:
        if type(item) is not tuple:
            return None
        try:
            raw_name, value = item
        except ValueError:  # not a pair
            return None
        kind = type(raw_name)
        if kind is not bytes:
            if kind is not str:
                return None
            given_as_str = True
        try:
            name = known[raw_name]  # (indexing beats .get(): names are nearly always known)
        except KeyError:
            learned = _learn_name(raw_name)
            if learned is None:
                return None
            name = learned
        if type(value) is not bytes:
            if type(value) is not str or not value.isascii():
                return None
            value = value.encode("ascii")
            given_as_str = True
        field = (name, value)
        if name in SPECIAL_NAMES:
            if name in _FRAMING_NAMES:
                if length is not None or name != _CONTENT_LENGTH:
                    return None  # Transfer-Encoding, or a second Content-Length
                if not value.isdigit() or len(value) > MAX_CONTENT_LENGTH_DIGITS:
                    return None
                length = value
            special.append(field)
        fields.append(field)
        values.append(value)
    joined = b"\n".join(values)
    if joined.count(b"\n") != len(values) - 1 or _JOINED_VALUES_RE.fullmatch(joined) is None:
        return None
    # Headers._from_wire(fields, special, raw), inline: this makes the
    # headers of nearly every event a program builds.
    made = Headers.__new__(Headers)
    made._fields = tuple(fields)
    if given_as_str:
        made._raw = _raw_from_str(headers, values)
    else:
        # The pairs as given: a copy of a list (the caller may change it
        # later); a tuple of tuples of bytes is immutable, and kept as it is.
        made._raw = headers if type(headers) is tuple else tuple(headers)  # type: ignore[assignment]
    made._special = tuple(special)
    return made


def _raw_from_str(headers: list[object] | tuple[object, ...], values: list[bytes]) -> list[_Field]:
    """The raw fields of pairs checked by _normalize_common_case, some of
    whose names or values were given as (ASCII) str: each name encoded to
    bytes with its case kept, beside the value as bytes."""
    raw: list[_Field] = []
    for item, value in zip(headers, values, strict=True):
        raw_name: bytes | str = item[0]  # type: ignore[index]  # (checked: a pair of bytes or str)
        raw.append((raw_name if type(raw_name) is bytes else raw_name.encode("ascii"), value))  # type: ignore[union-attr]
    return raw


def get_comma_header(headers: Iterable[_Field], name: bytes) -> list[bytes]:
    """All the list elements of the field *name* (given in lowercase).

    Every field called *name* is split on commas; each element is stripped
    of spaces and tabs and lowercased, and empty elements are dropped
    (RFC 9110 §5.6.1). For example ``Connection: Keep-Alive, , Upgrade``
    gives ``[b"keep-alive", b"upgrade"]``.

    This is meant for fields whose elements are tokens, such as Connection,
    Transfer-Encoding, Expect and Upgrade: commas inside quoted strings are
    not treated specially.
    """
    found: list[bytes] = []
    for field_name, value in headers:
        if field_name == name:
            found += comma_list_items(value)
    return found


def comma_list_items(value: bytes) -> list[bytes]:
    """The list elements of one comma-list field value, as
    :func:`get_comma_header` gives them: stripped, lowercased, empty ones
    dropped."""
    if b"," not in value:  # the usual single token, such as "keep-alive"
        item = value.lower().strip(_OWS)
        return [item] if item else []
    found = []
    for item in value.lower().split(b","):
        item = item.strip(_OWS)
        if item:
            found.append(item)
    return found


def has_token(headers: Iterable[_Field], name: bytes, token: bytes) -> bool:
    """Whether the comma-list field *name* contains *token*.

    Both are given in lowercase; the field's elements are compared
    case-insensitively. Equivalent to ``token in get_comma_header(headers,
    name)``, without building the list (so an empty *token* is never
    found).
    """
    if not token:
        return False
    for field_name, value in headers:
        if field_name == name:
            for item in value.lower().split(b","):
                if item.strip(_OWS) == token:
                    return True
    return False


def set_comma_header(headers: Iterable[_Field], name: bytes, new_values: list[bytes]) -> Headers:
    """A copy of *headers* in which the field *name* says *new_values*.

    Every field called *name* (given in lowercase) is removed, and then,
    unless *new_values* is empty, one field holding all the values joined
    with ``", "`` is added at the end, its name title-cased for the wire
    (see :meth:`Headers.raw_items`). The other fields keep their names as
    they were. The values are not checked: they must already be valid list
    elements (tokens, typically).
    """
    if type(headers) is not Headers:
        headers = Headers._from_wire(headers)
    if new_values:
        return headers._without(name)._appending(name, b", ".join(new_values))
    return headers._without(name)
