"""Property tests: random valid streams parse to the expected events however
they are split, and random damage only ever raises ProtocolError.

The streams and the damage are the fuzzer's (``tools/fuzz.py``), driven here
straight into the codec, without a connection around it."""

from __future__ import annotations

import re
from typing import Any
from unittest import mock

from helpers import fuzz_tool
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


# -- the streams: the fuzzer's generator (tools/fuzz.py), which also says
# which events each valid stream must parse to ---------------------------------

fuzz: Any = fuzz_tool()
split_at = fuzz.split_at


def methods_of(stream: Any) -> list[bytes]:
    return [method.encode() for method in stream.methods]


CUTS = st.lists(st.integers(0, 10_000), max_size=12)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(fuzz.request_streams(reusable=False), CUTS)
def test_valid_requests_parse_the_same_however_split(stream: Any, cuts: list[int]) -> None:
    expected = ("ok", merge_data(stream.events))
    assert outcome([stream.wire], server=True) == expected
    assert outcome(split_at(stream.wire, cuts), server=True) == expected


@SETTINGS
@given(fuzz.request_streams(reusable=False))
def test_valid_requests_parse_the_same_byte_by_byte(stream: Any) -> None:
    pieces = [stream.wire[i : i + 1] for i in range(len(stream.wire))]
    assert outcome(pieces, server=True) == ("ok", merge_data(stream.events))


@SETTINGS
@given(fuzz.response_streams(), CUTS)
def test_valid_responses_parse_the_same_however_split(stream: Any, cuts: list[int]) -> None:
    options = {"server": False, "methods": methods_of(stream), "lenient": stream.lenient}
    expected = ("ok", merge_data(stream.events))
    assert outcome([stream.wire], **options) == expected
    assert outcome(split_at(stream.wire, cuts), **options) == expected
    pieces = [stream.wire[i : i + 1] for i in range(len(stream.wire))]
    assert outcome(pieces, **options) == expected


# -- damaged input -------------------------------------------------------------

@SETTINGS
@given(st.data())
def test_damaged_requests_raise_only_protocol_error(data: st.DataObject) -> None:
    stream = data.draw(fuzz.request_streams(reusable=False))
    wire = data.draw(fuzz.damaged(stream.wire))
    whole = outcome([wire], server=True)
    # Same verdict and same events however the damaged bytes arrive.
    assert outcome(split_at(wire, data.draw(CUTS)), server=True) == whole
    assert outcome([wire[i : i + 1] for i in range(len(wire))], server=True) == whole


@SETTINGS
@given(st.data())
def test_damaged_responses_raise_only_protocol_error(data: st.DataObject) -> None:
    stream = data.draw(fuzz.response_streams())
    wire = data.draw(fuzz.damaged(stream.wire))
    # Damage can add messages; give them methods to answer.
    options = {
        "server": False,
        "methods": [*methods_of(stream), *[b"GET"] * 20],
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
