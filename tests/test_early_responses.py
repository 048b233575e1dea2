"""A response that answers no request (an early 400 or 408) ends the
connection on both sides: nothing can pair a later request with a response."""

from __future__ import annotations

import pytest

from h11sm import (
    CLIENT,
    MUST_CLOSE,
    SERVER,
    Connection,
    EndOfMessage,
    ProtocolError,
    Request,
    Response,
)

TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def test_server_answering_from_idle_must_close_and_says_so() -> None:
    server = Connection(SERVER)
    assert server.send(Response(status_code=408, headers=[("Content-Length", "0")])) == TIMEOUT
    assert server.send(EndOfMessage()) == b""
    assert server.states == {CLIENT: MUST_CLOSE, SERVER: MUST_CLOSE}
    with pytest.raises(ProtocolError, match="can't call prepare_to_reuse"):
        server.prepare_to_reuse()


def test_client_receiving_an_unsolicited_response_must_close() -> None:
    client = Connection(CLIENT)
    assert client.receive_data(TIMEOUT) == [
        Response(status_code=408, headers=[("Content-Length", "0"), ("Connection", "close")], reason="Request Timeout"),
        EndOfMessage(),
    ]
    assert client.states == {CLIENT: MUST_CLOSE, SERVER: MUST_CLOSE}
    with pytest.raises(ProtocolError, match="CLIENT can't send Request while CLIENT is in state MUST_CLOSE"):
        client.send(Request(method="GET", target="/", headers=[("Host", "a")]))


def test_client_facing_a_broken_server_must_close() -> None:
    client = Connection(CLIENT)
    with pytest.raises(ProtocolError):
        client.receive_data(b"NOT HTTP AT ALL\r\n\r\n")
    assert client.our_state is MUST_CLOSE
