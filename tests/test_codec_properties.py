"""Property tests: random valid streams parse to the expected events however
they are split, and random damage only ever raises ProtocolError."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from unittest import mock

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from h11sm._codec import (
    ReceiveBuffer,
    _fields,
    framing_for_receive,
    read_request_head,
    read_response_head,
)
from h11sm._codec._fields import (
    _parse_field_lines_carefully,
    parse_field_lines,
)
from h11sm._errors import ProtocolError
from h11sm._events import (
    Data,
    EndOfMessage,
    InformationalResponse,
    Request,
    Response,
)
from h11sm._headers import Headers

Event = Request | InformationalResponse | Response | Data | EndOfMessage

# -- a driver: bytes in, events out, as a connection would do it ---------------


class EndedInsideHead(Exception):
    """The stream ended in the middle of a head (the connection's business)."""


def parse_stream(
    pieces: list[bytes],
    *,
    server: bool,
    methods: list[bytes] | None = None,
    lenient: bool = False,
) -> list[Event]:
    """Feed *pieces* one by one, then the end of the stream; return every
    event. A server reads requests; a client reads the responses to requests
    made with *methods*, in order."""
    buf = ReceiveBuffer()
    events: list[Event] = []
    reader = None
    pending_methods = list(methods or [])
    for piece in [*pieces, None]:
        if piece is not None:
            buf.feed(piece)
        while True:
            if reader is None:
                head: Request | InformationalResponse | Response | None
                head = read_request_head(buf) if server else read_response_head(buf, lenient=lenient)
                if head is None:
                    break
                events.append(head)
                if type(head) is InformationalResponse:
                    continue
                method = None if server else pending_methods.pop(0)
                reader = framing_for_receive(head, method)
            else:
                event = reader.read(buf)
                if event is None:
                    break
                events.append(event)
                if type(event) is EndOfMessage:
                    reader = None
        if piece is None:
            if reader is not None:
                events.append(reader.read_eof())
            elif buf:
                raise EndedInsideHead
    return events


def merge_data(events: list[Event]) -> list[object]:
    """Events with consecutive Data joined: only the payload is fixed, not
    how it was split on arrival."""
    merged: list[object] = []
    for event in events:
        if type(event) is Data:
            if merged and isinstance(merged[-1], bytes):
                merged[-1] += event.data
            else:
                merged.append(bytes(event.data))
        else:
            merged.append(event)
    return merged


def outcome(pieces: list[bytes], **options: object) -> tuple[str, list[object]]:
    """What parsing the pieces gives: the events, or the error raised."""
    events: list[Event] = []
    try:
        events = parse_stream(pieces, **options)  # type: ignore[arg-type]
    except ProtocolError:
        return "ProtocolError", []
    except EndedInsideHead:
        return "ended inside head", []
    return "ok", merge_data(events)


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(data) + 1) for cut in cuts})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


# -- generating valid messages -------------------------------------------------

NAME = st.sampled_from(
    [b"X-Thing", b"accept", b"User-Agent", b"cookie", b"x_y", b"A!#$%&'*+.^`|~1"]
)
# Field value pieces: no leading/trailing whitespace, no controls.
VALUE_CHARS = st.sampled_from([*b'aZ09:;,/"()=?@{}\\~\x80\xff', 0x20, 0x09])
VALUE_PIECE = (
    st.lists(VALUE_CHARS, min_size=1, max_size=12)
    .map(bytes)
    .map(lambda piece: piece.strip(b" \t"))
    .filter(bool)
)
OWS = st.sampled_from([b"", b" ", b"\t", b"  \t"])


def random_case(draw: st.DrawFn, name: bytes) -> bytes:
    flips = draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    return bytes(
        (c ^ 0x20) if flip and chr(c).isalpha() else c for c, flip in zip(name, flips, strict=True)
    )


@dataclass
class Message:
    """One message's wire bytes and the events it must parse to."""

    wire: bytes = b""
    events: list[Event] = field(default_factory=list)


@st.composite
def field_lines(
    draw: st.DrawFn, eol: bytes | st.SearchStrategy[bytes] = b"\r\n", folds: bool = True
) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """Some ordinary fields: the wire lines and the expected pairs (with
    obs-folds only if *folds*: requests may not hold them)."""
    wire = b""
    expected = []
    for _ in range(draw(st.integers(0, 4))):
        name = draw(NAME)
        pieces = draw(st.lists(VALUE_PIECE, min_size=0, max_size=3 if folds else 1))
        line_end = eol if isinstance(eol, bytes) else draw(eol)
        wire += random_case(draw, name) + b":" + draw(OWS)
        if pieces:
            wire += pieces[0] + draw(OWS)
            for piece in pieces[1:]:
                # obs-fold: a line ending, then SP/HTAB, then the continuation.
                wire += line_end + draw(st.sampled_from([b" ", b"\t", b" \t "])) + piece
                wire += draw(OWS)
        wire += line_end
        expected.append((name.lower(), b" ".join(pieces)))
    return wire, expected


@st.composite
def chunked_body(draw: st.DrawFn, folds: bool = True) -> tuple[bytes, bytes, list[tuple[bytes, bytes]]]:
    """Wire bytes of a chunked body, its payload, and its trailers."""
    wire = b""
    payload = b""
    for chunk in draw(st.lists(st.binary(min_size=1, max_size=20), max_size=4)):
        size = b"%x" % len(chunk)
        if draw(st.booleans()):
            size = size.upper().rjust(draw(st.integers(1, 16)), b"0")
        extension = draw(st.sampled_from([b"", b";a", b";a=b", b' ; n = "v;\\"x"', b";a;b=c"]))
        wire += size + extension + b"\r\n" + chunk + b"\r\n"
        payload += chunk
    trailer_wire, trailers = draw(field_lines(folds=folds))
    wire += b"0" + draw(st.sampled_from([b"", b";last"])) + b"\r\n" + trailer_wire + b"\r\n"
    return wire, payload, trailers


@st.composite
def requests(draw: st.DrawFn) -> Message:
    version = draw(st.sampled_from([b"1.1", b"1.0"]))
    method, target = draw(
        st.sampled_from(
            [
                (b"GET", b"/"),
                (b"POST", b"/a/b?c=d%20e"),
                (b"PUT", b"http://example.com/x"),
                (b"OPTIONS", b"*"),
                (b"CONNECT", b"example.com:443"),
            ]
        )
    )
    wire = draw(st.sampled_from([b"", b"\r\n", b"\r\n\r\n"]))
    wire += b"%s %s HTTP/%s\r\n" % (method, target, version)
    expected: list[tuple[bytes, bytes]] = []
    if version == b"1.1" or draw(st.booleans()):
        wire += random_case(draw, b"host") + b":" + draw(OWS) + b"example.com" + draw(OWS) + b"\r\n"
        expected.append((b"host", b"example.com"))
    lines, fields = draw(field_lines(folds=False))
    wire += lines
    expected += fields
    # (A CONNECT has no content, RFC 9110 §9.3.6: framing fields are refused.)
    framing = "none" if method == b"CONNECT" else draw(st.sampled_from(["none", "length", "chunked"]))
    body_wire = payload = b""
    trailers: list[tuple[bytes, bytes]] = []
    if framing == "length":
        payload = body_wire = draw(st.binary(max_size=40))
        wire += b"Content-Length: %d\r\n" % len(payload)
        expected.append((b"content-length", b"%d" % len(payload)))
    elif framing == "chunked" and version == b"1.1":
        body_wire, payload, trailers = draw(chunked_body(folds=False))
        wire += b"Transfer-Encoding: chunked\r\n"
        expected.append((b"transfer-encoding", b"chunked"))
    wire += b"\r\n" + body_wire
    events: list[Event] = [
        Request._from_wire(method, target, Headers._from_wire(expected), version)
    ]
    if payload:
        events.append(Data._from_wire(payload))
    events.append(EndOfMessage._from_wire(Headers._from_wire(trailers)))
    return Message(wire, events)


@st.composite
def request_streams(draw: st.DrawFn) -> Message:
    stream = Message()
    for message in draw(st.lists(requests(), min_size=1, max_size=3)):
        stream.wire += message.wire
        stream.events += message.events
    return stream


@dataclass
class ResponseStream(Message):
    methods: list[bytes] = field(default_factory=list)
    lenient: bool = False


@st.composite
def response_streams(draw: st.DrawFn) -> ResponseStream:
    lenient = draw(st.booleans())
    eol = st.sampled_from([b"\r\n", b"\n"]) if lenient else st.just(b"\r\n")
    stream = ResponseStream(lenient=lenient)
    count = draw(st.integers(1, 3))
    for index in range(count):
        last = index == count - 1
        method = draw(st.sampled_from([b"GET", b"GET", b"HEAD", b"POST"]))
        stream.methods.append(method)
        stream.wire += draw(st.sampled_from([b"", b"\r\n"]))
        if draw(st.booleans()):
            stream.wire += b"HTTP/1.1 100 Continue" + draw(eol) + draw(eol)
            stream.events.append(
                InformationalResponse._from_wire(100, Headers._from_wire([]), b"1.1", b"Continue")
            )
        status = draw(st.sampled_from([200, 404, 204, 304, 500]))
        reason = draw(st.sampled_from([b"", b"Whatever", b"Two  words\t"]))
        line = b"HTTP/1.1 %d" % status
        if reason or draw(st.booleans()):
            line += b" " + reason
        stream.wire += line + draw(eol)
        lines, expected = draw(field_lines(eol))
        stream.wire += lines
        no_body = status in (204, 304) or method == b"HEAD"
        choices = ["length", "chunked"] + (["close"] if last else [])
        framing = draw(st.sampled_from(choices))
        payload = body_wire = b""
        trailers: list[tuple[bytes, bytes]] = []
        if framing == "length":
            size = draw(st.integers(0, 30))
            stream.wire += b"Content-Length: %d" % size + draw(eol)
            expected.append((b"content-length", b"%d" % size))
            if not no_body:
                payload = body_wire = draw(st.binary(min_size=size, max_size=size))
        elif framing == "chunked":
            stream.wire += b"Transfer-Encoding: chunked" + draw(eol)
            expected.append((b"transfer-encoding", b"chunked"))
            if not no_body:
                body_wire, payload, trailers = draw(chunked_body())
        elif not no_body:
            payload = body_wire = draw(st.binary(max_size=40))
        stream.wire += draw(eol) + body_wire
        stream.events.append(
            Response._from_wire(status, Headers._from_wire(expected), b"1.1", reason)
        )
        if payload:
            stream.events.append(Data._from_wire(payload))
        stream.events.append(EndOfMessage._from_wire(Headers._from_wire(trailers)))
    return stream


CUTS = st.lists(st.integers(0, 10_000), max_size=12)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(request_streams(), CUTS)
def test_valid_requests_parse_the_same_however_split(stream: Message, cuts: list[int]) -> None:
    expected = ("ok", merge_data(stream.events))
    assert outcome([stream.wire], server=True) == expected
    assert outcome(split_at(stream.wire, cuts), server=True) == expected


@SETTINGS
@given(request_streams())
def test_valid_requests_parse_the_same_byte_by_byte(stream: Message) -> None:
    pieces = [stream.wire[i : i + 1] for i in range(len(stream.wire))]
    assert outcome(pieces, server=True) == ("ok", merge_data(stream.events))


@SETTINGS
@given(response_streams(), CUTS)
def test_valid_responses_parse_the_same_however_split(
    stream: ResponseStream, cuts: list[int]
) -> None:
    options = {"server": False, "methods": stream.methods, "lenient": stream.lenient}
    expected = ("ok", merge_data(stream.events))
    assert outcome([stream.wire], **options) == expected
    assert outcome(split_at(stream.wire, cuts), **options) == expected
    pieces = [stream.wire[i : i + 1] for i in range(len(stream.wire))]
    assert outcome(pieces, **options) == expected


# -- damaged input -------------------------------------------------------------

DAMAGE_BYTES = st.sampled_from(
    [
        b"\r",
        b"\n",
        b"\r\n",
        b" ",
        b"\t",
        b":",
        b";",
        b"\x00",
        b"0",
        b"f",
        b"-",
        b",",
        b'"',
        b"\x80",
        b"\x7f",
        b"H",
        b"\r\n\r\n",
        b"chunked",
        b"Content-Length: 5\r\n",
    ]
)


@st.composite
def damaged(draw: st.DrawFn, wire: bytes) -> bytes:
    data = bytearray(wire)
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        if action == "insert":
            data[position:position] = draw(DAMAGE_BYTES)
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 3))]
        else:
            data[position : position + 1] = draw(DAMAGE_BYTES)
    return bytes(data)


@SETTINGS
@given(st.data())
def test_damaged_requests_raise_only_protocol_error(data: st.DataObject) -> None:
    stream = data.draw(request_streams())
    wire = data.draw(damaged(stream.wire))
    whole = outcome([wire], server=True)
    # Same verdict and same events however the damaged bytes arrive.
    assert outcome(split_at(wire, data.draw(CUTS)), server=True) == whole
    assert outcome([wire[i : i + 1] for i in range(len(wire))], server=True) == whole


@SETTINGS
@given(st.data())
def test_damaged_responses_raise_only_protocol_error(data: st.DataObject) -> None:
    stream = data.draw(response_streams())
    wire = data.draw(damaged(stream.wire))
    # Damage can add messages; give them methods to answer.
    options = {
        "server": False,
        "methods": [*stream.methods, *[b"GET"] * 20],
        "lenient": stream.lenient,
    }
    whole = outcome([wire], **options)
    assert outcome(split_at(wire, data.draw(CUTS)), **options) == whole
    assert outcome([wire[i : i + 1] for i in range(len(wire))], **options) == whole


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=60), st.booleans())
def test_arbitrary_bytes_raise_only_protocol_error(wire: bytes, server: bool) -> None:
    options = {"server": server, "methods": [b"GET"] * 40, "lenient": not server}
    whole = outcome([wire], **options)
    assert outcome([wire[i : i + 1] for i in range(len(wire))], **options) == whole


# -- the two field-line parsers agree ----------------------------------------

FIELD_ALPHABET = st.sampled_from(
    [
        b"a",
        b"Z",
        b"-",
        b":",
        b" ",
        b"\t",
        b"\r",
        b"\n",
        b"\r\n",
        b"\x00",
        b"\x80",
        b"\x7f",
        b"(",
        b"\x0b",
    ]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(FIELD_ALPHABET, max_size=30).map(b"".join), st.booleans())
@example(b"a: b\r\n", False)
@example(b"a: b\r\n c\r\n", False)
@example(b"a: b \t", True)
@example(b"a: b \r", True)
def test_fast_and_careful_field_parsers_agree(block: bytes, lenient: bool) -> None:
    eol = b"\n" if lenient else b"\r\n"
    block += eol
    # The quick path's verdict alone: with the careful path stubbed out, a
    # section the quick path can't read comes back as None.
    with mock.patch.object(_fields, "_parse_field_lines_carefully", return_value=None):
        quick = parse_field_lines(block, 0, lenient=lenient)
    try:
        careful = _parse_field_lines_carefully(block, lenient=lenient)
    except ProtocolError:
        careful = None
    if quick is not None:
        assert careful == quick
    elif careful is not None:
        # Only a fold, or whitespace before a line ending (which the quick
        # path leaves to the careful one), is beyond the quick path.
        assert re.search(rb"\n[ \t]|[ \t]\r?\n", block) is not None
