"""The second speed pass's shortcuts give the same answers as the long way:
field values with whitespace before the line ending, repeated comma-list
fields, the special fields picked out while a head is read or built."""

from __future__ import annotations

import pytest

from h11sm import CLIENT, MUST_CLOSE, SERVER, Connection, Data, EndOfMessage, Request, Response
from h11sm._codec._fields import parse_field_lines
from h11sm._headers import Headers, normalize_and_validate


@pytest.mark.parametrize("lenient", [False, True])
def test_whitespace_after_a_value_is_stripped_as_before(lenient: bool) -> None:
    eol = b"\n" if lenient else b"\r\n"
    section = eol.join([b"A: one \t", b"B:\t two  words ", b"C:  ", b"D:x", b""])
    assert parse_field_lines(section, 0, lenient=lenient) == [
        (b"A", b"one"),
        (b"B", b"two  words"),
        (b"C", b""),
        (b"D", b"x"),
    ]


def test_a_received_head_with_trailing_whitespace_reads_like_one_without() -> None:
    plain = Connection(SERVER).receive_data(b"GET / HTTP/1.1\r\nHost: a\r\nX-A: b c\r\n\r\n")
    padded = Connection(SERVER).receive_data(b"GET / HTTP/1.1\r\nHost: a \r\nX-A: b c\t\r\n\r\n")
    assert padded == plain


def test_close_in_a_second_connection_field_is_seen() -> None:
    server = Connection(SERVER)
    server.receive_data(b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n")
    head = server.send(Response(status_code=200, headers=[("Content-Length", "0")]))
    assert head == b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    server.send(EndOfMessage())
    assert server.our_state is MUST_CLOSE


def test_special_fields_found_while_parsing_equal_those_found_later() -> None:
    wire = (
        b"POST / HTTP/1.1\r\nHost: a\r\nX-1: y\r\nContent-Length: 2\r\n"
        b"Connection: keep-alive\r\nExpect: 100-continue\r\n\r\n"
    )
    request = Connection(SERVER).receive_data(wire)[0]
    assert type(request) is Request
    rebuilt = Headers._from_wire(request.headers._fields)  # finds them the long way
    assert request.headers._special_fields() == rebuilt._special_fields()
    assert request.headers._special_fields() == (
        (b"host", b"a"),
        (b"content-length", b"2"),
        (b"connection", b"keep-alive"),
        (b"expect", b"100-continue"),
    )


def test_special_fields_found_while_building_equal_those_found_later() -> None:
    headers = normalize_and_validate([(b"Host", b"a"), ("X-1", "y"), (b"Content-Length", b"0"), (b"Upgrade", b"h2c")])
    rebuilt = Headers._from_wire(headers._fields)
    assert headers._special_fields() == rebuilt._special_fields()
    assert [name for name, _ in headers._special_fields()] == [b"host", b"content-length", b"upgrade"]


def test_a_single_piece_that_is_not_bytes_is_sent_as_bytes() -> None:
    client = Connection(CLIENT)
    client.send(Request(method="POST", target="/", headers=[("Host", "a"), ("Content-Length", "3")]))
    sent = client.send(Data(data=bytearray(b"abc")))
    assert sent == b"abc"
    assert type(sent) is bytes
