"""What a Connection refuses or adjusts when we send: body sizes counted in
bytes, placeholders only through passthrough, and the RFC 9110 rules about
HTTP/1.0 clients, interim responses and protocol switches."""

from __future__ import annotations

import array

import pytest

from h11sm import (
    CLIENT,
    ERROR,
    IDLE,
    MIGHT_SWITCH_PROTOCOL,
    SEND_BODY,
    SERVER,
    SWITCHED_PROTOCOL,
    Connection,
    Data,
    EndOfMessage,
    InformationalResponse,
    Paused,
    ProtocolError,
    Request,
    Response,
)


def server_after(head: bytes) -> Connection:
    server = Connection(SERVER)
    server.receive_data(head)
    return server


GET = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"


def test_chunk_size_counts_bytes_not_items() -> None:
    server = server_after(GET)
    server.send(Response(status_code=200))
    shorts = array.array("H", [1, 2])
    assert server.send(Data(data=shorts)) == b"4\r\n" + shorts.tobytes() + b"\r\n"
    pieces = server.send_with_data_passthrough(Data(data=shorts))
    assert pieces is not None
    assert pieces[0] == b"4\r\n"
    assert pieces[1] is shorts


def test_content_length_counts_bytes_not_items() -> None:
    server = server_after(GET)
    server.send(Response(status_code=200, headers=[("Content-Length", "2")]))
    with pytest.raises(ProtocolError, match="Too much data"):
        server.send(Data(data=memoryview(b"abcd").cast("H")))
    assert server.our_state is ERROR


def test_content_length_accepts_a_wide_view_of_the_right_size() -> None:
    server = server_after(GET)
    server.send(Response(status_code=200, headers=[("Content-Length", "4")]))
    assert server.send(Data(data=memoryview(b"abcd").cast("H"))) == b"abcd"
    assert server.send(EndOfMessage()) == b""


class FilePlaceholder:
    def __len__(self) -> int:
        return 3


def test_send_refuses_a_placeholder_and_says_what_to_use() -> None:
    server = server_after(GET)
    server.send(Response(status_code=200, headers=[("Content-Length", "3")]))
    with pytest.raises(TypeError, match="send_with_data_passthrough"):
        server.send(Data(data=FilePlaceholder()))
    assert server.our_state is ERROR


def test_passthrough_takes_the_placeholder() -> None:
    server = server_after(GET)
    server.send(Response(status_code=200, headers=[("Content-Length", "3")]))
    placeholder = FilePlaceholder()
    pieces = server.send_with_data_passthrough(Data(data=placeholder))
    assert pieces is not None
    assert len(pieces) == 1
    assert pieces[0] is placeholder
    assert server.send(EndOfMessage()) == b""


def test_no_interim_response_to_an_http_1_0_client() -> None:
    server = server_after(b"GET / HTTP/1.0\r\n\r\n")
    with pytest.raises(ProtocolError, match=r"1xx.*HTTP/1\.0 client"):
        server.send(InformationalResponse(status_code=100))


def test_upgrade_in_an_http_1_0_request_is_ignored() -> None:
    server = Connection(SERVER)
    events = server.receive_data(b"GET / HTTP/1.0\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n")
    assert [type(e).__name__ for e in events] == ["Request", "EndOfMessage"]
    with pytest.raises(ProtocolError, match="101"):
        server.send(InformationalResponse(status_code=101, headers=[("Upgrade", "websocket")]))


def test_101_must_wait_for_100_continue() -> None:
    server = server_after(
        b"POST / HTTP/1.1\r\nHost: a\r\nUpgrade: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"
    )
    assert server.they_are_waiting_for_100_continue
    with pytest.raises(ProtocolError, match="100 Continue"):
        server.send(InformationalResponse(status_code=101, headers=[("Upgrade", "x")]))


def test_101_after_100_continue_and_the_body() -> None:
    server = server_after(
        b"POST / HTTP/1.1\r\nHost: a\r\nUpgrade: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"
    )
    assert server.send(InformationalResponse(status_code=100)) == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert server.receive_data(b"abc") == [Data(data=b"abc"), EndOfMessage(), Paused(reason=MIGHT_SWITCH_PROTOCOL)]
    server.send(InformationalResponse(status_code=101, headers=[("Upgrade", "x")]))
    assert server.states == {CLIENT: SWITCHED_PROTOCOL, SERVER: SWITCHED_PROTOCOL}


def test_accepting_connect_from_an_http_1_0_client_does_not_say_close() -> None:
    server = server_after(b"CONNECT a:443 HTTP/1.0\r\n\r\n")
    assert server.send(Response(status_code=200)) == b"HTTP/1.1 200 OK\r\n\r\n"
    assert server.states == {CLIENT: SWITCHED_PROTOCOL, SERVER: SWITCHED_PROTOCOL}


@pytest.mark.parametrize(
    ("request_head", "status"),
    [(b"HEAD / HTTP/1.0\r\n\r\n", 200), (b"GET / HTTP/1.0\r\n\r\n", 304)],
)
def test_no_transfer_encoding_to_an_http_1_0_client_even_without_a_body(request_head: bytes, status: int) -> None:
    server = server_after(request_head)
    wire = server.send(Response(status_code=status, headers=[("Transfer-Encoding", "chunked")]))
    assert wire is not None
    assert b"transfer-encoding" not in wire
    assert wire.endswith(b"Connection: close\r\n\r\n")


def test_a_client_sends_bytes_like_bodies_by_their_size() -> None:
    client = Connection(CLIENT)
    client.send(Request(method="POST", target="/", headers=[("Host", "a"), ("Content-Length", "4")]))
    assert client.send(Data(data=bytearray(b"ab"))) == b"ab"
    assert client.send(Data(data=array.array("B", b"cd"))) == b"cd"
    assert client.our_state is SEND_BODY


def test_data_on_a_request_without_framing_says_how_to_send_a_body() -> None:
    client = Connection(CLIENT)
    client.send(Request(method="POST", target="/", headers=[("Host", "a")]))
    with pytest.raises(ProtocolError, match="this request has no body: declare Content-Length or Transfer-Encoding"):
        client.send(Data(data=b"x"))


def test_data_on_a_head_response_says_there_is_no_body() -> None:
    server = server_after(b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n")
    server.send(Response(status_code=200, headers=[("Content-Length", "5")]))
    with pytest.raises(ProtocolError, match=r"this response has no body \(.*an answer to HEAD"):
        server.send(Data(data=b"hello"))


def test_trailers_on_a_304_say_there_is_no_body() -> None:
    server = server_after(GET)
    server.send(Response(status_code=304))
    with pytest.raises(ProtocolError, match="can't send trailers: this response has no body"):
        server.send(EndOfMessage(headers=[("X-Checksum", "1")]))


def test_empty_data_on_a_bodiless_message_is_fine() -> None:
    server = server_after(GET)
    server.send(Response(status_code=204))
    assert server.send(Data(data=b"")) == b""
    assert server.send(EndOfMessage()) == b""


@pytest.mark.parametrize("passthrough", [False, True])
def test_after_our_error_every_send_is_refused_and_nothing_changes(passthrough: bool) -> None:
    client = Connection(CLIENT)
    send = client.send_with_data_passthrough if passthrough else client.send
    with pytest.raises(ProtocolError):
        send(Response(status_code=200))  # a client can't send a response
    assert client.our_state is ERROR
    for event in (Request(method="GET", target="/", headers=[("Host", "a")]), Data(data=b"x"), EndOfMessage()):
        with pytest.raises(ProtocolError, match=r"^can't send: we already broke the protocol \(our state is ERROR\)$"):
            send(event)
        assert client.states == {CLIENT: ERROR, SERVER: IDLE}


def test_101_must_name_the_new_protocol() -> None:
    # RFC 9110 §15.2.2: a server MUST send Upgrade with 101.
    server = server_after(b"GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n")
    with pytest.raises(ProtocolError, match=r"^a 101 Switching Protocols response must name the protocol .*Upgrade"):
        server.send(InformationalResponse(status_code=101, headers=[("Connection", "upgrade")]))
    assert server.our_state is ERROR
    fresh = server_after(b"GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n")
    assert fresh.send(InformationalResponse(status_code=101, headers=[("Upgrade", "websocket")])) == (
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
    )
    assert fresh.our_state is SWITCHED_PROTOCOL
