"""Connection behaviour beyond the spec's worked examples: exact bytes,
events and states for every path through the glue."""

from __future__ import annotations

import pytest
from helpers import COMPILED, compiled_type_error, deliver, pair

from h11sm import (
    CLIENT,
    CLOSED,
    DONE,
    ERROR,
    IDLE,
    MUST_CLOSE,
    NEED_DATA,
    PAUSED,
    SEND_BODY,
    SEND_RESPONSE,
    SERVER,
    SWITCHED_PROTOCOL,
    Connection,
    ConnectionClosed,
    Data,
    EndOfMessage,
    Event,
    InformationalResponse,
    Paused,
    ProtocolError,
    Request,
    Response,
)

GET = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"


def client_waiting_for_response(method: str = "GET", headers: list[tuple[str, str]] | None = None) -> Connection:
    client = Connection(CLIENT)
    client.send(Request(method=method, target="/", headers=[("Host", "a"), *(headers or [])]))
    client.send(EndOfMessage())
    return client


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Connection(SERVER, max_buffer_size=0)
    with pytest.raises(ValueError):
        Connection(SERVER, max_header_count=0)


def test_bytes_like_input() -> None:
    server = Connection(SERVER)
    assert server.receive_data(bytearray(GET[:10])) == []
    assert server.receive_data(memoryview(GET[10:]))[0] == Request(method="GET", target="/", headers=[("Host", "a")])


def test_valid_events_come_before_the_error() -> None:
    server = Connection(SERVER)
    # The garbage sits behind a complete request, so it waits (paused) until
    # the server has answered; only then is it parsed and refused.
    events = server.receive_data(GET + b"NOT HTTP\r\n\r\n")
    assert events == [
        Request(method="GET", target="/", headers=[("Host", "a")]),
        EndOfMessage(),
        Paused(reason=DONE),
    ]
    assert server.their_state is DONE
    server.send(Response(status_code=200, headers=[("Content-Length", "0")]))
    server.send(EndOfMessage())
    server.prepare_to_reuse()
    with pytest.raises(ProtocolError, match="request line"):
        server.receive_data(None)
    assert server.their_state is ERROR
    with pytest.raises(ProtocolError, match="state ERROR"):
        server.next_event()


def test_error_inside_a_message_is_raised_by_the_call_that_meets_it() -> None:
    server = Connection(SERVER)
    head = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
    # The Request and Data this call read belong to the broken message: the
    # error wins, so a loop that handles events and reads again is told now.
    with pytest.raises(ProtocolError, match="invalid chunk size") as info:
        server.receive_data(head + b"3\r\nabc\r\nzz\r\n")
    assert info.value.error_status_hint == 400
    assert server.their_state is ERROR
    with pytest.raises(ProtocolError, match="peer already broke the protocol"):
        server.receive_data(None)


def test_error_after_a_complete_message_comes_on_the_next_call() -> None:
    server = Connection(SERVER)
    get = b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
    events = server.receive_data(get + b"GET /x HTTP/1.1\r\n")
    assert events == [
        Request(method="GET", target="/", headers=[("Host", "a"), ("Connection", "close")]),
        EndOfMessage(),
    ]
    # The peer is already known to be broken (so a server knows it must close
    # after answering), but the error itself is reported by the next call.
    assert server.their_state is ERROR
    with pytest.raises(ProtocolError, match="should be silent") as info:
        server.receive_data(None)
    assert info.value.error_status_hint == 400
    assert server.their_state is ERROR


def test_pull_api() -> None:
    server = Connection(SERVER)
    assert server.next_event() is NEED_DATA
    server.feed(GET + GET)
    assert type(server.next_event()) is Request
    assert server.next_event() == EndOfMessage()
    assert server.next_event() is PAUSED
    server.feed(None)
    assert server.next_event() is PAUSED


def test_incomplete_head_at_eof() -> None:
    server = Connection(SERVER)
    server.receive_data(b"GET / HTTP/1.1\r\n")
    with pytest.raises(ProtocolError, match="middle of a message head"):
        server.receive_data(b"")


def test_oversized_head_is_431() -> None:
    server = Connection(SERVER, max_buffer_size=64)
    with pytest.raises(ProtocolError) as info:
        server.receive_data(b"GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + b"a" * 100)
    assert info.value.error_status_hint == 431


def test_data_after_the_peer_must_close() -> None:
    client = client_waiting_for_response()
    client.receive_data(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
    assert client.their_state is MUST_CLOSE
    with pytest.raises(ProtocolError, match="should be silent"):
        client.receive_data(b"junk")


def test_head_response_has_no_body() -> None:
    client = client_waiting_for_response("HEAD")
    events = client.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
    assert events == [Response(status_code=200, headers=[("Content-Length", "1000")], reason="OK"), EndOfMessage()]
    assert client.states == {CLIENT: DONE, SERVER: DONE}


@pytest.mark.parametrize("status", [204, 304])
def test_bodiless_statuses(status: int) -> None:
    client = client_waiting_for_response()
    events = client.receive_data(b"HTTP/1.1 %d X\r\n\r\n" % status)
    assert events == [Response(status_code=status, headers=[], reason="X"), EndOfMessage()]


def test_server_sends_head_response_without_body() -> None:
    client, server = pair()
    deliver(client, server, Request(method="HEAD", target="/", headers=[("Host", "a")]), EndOfMessage())
    assert server.send(Response(status_code=200, headers=[("Content-Length", "5")])) == (
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
    )
    with pytest.raises(ProtocolError):
        server.send(Data(data=b"hello"))


def test_informational_then_final_response() -> None:
    client = client_waiting_for_response()
    events = client.receive_data(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")
    assert events == [
        InformationalResponse(status_code=100, headers=[], reason="Continue"),
        Response(status_code=200, headers=[("Content-Length", "1")], reason="OK"),
        Data(data=b"x"),
        EndOfMessage(),
    ]


def test_101_without_proposal_received() -> None:
    client = client_waiting_for_response()
    with pytest.raises(ProtocolError, match="101 Switching Protocols"):
        client.receive_data(b"HTTP/1.1 101 Switching Protocols\r\n\r\n")
    assert client.their_state is ERROR
    assert client.our_state is MUST_CLOSE


def test_early_response_to_unparsed_request_is_close_delimited() -> None:
    server = Connection(SERVER)
    with pytest.raises(ProtocolError):
        server.receive_data(b"\x00\x01garbage\r\n\r\n")
    wire = server.send(Response(status_code=400, headers=[]))
    assert wire == b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"
    assert server.send(Data(data=b"bad")) == b"bad"
    assert server.send(EndOfMessage()) == b""
    assert server.our_state is MUST_CLOSE


def test_connection_close_merges_with_other_tokens() -> None:
    server = Connection(SERVER)
    server.receive_data(b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    headers = [("Connection", "keep-alive, x-custom"), ("Content-Length", "0")]
    wire = server.send(Response(status_code=200, headers=headers))
    assert wire == b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: x-custom, close\r\n\r\n"


def test_http10_request_disables_keep_alive() -> None:
    server = Connection(SERVER)
    server.receive_data(b"GET / HTTP/1.0\r\n\r\n")
    wire = server.send(Response(status_code=200, headers=[("Content-Length", "2")]))
    assert wire == b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n"
    server.send(Data(data=b"ok"))
    server.send(EndOfMessage())
    assert server.states == {CLIENT: MUST_CLOSE, SERVER: MUST_CLOSE}


def test_http10_response_disables_keep_alive_for_client() -> None:
    client = client_waiting_for_response()
    client.receive_data(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")
    assert client.states == {CLIENT: MUST_CLOSE, SERVER: MUST_CLOSE}


def test_only_http11_is_sent() -> None:
    client = Connection(CLIENT)
    with pytest.raises(ProtocolError, match=r"only sends HTTP/1\.1"):
        client.send(Request(method="GET", target="/", headers=[], http_version="1.0"))
    assert client.our_state is ERROR


def test_server_cannot_send_request() -> None:
    server = Connection(SERVER)
    with pytest.raises(ProtocolError, match="SERVER can't send a Request"):
        server.send(Request(method="GET", target="/", headers=[("Host", "a")]))


@pytest.mark.parametrize("mistake", [b"GET / HTTP/1.1\r\n\r\n", "hello", None, Paused(reason=DONE)])
def test_sending_a_non_event_changes_nothing(mistake: object) -> None:
    client = Connection(CLIENT)
    with pytest.raises(TypeError) as info:
        client.send(mistake)  # type: ignore[call-overload]
    if COMPILED and not isinstance(mistake, Event):
        # The compiled build checks the annotation on entry, first.
        got = "None" if mistake is None else type(mistake).__name__
        assert str(info.value) == f"h11sm._events.Event object expected; got {got}"
    else:
        assert str(info.value) == (
            "send() takes a Request, InformationalResponse, Response, Data, EndOfMessage or ConnectionClosed, "
            f"not {type(mistake).__name__}; the connection is unchanged"
        )
    with pytest.raises(TypeError):
        client.send_with_data_passthrough(mistake)  # type: ignore[arg-type]
    # A plain type mistake: the connection is as good as new.
    assert client.states == {CLIENT: IDLE, SERVER: IDLE}
    assert client.send(Request(method="GET", target="/", headers=[("Host", "a")])) == (
        b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
    )
    # In the middle of a body too.
    with pytest.raises(TypeError):
        client.send("more body")  # type: ignore[call-overload]
    assert client.send(EndOfMessage()) == b""
    assert client.our_state is DONE


def test_closing_mid_message_is_refused() -> None:
    client = Connection(CLIENT)
    client.send(Request(method="POST", target="/", headers=[("Host", "a"), ("Content-Length", "3")]))
    with pytest.raises(ProtocolError, match="can't send ConnectionClosed while CLIENT is in state SEND_BODY"):
        client.send(ConnectionClosed())


def test_too_little_data() -> None:
    client = Connection(CLIENT)
    client.send(Request(method="POST", target="/", headers=[("Host", "a"), ("Content-Length", "3")]))
    client.send(Data(data=b"ab"))
    with pytest.raises(ProtocolError, match="Too little data"):
        client.send(EndOfMessage())


def test_empty_data_sends_nothing() -> None:
    client = Connection(CLIENT)
    client.send(Request(method="POST", target="/", headers=[("Host", "a"), ("Transfer-Encoding", "chunked")]))
    assert client.send(Data(data=b"")) == b""
    assert client.our_state is SEND_BODY


def test_server_sees_client_close_after_response() -> None:
    client, server = pair()
    deliver(client, server, Request(method="GET", target="/", headers=[("Host", "a")]), EndOfMessage())
    deliver(server, client, Response(status_code=200, headers=[("Content-Length", "0")]), EndOfMessage())
    assert deliver(client, server, ConnectionClosed()) == [ConnectionClosed()]
    assert server.states == {CLIENT: CLOSED, SERVER: MUST_CLOSE}
    assert server.trailing_data == (b"", True)


def test_server_closing_idle_connection_tells_client() -> None:
    client = Connection(CLIENT)
    assert client.receive_data(b"") == [ConnectionClosed()]
    assert client.states == {CLIENT: MUST_CLOSE, SERVER: CLOSED}
    with pytest.raises(ProtocolError):
        client.send(Request(method="GET", target="/", headers=[("Host", "a")]))


def test_expect_continue_cleared_by_sending_body() -> None:
    client = Connection(CLIENT)
    client.send(Request(method="PUT", target="/", headers=[("Host", "a"), ("Content-Length", "1"),
                                                          ("Expect", "100-continue")]))
    assert client.client_is_waiting_for_100_continue
    client.send(Data(data=b"x"))
    assert not client.client_is_waiting_for_100_continue


def test_expect_continue_cleared_when_server_receives_body() -> None:
    server = Connection(SERVER)
    server.receive_data(b"PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nExpect: 100-continue\r\n\r\n")
    assert server.they_are_waiting_for_100_continue
    server.receive_data(b"x")
    assert not server.they_are_waiting_for_100_continue


def test_expect_continue_cleared_by_final_response() -> None:
    client, server = pair()
    deliver(client, server, Request(method="PUT", target="/", headers=[("Host", "a"), ("Content-Length", "1"),
                                                                     ("Expect", "100-continue")]))
    deliver(server, client, Response(status_code=417, headers=[("Content-Length", "0")]))
    assert not client.client_is_waiting_for_100_continue
    assert not server.they_are_waiting_for_100_continue


def test_reuse_resets_per_exchange_facts() -> None:
    client, server = pair()
    deliver(client, server, Request(method="HEAD", target="/", headers=[("Host", "a")]), EndOfMessage())
    deliver(server, client, Response(status_code=200, headers=[("Content-Length", "10")]), EndOfMessage())
    client.prepare_to_reuse()
    server.prepare_to_reuse()
    deliver(client, server, Request(method="GET", target="/", headers=[("Host", "a")]), EndOfMessage())
    received = deliver(server, client, Response(status_code=200, headers=[("Content-Length", "2")]),
                       Data(data=b"hi"), EndOfMessage())
    assert received[1:] == [Data(data=b"hi"), EndOfMessage()]
    assert client.states == {CLIENT: DONE, SERVER: DONE}


def test_connect_with_upgrade_accepted_by_101() -> None:
    client, server = pair()
    deliver(client, server, Request(method="CONNECT", target="a:443", headers=[("Host", "a:443"), ("Upgrade", "x")]),
            EndOfMessage())
    server.send(InformationalResponse(status_code=101, headers=[("Upgrade", "x")]))
    assert server.states == {CLIENT: SWITCHED_PROTOCOL, SERVER: SWITCHED_PROTOCOL}


def test_connect_rejected() -> None:
    client, server = pair()
    deliver(client, server, Request(method="CONNECT", target="a:443", headers=[("Host", "a:443")]), EndOfMessage())
    received = deliver(server, client, Response(status_code=407, headers=[("Content-Length", "0")]), EndOfMessage())
    assert received == [Response(status_code=407, headers=[("Content-Length", "0")],
                                 reason="Proxy Authentication Required"), EndOfMessage()]
    assert client.states == {CLIENT: DONE, SERVER: DONE}


def test_server_answers_before_request_body_is_done() -> None:
    client, server = pair()
    deliver(client, server, Request(method="POST", target="/", headers=[("Host", "a"), ("Content-Length", "4")]))
    deliver(server, client, Response(status_code=413, headers=[("Content-Length", "0"), ("Connection", "close")]),
            EndOfMessage())
    assert client.states == {CLIENT: SEND_BODY, SERVER: MUST_CLOSE}
    deliver(client, server, Data(data=b"abcd"), EndOfMessage())
    assert client.states == {CLIENT: MUST_CLOSE, SERVER: MUST_CLOSE}


def test_paused_while_client_waits_for_switch_verdict_even_without_data() -> None:
    client, server = pair()
    deliver(client, server, Request(method="GET", target="/", headers=[("Host", "a"), ("Upgrade", "x")]),
            EndOfMessage())
    assert server.receive_data(None) == [Paused(reason=client.our_state)]


def test_states_idle_start() -> None:
    conn = Connection(SERVER)
    assert (conn.our_state, conn.their_state) == (IDLE, IDLE)
    conn.receive_data(b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n")
    assert conn.states == {CLIENT: SEND_BODY, SERVER: SEND_RESPONSE}


def test_close_is_not_repeated_when_the_server_already_says_it() -> None:
    server = Connection(SERVER)
    server.receive_data(b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    wire = server.send(Response(status_code=200, headers=[("Connection", "close"), ("Content-Length", "0")]))
    assert wire == b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"


def test_server_hanging_up_without_answering_is_explained() -> None:
    client = client_waiting_for_response()
    with pytest.raises(ProtocolError) as info:
        client.receive_data(b"")
    assert str(info.value) == (
        "peer closed the connection before the exchange was complete "
        "(SERVER can't send ConnectionClosed while SERVER is in state SEND_RESPONSE)"
    )
    assert client.their_state is ERROR


def test_answer_to_a_broken_request_says_connection_close() -> None:
    server = Connection(SERVER)
    with pytest.raises(ProtocolError):
        server.receive_data(b"GET / HTTP/1.1\r\nHost a\r\n\r\n")
    wire = server.send(Response(status_code=400, headers=[("Content-Length", "0")]))
    assert wire == b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    server.send(EndOfMessage())
    assert server.our_state is MUST_CLOSE


def test_answer_after_the_client_half_closed_says_connection_close() -> None:
    server = Connection(SERVER)
    assert server.receive_data(GET + b"")[-1] == EndOfMessage()
    assert server.receive_data(b"") == [ConnectionClosed()]
    wire = server.send(Response(status_code=200, headers=[("Content-Length", "0")]))
    assert wire == b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    server.send(EndOfMessage())
    assert server.states == {CLIENT: CLOSED, SERVER: MUST_CLOSE}


def test_keep_alive_answer_has_no_connection_close() -> None:
    server = Connection(SERVER)
    server.receive_data(GET)
    assert server.send(Response(status_code=200, headers=[("Content-Length", "0")])) == (
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    )


def test_limits_must_be_ints() -> None:
    size_message = compiled_type_error("int", 100.5) if COMPILED else "^max_buffer_size must be an int, not float$"
    count_message = compiled_type_error("int", "10") if COMPILED else "^max_header_count must be an int, not str$"
    with pytest.raises(TypeError, match=size_message):
        Connection(SERVER, 100.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=count_message):
        Connection(SERVER, max_header_count="10")  # type: ignore[arg-type]


def test_receiving_text_is_a_type_error_that_says_so() -> None:
    server = Connection(SERVER)
    with pytest.raises(TypeError, match=r"must be bytes-like .* not str"):
        server.receive_data("GET / HTTP/1.1\r\n\r\n")  # type: ignore[arg-type]


def test_bytes_from_a_broken_peer_are_not_buffered() -> None:
    server = Connection(SERVER)
    with pytest.raises(ProtocolError):
        server.receive_data(b"NOT HTTP\r\n\r\n")
    before = server.trailing_data
    for _ in range(3):
        with pytest.raises(ProtocolError, match="state ERROR"):
            server.receive_data(b"x" * 100_000)
    assert server.trailing_data == before


def test_response_with_both_framing_fields_is_read_chunked_but_ends_the_connection() -> None:
    client = client_waiting_for_response()
    events = client.receive_data(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 100\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
    )
    assert events[1:] == [Data(data=b"abc"), EndOfMessage()]
    assert client.states == {CLIENT: MUST_CLOSE, SERVER: MUST_CLOSE}
