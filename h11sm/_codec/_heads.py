"""Reading message heads: the request line or status line and the header
section, turned into Request / InformationalResponse / Response events.

A head is read in one go once its terminating empty line has arrived: the
buffer is searched for it (resuming where the last search stopped), then one
regular expression reads the start line and one more the whole header
section (see ``_fields`` for the field-line rules: obs-fold is rejected in
requests and joined in responses). Events
are built with the unvalidated ``_from_wire`` constructors, so every rule an
event constructor would check is checked here.

Line endings: requests must use CRLF (a server that accepts a bare LF can be
made to disagree with a proxy about where a request ends). A client may ask
for a *lenient* response parse that also accepts bare LF, for old servers.

Empty lines before a start line are skipped (RFC 9112 §2.2 asks servers to
skip at least one; we skip them before status lines too, where some servers
leave a stray CRLF after a body). Their bytes count towards the head size
limit, so a stream of empty lines cannot run forever.

Bytes that cannot begin a start line are refused as soon as they arrive,
rather than buffered until the head is complete or too large: a request
line begins with a method (a token, then SP), a status line with ``HTTP/``.
A TLS handshake sent to a plain-HTTP port is the usual case, and gets its
own message. Only a bounded prefix is looked at (``_START_WINDOW`` bytes),
so each call costs the same whatever the size of the buffer.

After the head is read, the header fields that decide framing are checked:
Content-Length must be valid (a list of identical values is collapsed into
one field, RFC 9110 §8.6), and in requests Transfer-Encoding must be exactly
``chunked``, may not come with Content-Length, and may not appear in an
HTTP/1.0 request; an HTTP/1.1 request needs exactly one valid Host.
"""

from __future__ import annotations

import re
from typing import Final

from .._abnf import REQUEST_TARGET, TCHAR, TOKEN
from .._errors import ProtocolError
from .._events import InformationalResponse, Request, Response
from .._headers import MAX_CONTENT_LENGTH_DIGITS, SPECIAL_NAMES, Headers, special_fields
from ._buffer import ReceiveBuffer
from ._fields import (
    content_length_value,
    locate_section_end,
    parse_field_lines,
    require_chunked_only,
)
from ._limits import DEFAULT_MAX_HEAD_SIZE, DEFAULT_MAX_HEADER_COUNT

__all__ = ["check_request_to_send", "read_request_head", "read_response_head"]

# RFC 9112 §3: request-line = method SP request-target SP HTTP-version CRLF.
# Exactly one SP between the parts: other whitespace is how some parsers get
# confused into reading a different target (§3 allows but does not require
# accepting it; we do not).
_REQUEST_LINE_RE: Final = re.compile(rb"(%s) (%s) HTTP/([0-9]\.[0-9])\r\n" % (TOKEN, REQUEST_TARGET))


# RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ].
# The SP before an empty reason is often left out by real servers; that is
# accepted (it changes nothing about framing). A client SHOULD ignore the
# reason's content (§4), so any byte but CR and LF is taken in it: a DEL or
# another control there is no reason to lose the response (h11 and llhttp
# take it too).
def _status_line_pattern(line_ending: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"HTTP/([0-9]\.[0-9]) ([0-9]{3})(?: ([^\r\n]*))?%s" % line_ending)


_STRICT_STATUS_LINE_RE: Final = _status_line_pattern(rb"\r\n")
_LENIENT_STATUS_LINE_RE: Final = _status_line_pattern(rb"\r?\n")

# Leading empty lines that may be skipped before a start line. RFC 9112
# §2.2 asks a server to skip "at least one"; we skip any number, because
# they count towards the head size limit (buf.skipped): that bounds them
# without a second limit, and a client that sends a few (an old one adding
# CRLF after a POST body) is served whatever the count. A bare LF is not a
# line ending where the parse is strict (a request, or a response read
# without leniency), so a leading LF is refused like one in a head.
_STRICT_EMPTY_LINES_RE: Final = re.compile(rb"(?:\r\n)+")
_LENIENT_EMPTY_LINES_RE: Final = re.compile(rb"(?:\r?\n)+")

# How many bytes of a request's method are checked before the head is
# complete: every call looks at no more than this, which keeps the work per
# call bounded (a longer method is judged with the whole request line).
# Methods in use are far shorter.
_START_WINDOW: Final = 24
_STATUS_LINE_START: Final = b"HTTP/"
# The method's characters at the start of the buffer (possibly all of it).
_METHOD_START_RE: Final = re.compile(rb"%s*+" % TCHAR)
# The first bytes of a TLS record: a handshake (a ClientHello opens the
# connection) and an alert (what a TLS server may answer to plain HTTP).
_TLS_RECORD_TYPES: Final = (0x16, 0x15)

# RFC 3986 §3.2.2 host (IP-literal or reg-name; an IPv4 address is a
# reg-name as far as the characters go) and §3.2.3 port.
_IP_LITERAL: Final = rb"\[[0-9A-Za-z:._~!$&'()*+,;=-]+\]"
_REG_NAME_CHAR: Final = rb"[0-9A-Za-z._~%!$&'()*+,;=-]"
# RFC 9110 §7.2: Host = uri-host [ ":" port ]; the host may be empty.
_HOST_RE: Final = re.compile(rb"(?:%s|%s*)(?::[0-9]*)?" % (_IP_LITERAL, _REG_NAME_CHAR))
# RFC 9112 §3.2.3: authority-form = uri-host ":" port, and RFC 9110 §9.3.6
# says a CONNECT must name the port.
_AUTHORITY_FORM_RE: Final = re.compile(rb"(?:%s|%s+):[0-9]{1,5}" % (_IP_LITERAL, _REG_NAME_CHAR))
# RFC 9112 §3.2.2: absolute-form; RFC 3986 scheme, then "//" authority. (A
# scheme without "//" would be indistinguishable from host:port.)
_ABSOLUTE_FORM_RE: Final = re.compile(rb"[A-Za-z][A-Za-z0-9+.-]*://")

_TOKEN_RE: Final = re.compile(TOKEN)
_REQUEST_TARGET_RE: Final = re.compile(REQUEST_TARGET)
_HTTP_VERSION_RE: Final = re.compile(rb"HTTP/[0-9]\.[0-9]")


def read_request_head(
    buf: ReceiveBuffer,
    *,
    max_head_size: int = DEFAULT_MAX_HEAD_SIZE,
    max_header_count: int = DEFAULT_MAX_HEADER_COUNT,
) -> Request | None:
    """Read one request head from the front of *buf*.

    Returns None until the whole head has arrived; then removes it from the
    buffer and returns the Request. Raises ProtocolError for a malformed
    head (hint 400), a head over *max_head_size* bytes or with more than
    *max_header_count* fields (431), a major version other than 1 (505), or
    a transfer coding we do not implement (501).
    """
    found = _find_head(buf, max_head_size, lenient=False, what="request head", request=True)
    if found is None:
        return None
    # The head is read where it lies in the buffer (the patterns return
    # bytes), and removed once its lines are read.
    lines_end, head_end = found
    data = buf.data
    line = _REQUEST_LINE_RE.match(data, 0, lines_end)
    if line is None:
        head = bytes(data[:lines_end])
        raise _start_error(head, True) or _request_line_error(head)
    method, target, version = line.groups()
    if target[0] != 0x2F or method == b"CONNECT":  # all but the usual origin-form ("/...")
        _check_target_form(method, target)
    # (The field count is enforced before the lines are parsed.)
    fields = parse_field_lines(data, line.end(), lines_end, lenient=False, max_count=max_header_count)
    _remove_head(buf, head_end)
    # Checked only once the field lines are known to be well formed: a bare
    # LF among them is reported (400) as soon as it arrives when the head
    # trickles in, so a whole head must give the same verdict, not a 505.
    if version[0] != 0x31:  # "1"
        raise ProtocolError(f"unsupported HTTP version {version.decode()}", 505)
    headers, special, odd_length = _lowercase_names(fields)
    # The fields the checks below read (Host, Content-Length,
    # Transfer-Encoding) are all special, so only those few are looked at.
    if not special:
        if version != b"1.0":
            raise ProtocolError("missing Host header field in HTTP/1.1 request")
    else:
        _check_request_fields(special, version)
        if odd_length:
            return Request._from_wire(method, target, _collapse_content_length(headers, special, fields), version)
    # (The fields as received are kept as the headers' raw names.)
    return Request._from_wire(method, target, Headers._from_wire(headers, special, fields), version)


def read_response_head(
    buf: ReceiveBuffer,
    *,
    max_head_size: int = DEFAULT_MAX_HEAD_SIZE,
    max_header_count: int = DEFAULT_MAX_HEADER_COUNT,
    lenient: bool = False,
) -> InformationalResponse | Response | None:
    """Read one response head (a 1xx or a final response) from *buf*.

    Like :func:`read_request_head`; with *lenient* a bare LF is also taken as
    a line ending (for a client talking to old servers; never for a server).
    """
    found = _find_head(buf, max_head_size, lenient=lenient, what="response head", request=False)
    if found is None:
        return None
    # Read in place, as in read_request_head.
    lines_end, head_end = found
    data = buf.data
    pattern = _LENIENT_STATUS_LINE_RE if lenient else _STRICT_STATUS_LINE_RE
    line = pattern.match(data, 0, lines_end)
    if line is None:
        head = bytes(data[:lines_end])
        raise _start_error(head, False) or _status_line_error(head, lenient=lenient)
    version, status, reason = line.groups()
    fields = parse_field_lines(
        data, line.end(), lines_end, lenient=lenient, allow_obs_fold=True, max_count=max_header_count
    )
    _remove_head(buf, head_end)
    # After the field lines, as in read_request_head.
    if version[0] != 0x31:  # "1"
        raise ProtocolError(f"unsupported HTTP version {version.decode()}", 505)
    status_code = int(status)
    headers, special, odd_length = _lowercase_names(fields)
    # (The fields as received are kept as the headers' raw names.)
    read = (
        _collapse_content_length(headers, special, fields)
        if odd_length
        else Headers._from_wire(headers, special, fields)
    )
    if reason is None:
        reason = b""
    # RFC 9110 §15: a client must understand the class of any status code
    # and treat an unknown one as the x00 of its class. Above 599 there is
    # no class: such a code is kept as received and framed as a 500 would
    # be (an ordinary final response), as h11 and llhttp read it. Below 100
    # there is no class either, nor an event to carry it: refused.
    if status_code >= 200:
        return Response._from_wire(status_code, read, version, reason)
    if status_code < 100:
        raise ProtocolError(f"status code {status_code:03d} out of range (no 0xx class exists)")
    return InformationalResponse._from_wire(status_code, read, version, reason)


def _find_head(
    buf: ReceiveBuffer, max_head_size: int, *, lenient: bool, what: str, request: bool
) -> tuple[int, int] | None:
    """Where the complete head at the front of the buffer ends, as
    ``(lines_end, head_end)``: just past its last line's line ending, and
    just past the empty line after it. None if the head is incomplete.
    Empty lines before a head are dropped first.

    While the head is incomplete (and before an error about its size or
    line endings), its first bytes are checked: bytes that cannot begin a
    request line (with *request*) or a status line are refused at once (see
    _start_error). A complete head is not checked here: when its start line
    does not match, the reader asks _start_error first, so the verdict is
    the same however the bytes were split."""
    data = buf.data
    # (The first byte compared, not data.startswith() with a tuple: the
    # compiled build would build the tuple and call the method on every
    # call, and this runs for every byte of a head that trickles in.)
    if data and data[0] in (0x0D, 0x0A):  # CR or LF
        empty = (_LENIENT_EMPTY_LINES_RE if lenient else _STRICT_EMPTY_LINES_RE).match(data)
        if empty is not None:
            buf.skipped += empty.end()
            buf.discard(empty.end())
    # An earlier call on this head whose search for the end stopped past the
    # window (it resumes 3 bytes before the end of what it saw, see
    # locate_section_end) had the whole window, which passed: no need to
    # look again. This keeps a head that trickles in linear.
    window_seen = buf.scan_pos >= _START_WINDOW - 3
    try:
        found = locate_section_end(buf, max_head_size, lenient, what, buf.skipped)
    except ProtocolError:
        if not window_seen:
            # (Only the bytes within the limit, which the empty lines
            # skipped before them count against: a verdict on bytes past it
            # would depend on how many of them arrived together.)
            _raise_start_error(data[: max(0, max_head_size - buf.skipped)], request)
        raise
    if found is None and not window_seen:
        _raise_start_error(data, request)
    return found


def _raise_start_error(data: bytearray, request: bool) -> None:
    error = _start_error(data, request)
    if error is not None:
        raise error


def _start_error(data: bytes | bytearray, request: bool) -> ProtocolError | None:
    """The error for a head whose first bytes (at most _START_WINDOW of
    them) show that it cannot begin a request line (with *request*) or a
    status line; None if they may yet. The message depends only on the
    bytes up to the offending one, so it is the same however the input was
    split."""
    if request:
        end = _METHOD_START_RE.match(data, 0, _START_WINDOW).end()  # type: ignore[union-attr]  # (never None: "*+")
        # The method so far must be all of the buffer, or fill the window,
        # or be followed by the SP that ends it.
        if end < len(data) and end < _START_WINDOW and (end == 0 or data[end] != 0x20):
            return _request_start_error(data, end)
        return None
    if data.startswith(_STATUS_LINE_START) or not data:
        return None
    return _response_start_error(data)


def _request_start_error(data: bytes | bytearray, end: int) -> ProtocolError | None:
    """The error for a buffer whose first bytes cannot begin a request line:
    the method is *data[:end]*, and the byte after it is neither a method
    character nor the SP after a method. None for a lone CR, which may yet
    be the start of an empty line. The message depends only on the bytes up
    to the offending one, so it is the same however the input was split."""
    byte = data[end]
    if byte == 0x0A:  # LF
        return ProtocolError("bare LF line ending in request head (only CRLF is accepted)")
    if end == 0:
        if byte in _TLS_RECORD_TYPES:
            return ProtocolError(
                f"received a TLS record (first byte 0x{byte:02x}) instead of an HTTP request: the client "
                "is speaking HTTPS to a plain-HTTP endpoint"
            )
        if byte == 0x0D:  # CR
            return None if len(data) == 1 else ProtocolError("bare CR before the request line")
        return ProtocolError(f"illegal request line: invalid method (a request cannot start with {bytes(data[:1])!r})")
    if byte in b"\t\r\x0b\x0c":
        return ProtocolError("illegal request line: expected method SP request-target SP HTTP-version")
    return ProtocolError(f"illegal request line: invalid method {bytes(data[: end + 1])!r}")


def _response_start_error(data: bytes | bytearray) -> ProtocolError | None:
    """The error for a buffer that does not start with ``HTTP/`` (after the
    empty lines), if its first bytes already show that it never will; None
    while they may still be the beginning of ``HTTP/`` or of an empty line.
    Like _request_start_error, the message depends only on the bytes up to
    the offending one."""
    prefix = bytes(data[: len(_STATUS_LINE_START)])
    if _STATUS_LINE_START.startswith(prefix):
        return None
    byte = prefix[0]
    if byte == 0x0D:  # CR (when followed by LF, the empty line was skipped)
        return None if len(prefix) == 1 else ProtocolError("bare CR before the status line")
    if byte == 0x0A:  # LF (only here when the parse is strict)
        return ProtocolError("bare LF line ending in response head (only CRLF is accepted)")
    if byte in _TLS_RECORD_TYPES:
        return ProtocolError(
            f"received a TLS record (first byte 0x{byte:02x}) instead of an HTTP response: the server "
            "expects HTTPS"
        )
    differs = 0  # where the prefix leaves "HTTP/" (it does, within its few bytes)
    while prefix[differs] == _STATUS_LINE_START[differs]:
        differs += 1
    return ProtocolError(
        f"illegal status line: invalid HTTP version (a response starts with b'HTTP/', not {prefix[: differs + 1]!r})"
    )


def _remove_head(buf: ReceiveBuffer, head_end: int) -> None:
    """Drop a head that has been read from the front of the buffer."""
    # (buf.discard(head_end), inline, and the count of skipped empty lines
    # reset: the next head starts afresh.)
    del buf.data[:head_end]
    buf.scan_key = None
    buf.scan_pos = 0
    buf.skipped = 0


def _lowercase_names(
    fields: list[tuple[bytes, bytes]],
) -> tuple[list[tuple[bytes, bytes]], list[tuple[bytes, bytes]], bool]:
    """Lowercase the names; also return the special fields (those the checks
    here, the framing code and the connection read: ``SPECIAL_NAMES``), in
    order, picked out on the same pass, and whether Content-Length needs a
    closer look (:func:`_collapse_content_length`): it does unless it is
    absent or one field of plain digits, by far the usual cases."""
    headers = []
    special: list[tuple[bytes, bytes]] = []
    lengths = 0
    plain_length = True
    for raw_name, value in fields:
        name = raw_name.lower()
        field = (name, value)
        headers.append(field)
        if name in SPECIAL_NAMES:
            special.append(field)
            if name == b"content-length":
                lengths += 1
                plain_length = value.isdigit() and len(value) <= MAX_CONTENT_LENGTH_DIGITS
    return headers, special, lengths > 1 or not plain_length


def _check_request_fields(special: list[tuple[bytes, bytes]], version: bytes) -> None:
    """Check Host and the framing fields of a request (Content-Length values
    are checked, and merged if need be, by :func:`_collapse_content_length`)."""
    codings: list[bytes] | None
    if len(special) == 1 and special[0][0] == b"host":
        # The usual request: a Host and no framing fields.
        hosts, codings, has_length = [special[0][1]], None, False
    else:
        hosts, codings, has_length = _read_request_fields(special)
    if not hosts:
        if version != b"1.0":
            raise ProtocolError("missing Host header field in HTTP/1.1 request")
    elif len(hosts) > 1:
        # RFC 9112 §3.2: MUST answer 400 to more than one Host line.
        raise ProtocolError("more than one Host header field")
    elif _HOST_RE.fullmatch(hosts[0]) is None:
        raise ProtocolError(f"invalid Host header field {hosts[0][:60]!r}")
    if codings:
        if has_length:
            # RFC 9112 §6.3 item 3: the classic smuggling shape; we may
            # reject it, and we do.
            raise ProtocolError("request has both Transfer-Encoding and Content-Length")
        if version == b"1.0":
            # RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means
            # the framing is faulty.
            raise ProtocolError("Transfer-Encoding in an HTTP/1.0 request")
        require_chunked_only(codings)


def _read_request_fields(special: list[tuple[bytes, bytes]]) -> tuple[list[bytes], list[bytes], bool]:
    """The Host values, the Transfer-Encoding values, and whether there is a
    Content-Length, among a request's special fields."""
    hosts: list[bytes] = []
    codings: list[bytes] = []
    has_length = False
    for name, value in special:
        if name == b"host":
            hosts.append(value)
        elif name == b"content-length":
            has_length = True
        elif name == b"transfer-encoding":
            codings.append(value)
    return hosts, codings, has_length


def _collapse_content_length(
    headers: list[tuple[bytes, bytes]], special: list[tuple[bytes, bytes]], received: list[tuple[bytes, bytes]]
) -> Headers:
    """Validate the Content-Length fields among the *special* ones (more than
    one, or one that is not plain digits: see _lowercase_names), and leave
    exactly one, holding the agreed value, where the first one was (under
    the first one's name as received: *received* is *headers* before the
    names were lowercased)."""
    values = [value for name, value in special if name == b"content-length"]
    agreed = content_length_value(values)
    collapsed = []
    collapsed_raw = []
    placed = False
    for (name, value), (raw_name, _) in zip(headers, received, strict=True):
        if name == b"content-length":
            if placed:
                continue
            placed = True
            value = agreed
        collapsed.append((name, value))
        collapsed_raw.append((raw_name, value))
    # (Once the fields changed, their special ones are found again when needed.)
    return Headers._from_wire(collapsed, None, collapsed_raw)


# Host values already checked on send. A program sends to the same few hosts
# over and over, and a set lookup costs far less than the pattern; bounded,
# so odd hosts cannot grow it.
_HOSTS_SENT: Final[set[bytes]] = set()
_HOSTS_SENT_LIMIT: Final = 256


def check_request_to_send(request: Request) -> None:
    """Refuse to send a request that our own server side would refuse on
    receipt: a request-target in none of the four forms of RFC 9112 §3.2
    (or in a form its method may not use), or a Host value that is not
    ``uri-host [":" port]`` (RFC 9110 §7.2). Raises ProtocolError."""
    target = request.target
    if target[0] != 0x2F or request.method == b"CONNECT":  # all but the usual origin-form
        _check_target_form(request.method, target)
    for name, value in special_fields(request.headers):
        if name == b"host" and value not in _HOSTS_SENT:
            if _HOST_RE.fullmatch(value) is None:
                raise ProtocolError(f"invalid Host header field {value[:60]!r}")
            if len(_HOSTS_SENT) < _HOSTS_SENT_LIMIT:
                _HOSTS_SENT.add(value)


def _check_target_form(method: bytes, target: bytes) -> None:
    """RFC 9112 §3.2: the request-target must be in one of four forms, and
    two of them go with one method each.

    Not called for an origin-form target ("/...") of a method other than
    CONNECT, by far the most common case: read_request_head lets those
    through itself.
    """
    if method == b"CONNECT":
        # §3.2.3: CONNECT takes the authority-form and only that.
        if _AUTHORITY_FORM_RE.fullmatch(target) is None:
            raise ProtocolError("CONNECT request target must be in authority-form (host:port)")
    elif target == b"*":
        # §3.2.4: asterisk-form is only for a server-wide OPTIONS.
        if method != b"OPTIONS":
            raise ProtocolError("asterisk-form request target is only allowed with OPTIONS")
    elif _ABSOLUTE_FORM_RE.match(target) is None:
        if _AUTHORITY_FORM_RE.fullmatch(target) is not None:
            raise ProtocolError("authority-form request target is only allowed with CONNECT")
        raise ProtocolError(f"invalid request target {target[:60]!r}")


def _first_line(head: bytes, what: str, *, lenient: bool) -> bytes:
    """The head's first line without its line ending; names a stray CR or LF."""
    line = head.split(b"\n", 1)[0]
    if line.endswith(b"\r"):
        line = line[:-1]
    elif not lenient:
        raise ProtocolError(f"bare LF line ending in {what} (only CRLF is accepted)")
    if b"\r" in line:
        raise ProtocolError(f"bare CR in {what}")
    return line


def _request_line_error(head: bytes) -> ProtocolError:
    """Say what is wrong with a request line the fast pattern rejected."""
    line = _first_line(head, "request line", lenient=False)
    parts = line.split(b" ")
    if len(parts) != 3:
        detail = "expected method SP request-target SP HTTP-version"
    elif _TOKEN_RE.fullmatch(parts[0]) is None:
        detail = f"invalid method {parts[0][:40]!r}"
    elif _REQUEST_TARGET_RE.fullmatch(parts[1]) is None:
        detail = f"invalid request target {parts[1][:60]!r}"
    else:
        detail = f"invalid HTTP version {parts[2][:20]!r}"
    return ProtocolError(f"illegal request line: {detail}")


def _status_line_error(head: bytes, *, lenient: bool) -> ProtocolError:
    """Say what is wrong with a status line the fast pattern rejected."""
    line = _first_line(head, "status line", lenient=lenient)
    parts = line.split(b" ", 2)
    if _HTTP_VERSION_RE.fullmatch(parts[0]) is None:
        detail = f"invalid HTTP version {parts[0][:20]!r}"
    else:
        # (The reason takes any byte but CR and LF, which _first_line has
        # ruled out: what is left to be wrong is the status code.)
        detail = "invalid status code"
    return ProtocolError(f"illegal status line: {detail}")
