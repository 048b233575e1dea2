"""Field sections on the wire: where one ends, its (name, value) pairs, and
the value rules of the framing fields (Content-Length, Transfer-Encoding).

Heads and chunked trailer sections share this code, so both obey the same
rules (RFC 9112 §5 and §7.1.2):

* A field line is ``field-name ":" OWS field-value OWS`` and a line ending.
  Whitespace between the name and the colon is rejected (§5.1: it has been
  used to smuggle requests past proxies that read the name differently).
* Values may hold visible ASCII, SP, HTAB and obs-text (bytes >= 0x80, passed
  through untouched); NUL, bare CR, bare LF and the other controls are
  rejected. The OWS around a value is not part of it and is stripped.
* obs-fold (a line that starts with SP or HTAB continues the previous field
  value) is rejected in requests and their trailers, which §5.2 allows a
  server to do: a proxy that reads the folded line as a field of its own (or
  drops it) sees different headers from ours, so a fold is a way to hide a
  ``Transfer-Encoding`` from one of the two. In responses and their trailers
  each fold becomes a single SP, as §5.2 requires of a user agent; old
  servers still emit folds. A fold *before* the first field line is rejected
  either way (§2.2), since a recipient could read it as part of the start
  line.
* Line endings are CRLF. A *lenient* parse (used only by a client reading
  responses) also takes a bare LF as a line ending; a bare CR is an error
  either way. The strict default matters on the server side: a bare LF that
  a proxy and a server read differently is a request-smuggling vector.

Parsing has a fast path and a careful path. The fast path runs one regular
expression over the whole section (``findall`` anchored at line starts) and
checks that it matched every line; that is all a well-formed section needs.
When it did not, the careful path walks the lines one by one, reads folds,
and when the section is bad raises an error that names what is wrong. The two
paths accept exactly the same sections and read them the same way, apart from
folds, which only the careful path reads (a property test checks this).
Whitespace after a value is read by a second pass of the quick path (and
stripped), so no value shape of a well-formed section costs the careful
path's price.
"""

from __future__ import annotations

import re
from typing import Final

from .._abnf import FIELD_VALUE, TOKEN
from .._errors import ProtocolError
from .._headers import InvalidContentLength, agreed_content_length
from ._buffer import ReceiveBuffer

__all__ = [
    "FORBIDDEN_TRAILER_NAMES",
    "FRAMING_NAMES",
    "check_field_count",
    "content_length_value",
    "count_field_lines",
    "locate_section_end",
    "parse_field_lines",
    "require_chunked_only",
    "transfer_codings",
]

_TOKEN_RE: Final = re.compile(TOKEN)
_FIELD_VALUE_RE: Final = re.compile(FIELD_VALUE)
# RFC 9110 §5.5: any byte of a field value: field-vchar (VCHAR / obs-text),
# SP or HTAB.
_FIELD_CONTENT: Final = rb"[\t \x21-\x7e\x80-\xff]"


def _field_line_pattern(line_ending: bytes, *, trailing_ows: bool = False) -> re.Pattern[bytes]:
    # MULTILINE makes "^" match only at line starts, so every match covers a
    # whole line (names, values and OWS never contain LF). The leading OWS
    # is taken possessively, so the value starts with a visible byte; the
    # value is then one run of the bytes a value may hold, which the regex
    # engine scans in a single tight loop. In the first pattern a value
    # must not end in whitespace: the lookbehind refuses such a line (a run
    # of alternating groups that left the trailing OWS out took twice as
    # long). The second pattern (*trailing_ows*) takes that whitespace into
    # the value, to be stripped: parse_field_lines tries it only when the
    # first did not match every line, so the common head pays nothing for
    # it and one with trailing whitespace still avoids the careful path.
    return re.compile(
        rb"^(%s):[ \t]*+(%s*+)%s%s"
        % (TOKEN, _FIELD_CONTENT, b"" if trailing_ows else rb"(?<![ \t])", line_ending),
        re.MULTILINE,
    )


_STRICT_FIELD_LINE: Final = _field_line_pattern(rb"\r\n")
_LENIENT_FIELD_LINE: Final = _field_line_pattern(rb"\r?\n")
_STRICT_FIELD_LINE_OWS: Final = _field_line_pattern(rb"\r\n", trailing_ows=True)
_LENIENT_FIELD_LINE_OWS: Final = _field_line_pattern(rb"\r?\n", trailing_ows=True)

# Keys that tag the buffer's resume position with the kind of search.
_STRICT_SEARCH: Final = object()
_LENIENT_SEARCH: Final = object()

# The empty line that ends a section when bare LF is accepted: the LF ending
# the last line, an optional CR, and the LF of the empty line. (A bare CR
# is looked for separately: an alternative for it in this pattern would cost
# the search its fast scan for the LF, three times the time on every head.)
_LENIENT_END_RE: Final = re.compile(rb"\n\r?\n")
# An LF that is not part of a CRLF. The lookbehind sees bytes before the
# search position, so resuming a scan mid-buffer stays correct.
_BARE_LF_RE: Final = re.compile(rb"(?<!\r)\n")
# A CR followed by anything but LF (a CR at the very end may still be
# followed by one).
_BARE_CR_RE: Final = re.compile(rb"\r[^\n]")
# Either byte of a line ending.
_CR_OR_LF_RE: Final = re.compile(rb"[\r\n]")


def locate_section_end(
    buf: ReceiveBuffer, limit: int, lenient: bool, what: str, already_used: int = 0
) -> tuple[int, int] | None:
    """Find the empty line that ends the field section at the buffer's start.

    Returns ``(lines_end, section_end)``: the offset just past the last line's
    line ending, and the offset just past the empty line. Returns None when
    the empty line has not arrived yet.

    *limit* is the largest allowed size, of which *already_used* bytes were
    spent before the buffer's start (on skipped empty lines). Only the bytes
    that fit in what remains are searched, and once that many are buffered
    without an end the section is too large whatever comes next: the
    outcome does not depend on how the bytes were split between calls.
    Raises a 431 ProtocolError naming *what* in that case.

    In strict mode a bare LF, and in both modes a bare CR, is reported as
    soon as it arrives rather than when the section completes, so a peer
    using LF-only or CR-only line endings gets an answer instead of a hang.
    """
    data = buf.data
    # (Never negative: a negative end offset would count from the end. Not
    # max(): the builtin's call costs more than this whole comparison.)
    end = limit - already_used if limit > already_used else 0
    if lenient:
        start = buf.scan_pos if buf.scan_key is _LENIENT_SEARCH else 0  # buf.resume_from(), inline
        found = _LENIENT_END_RE.search(data, start, end)
        if found is not None:
            # (A bare CR in a complete section is refused, 400, by the
            # patterns that read its lines, which take a CR only before an
            # LF; as in strict mode, the search only finds the end.)
            return found.start() + 1, found.end()
        # A CR not followed by LF is refused as soon as the byte after it
        # arrives, as in strict mode below.
        if _BARE_CR_RE.search(data, start, end) is not None:
            raise _bare_cr(what)
        key = _LENIENT_SEARCH
    else:
        start = buf.scan_pos if buf.scan_key is _STRICT_SEARCH else 0  # buf.resume_from(), inline
        # A first scan looks for the end straight away: usually the whole
        # section has arrived. A resumed one (the section trickles in) first
        # checks that the new bytes (and the last one seen before them) hold
        # a CR or an LF: most calls then bring none, and without one neither
        # the empty line, nor a bare LF, nor a bare CR can have arrived.
        # (The bare-LF and bare-CR patterns are slow to search and only run
        # where such a byte is known to be.) This check alone is not bounded
        # by the limit: a CR or LF past it only leads to the searches below,
        # which are, and find nothing there, so the size check refuses the
        # section as before. (Leaving the bound out saves the compiled build
        # making an int object for it on every call.)
        line_byte = _CR_OR_LF_RE.search(data, start + 2) if start else None
        if start == 0 or line_byte is not None:
            index = data.find(b"\r\n\r\n", start, end)
            if index >= 0:
                return index + 2, index + 4
            # A CR not followed by LF is refused as soon as the byte after
            # it arrives (the lenient search finds it itself): a peer using
            # CR-only line endings would otherwise wait for an empty line
            # that never comes, until the limit or a timeout. When both a
            # bare LF and a bare CR are there, the first one is reported, as
            # it would have been had the bytes come one at a time.
            bare_cr = _BARE_CR_RE.search(data, line_byte.start() if line_byte else 0, end)
            if data.find(b"\n", start, end) >= 0:
                bare_lf = _BARE_LF_RE.search(data, start, end)
                if bare_lf is not None and (bare_cr is None or bare_lf.start() < bare_cr.start()):
                    raise ProtocolError(f"bare LF line ending in {what} (only CRLF is accepted)")
            if bare_cr is not None:
                raise _bare_cr(what)
        key = _STRICT_SEARCH
    if len(data) >= end:
        raise ProtocolError(f"{what} too large (limit {limit} bytes)", 431)
    # The terminator is at most 4 bytes: the next scan must re-examine the
    # last 3 in case it straddles this call and the next.
    buf.remember_scan(key, len(data) - 3)
    return None


def count_field_lines(section: bytes | bytearray, start: int, end: int, allow_obs_fold: bool) -> int:
    """How many fields the lines of ``section[start:end]`` hold (arguments as
    for :func:`parse_field_lines`), counted without parsing them, so a limit
    on the count is enforced before any cost per field is paid. Every line
    ending ends a line; with *allow_obs_fold* a line that starts with SP or
    HTAB continues a field rather than starting one."""
    lines = section.count(b"\n", start, end)
    if allow_obs_fold:
        # (A fold right after the start line is refused by the parse.)
        lines -= section.count(b"\n ", start, end) + section.count(b"\n\t", start, end)
    return lines


def check_field_count(
    section: bytes | bytearray, start: int, end: int, limit: int, *, lenient: bool, allow_obs_fold: bool, what: str
) -> None:
    """Refuse (431) the lines of ``section[start:end]`` if they hold more
    than *limit* fields (*what* names them: "header fields"), before they
    are parsed.

    A bare CR (or, unless *lenient*, a bare LF) among them is reported
    first, with 400: :func:`locate_section_end` reports it as soon as it
    arrives when the section trickles in, and a section that arrives whole
    must get the same verdict.
    """
    if count_field_lines(section, start, end, allow_obs_fold) > limit:
        # (Counts rather than searches: a CR not in a CRLF, or an LF not in
        # one, makes the counts differ, and counting is far faster than a
        # pattern that stops at every line ending.)
        crlf = section.count(b"\r\n", start, end)
        if section.count(b"\r", start, end) != crlf:
            raise ProtocolError("bare CR in field section")
        if not lenient and section.count(b"\n", start, end) != crlf:
            raise ProtocolError("bare LF line ending in field section (only CRLF is accepted)")
        raise ProtocolError(f"too many {what} (limit {limit})", 431)


def _bare_cr(what: str) -> ProtocolError:
    return ProtocolError(f"bare CR in {what} (only CRLF is accepted)")


def parse_field_lines(
    section: bytes | bytearray,
    start: int,
    end: int | None = None,
    *,
    lenient: bool,
    allow_obs_fold: bool = False,
    max_count: int | None = None,
    what: str = "header fields",
) -> list[tuple[bytes, bytes]]:
    """Split the field lines of ``section[start:end]`` into ``(name, value)``
    pairs of bytes, names as received (not yet lowercased).

    The lines must end with the line ending of the last field line (not with
    the empty line), at *end* (the end of *section* if None), and *start*
    must be 0 or just past an LF. *section* may be the receive buffer's
    bytearray itself: the head is then read where it lies, without a copy.
    An obs-fold is joined into its field's value with *allow_obs_fold*
    (responses) and rejected without it (requests). With *max_count*, more
    fields than that are refused (431, naming them *what*) before any line
    is parsed (see :func:`check_field_count`).
    """
    if end is None:
        end = len(section)
    # The quick path: one pattern over the whole section, which must then
    # have matched every line (so a line it could not read sends the section
    # to the careful path). (Inline rather than a helper: this runs for every
    # head.)
    lines = section.count(b"\n", start, end)
    # (Only more lines than fields allowed can be too many fields: a fold,
    # in a response, makes two lines one field.)
    if max_count is not None and lines > max_count:
        check_field_count(section, start, end, max_count, lenient=lenient, allow_obs_fold=allow_obs_fold, what=what)
    fields: list[tuple[bytes, bytes]] = (_LENIENT_FIELD_LINE if lenient else _STRICT_FIELD_LINE).findall(
        section, start, end
    )
    if len(fields) != lines:
        # Whitespace after a value (OWS, not part of it: RFC 9112 §5) is the
        # usual reason; a second pass reads it at the same speed and strips
        # it. Only what that cannot read goes to the careful path.
        fields = (_LENIENT_FIELD_LINE_OWS if lenient else _STRICT_FIELD_LINE_OWS).findall(section, start, end)
        if len(fields) != lines:
            return _parse_field_lines_carefully(
                bytes(section[start:end]), lenient=lenient, allow_obs_fold=allow_obs_fold
            )
        return [(name, value.rstrip(b" \t")) for name, value in fields]
    return fields


def _parse_field_lines_carefully(
    block: bytes, *, lenient: bool, allow_obs_fold: bool = False
) -> list[tuple[bytes, bytes]]:
    """The line-by-line parse: reads obs-fold, names what is wrong."""
    # A lenient parse turns every CRLF into LF first; a CR left over is bare.
    lines = block.replace(b"\r\n", b"\n").split(b"\n") if lenient else block.split(b"\r\n")
    # The block ends with a line ending, which leaves an empty last item.
    lines.pop()
    names: list[bytes] = []
    pieces: list[list[bytes]] = []
    for line in lines:
        if b"\n" in line:
            raise ProtocolError("bare LF line ending in field section (only CRLF is accepted)")
        if b"\r" in line:
            raise ProtocolError("bare CR in field section")
        if line[:1] in (b" ", b"\t"):
            if not names:
                # RFC 9112 §2.2: whitespace-preceded line before the first
                # field could be read as part of the start line.
                raise ProtocolError("whitespace before the first header field line")
            if not allow_obs_fold:
                # RFC 9112 §5.2: a server may reject a fold with 400.
                raise ProtocolError(f"obsolete line folding in header field {names[-1][:40]!r} is not accepted")
            # RFC 9112 §5.2: obs-fold continues the previous field value.
            pieces[-1].append(line)
            continue
        colon = line.find(b":")
        if colon < 0:
            raise ProtocolError(f"header field line without a colon: {line[:40]!r}")
        name = line[:colon]
        if not name:
            raise ProtocolError("empty header field name")
        if name[-1] in b" \t":
            # RFC 9112 §5.1: MUST reject, as proxies disagree on the name.
            raise ProtocolError(f"whitespace before colon in header field {name.strip()[:40]!r}")
        if _TOKEN_RE.fullmatch(name) is None:
            raise ProtocolError(f"invalid header field name {name[:40]!r}")
        names.append(name)
        pieces.append([line[colon + 1 :]])
    fields = []
    for name, parts in zip(names, pieces, strict=True):
        stripped = [part.strip(b" \t") for part in parts]
        value = b" ".join([part for part in stripped if part])
        if _FIELD_VALUE_RE.fullmatch(value) is None:
            what = "NUL byte" if b"\x00" in value else "control character"
            raise ProtocolError(f"{what} in value of header field {name[:40]!r}")
        fields.append((name, value))
    return fields


# RFC 9110 §8.6: Content-Length = 1*DIGIT. Nineteen significant digits
# reach past 2**63, far beyond any real body, and keep int() on hostile
# input cheap; leading zeros do not count (h11 and llhttp accept them too).
# (The zeros are taken possessively: a long run of them cannot backtrack.
# The group is the significant digits, None for a value of only zeros.)
def content_length_value(values: list[bytes]) -> bytes:
    """The one Content-Length all the received field *values* agree on,
    without leading zeros, safe to hand to :func:`int` (the rule is
    :func:`~h11sm._headers.agreed_content_length`; this words the error)."""
    # (The usual single plain number is recognised by the callers
    # themselves, without this call.)
    try:
        return agreed_content_length(values)[1]
    except InvalidContentLength as exc:
        if exc.conflict:
            raise ProtocolError("invalid Content-Length: conflicting values") from None
        raise ProtocolError(f"invalid Content-Length {exc.value[:40]!r}") from None


def transfer_codings(values: list[bytes]) -> list[bytes]:
    """The transfer codings named by Transfer-Encoding field values, in order
    of application, lowercased (codings are case-insensitive, RFC 9112 §7).

    An empty list element (``chunked,``, ``,chunked``, an empty field beside
    another) is refused rather than ignored. RFC 9110 §5.6.1 lets a
    recipient ignore empty elements, but in Transfer-Encoding they are the
    classic way to obfuscate ``chunked`` for one of two parsers, and no
    legitimate sender produces them (§5.6.1 forbids sending them)."""
    codings = []
    for value in values:
        for item in value.split(b","):
            item = item.strip(b" \t")
            if not item:
                raise ProtocolError(f"empty Transfer-Encoding list element in {value[:40]!r}")
            codings.append(item.lower())
    return codings


def require_chunked_only(values: list[bytes]) -> None:
    """Check that Transfer-Encoding says exactly ``chunked``: the only coding
    h11sm implements.

    Hints: 400 when the body length cannot be determined -- chunked missing,
    not final (RFC 9112 §6.3 item 4 says MUST answer 400) or applied twice
    (§7) -- and 501 for a well-placed chunked preceded by another coding,
    which is a coding we do not implement (§6.1 suggests 501).
    """
    # (Never empty: *values* is not, and an empty element is refused.)
    codings = transfer_codings(values)
    if codings[-1] != b"chunked":
        raise ProtocolError(f"final transfer coding is {codings[-1][:40]!r}, not chunked")
    if codings.count(b"chunked") > 1:
        raise ProtocolError("chunked transfer coding applied more than once")
    if len(codings) > 1:
        raise ProtocolError(f"unsupported transfer coding {codings[0][:40]!r}", 501)


#: The fields that frame a message (RFC 9112 §6): in a trailer section the
#: one kind that stays fatal on receipt.
FRAMING_NAMES: Final = frozenset({b"content-length", b"transfer-encoding"})

#: Fields that must not appear in a trailer section (RFC 9110 §6.5.1): they
#: frame the message, route it, control the connection, authenticate, or
#: describe the content, so they are needed before the content and a trailer
#: copy would be ignored by some recipients and obeyed by others.
FORBIDDEN_TRAILER_NAMES: Final = frozenset(
    {
        b"authorization",
        b"connection",
        b"content-encoding",
        b"content-length",
        b"content-range",
        b"content-type",
        b"expect",
        b"host",
        b"keep-alive",
        b"max-forwards",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"www-authenticate",
    }
)
