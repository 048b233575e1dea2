"""HTTP/1.0 keep-alive (RFC 9112 §9.3, Appendix C.2.2), in both roles.

An HTTP/1.0 message with ``Connection: keep-alive`` keeps the connection
when its body is framed by length; every message we send afterwards says
``Connection: keep-alive`` too; a close-delimited body, ``Connection:
close`` or a later HTTP/1.0 message without the option ends it.
"""

from __future__ import annotations

import pytest

import h11sm.machines as m
from h11sm import (
    CLIENT,
    CLOSED,
    DONE,
    IDLE,
    MUST_CLOSE,
    SEND_BODY,
    SEND_RESPONSE,
    SERVER,
    Connection,
    Data,
    EndOfMessage,
    Request,
    Response,
)
from h11sm._sentinels import Sentinel

ENABLED_HTTP_1_0 = Sentinel.named("enabled_http_1_0")
KEEP_ALIVE_REQUEST = b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"


def serve(server: Connection, request: bytes, response: Response, body: bytes = b"") -> bytes:
    """Feed *request*, answer it with *response* and *body*; the bytes sent."""
    events = server.receive_data(request)
    assert type(events[0]) is Request and events[-1] == EndOfMessage()
    wire = server.send(response) or b""
    if body:
        wire += server.send(Data(data=body)) or b""
    wire += server.send(EndOfMessage()) or b""
    return wire


# -- the tables ---------------------------------------------------------------


def test_the_keep_alive_machine_answers_it() -> None:
    start = m.initial_states()
    asked = m.next_states(start, "http_1_0_keep_alive")
    assert asked["keep_alive"] is ENABLED_HTTP_1_0
    assert m.next_states(asked, "http_1_0_keep_alive")["keep_alive"] is ENABLED_HTTP_1_0
    for ending in ("http_1_0", "connection_close", "framing_conflict"):
        assert m.next_states(asked, ending)["keep_alive"] is Sentinel.named("disabled")
    # Once off, asking again changes nothing.
    off = m.next_states(start, "http_1_0")
    assert m.next_states(off, "http_1_0_keep_alive")["keep_alive"] is Sentinel.named("disabled")
    # Both DONE with HTTP/1.0 keep-alive: nobody must close.
    done = m.next_states({"client": DONE, "server": DONE, "keep_alive": "enabled_http_1_0"}, "prepare_to_reuse")
    assert (done["client"], done["server"]) == (IDLE, IDLE)


def test_the_machine_lists_the_new_state_and_signal() -> None:
    machine = m.MACHINES["keep_alive"]
    assert [s.name for s in machine.states] == ["enabled", "enabled_http_1_0", "disabled"]
    labels = {t.trigger.label for t in machine.transitions if t.trigger is not None}
    assert "HTTP/1.0 peer asks keep-alive" in labels


# -- server role --------------------------------------------------------------


def test_server_keeps_an_http_1_0_connection_that_asks_for_it() -> None:
    server = Connection(SERVER)
    wire = serve(server, KEEP_ALIVE_REQUEST, Response(status_code=200, headers=[("Content-Length", "2")]), b"ok")
    assert wire == b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok"
    assert server.states == {CLIENT: DONE, SERVER: DONE}
    server.prepare_to_reuse()
    wire = serve(server, KEEP_ALIVE_REQUEST, Response(status_code=204))
    assert wire == b"HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n"
    assert server.states == {CLIENT: DONE, SERVER: DONE}


@pytest.mark.parametrize("option", [b"Keep-Alive", b"x-thing, keep-alive", b"KEEP-ALIVE , foo"])
def test_the_option_is_found_in_any_case_and_among_others(option: bytes) -> None:
    server = Connection(SERVER)
    request = b"GET / HTTP/1.0\r\nConnection: %s\r\n\r\n" % option
    wire = serve(server, request, Response(status_code=200, headers=[("Content-Length", "0")]))
    assert wire.endswith(b"Connection: keep-alive\r\n\r\n")
    assert server.states == {CLIENT: DONE, SERVER: DONE}


def test_a_users_keep_alive_option_is_not_repeated() -> None:
    server = Connection(SERVER)
    headers = [("Content-Length", "0"), ("Connection", "x-custom, Keep-Alive")]
    wire = serve(server, KEEP_ALIVE_REQUEST, Response(status_code=200, headers=headers))
    assert wire == b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: x-custom, Keep-Alive\r\n\r\n"


def test_other_connection_options_are_kept() -> None:
    server = Connection(SERVER)
    headers = [("Connection", "x-custom"), ("Content-Length", "0")]
    wire = serve(server, KEEP_ALIVE_REQUEST, Response(status_code=200, headers=headers))
    assert wire == b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: x-custom, keep-alive\r\n\r\n"


def test_a_response_of_unknown_length_still_closes() -> None:
    server = Connection(SERVER)
    wire = serve(server, KEEP_ALIVE_REQUEST, Response(status_code=200), b"streamed")
    assert wire == b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nstreamed"
    assert server.states == {CLIENT: MUST_CLOSE, SERVER: MUST_CLOSE}


def test_a_server_may_still_close() -> None:
    server = Connection(SERVER)
    headers = [("Content-Length", "0"), ("Connection", "close")]
    wire = serve(server, KEEP_ALIVE_REQUEST, Response(status_code=200, headers=headers))
    assert wire == b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    assert server.states == {CLIENT: MUST_CLOSE, SERVER: MUST_CLOSE}


def test_keep_alive_and_close_together_mean_close() -> None:
    server = Connection(SERVER)
    request = b"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n"
    wire = serve(server, request, Response(status_code=200, headers=[("Content-Length", "0")]))
    assert wire == b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    assert server.states == {CLIENT: MUST_CLOSE, SERVER: MUST_CLOSE}


def test_a_later_http_1_0_request_without_the_option_ends_it() -> None:
    server = Connection(SERVER)
    serve(server, KEEP_ALIVE_REQUEST, Response(status_code=200, headers=[("Content-Length", "0")]))
    server.prepare_to_reuse()
    wire = serve(server, b"GET / HTTP/1.0\r\n\r\n", Response(status_code=200, headers=[("Content-Length", "0")]))
    assert wire == b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    assert server.states == {CLIENT: MUST_CLOSE, SERVER: MUST_CLOSE}


def test_without_the_option_http_1_0_behaves_as_before() -> None:
    server = Connection(SERVER)
    wire = serve(server, b"GET / HTTP/1.0\r\n\r\n", Response(status_code=200, headers=[("Content-Length", "0")]))
    assert wire == b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    assert server.states == {CLIENT: MUST_CLOSE, SERVER: MUST_CLOSE}


def test_http_1_1_answers_carry_no_keep_alive_option() -> None:
    server = Connection(SERVER)
    request = b"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n"
    wire = serve(server, request, Response(status_code=200, headers=[("Content-Length", "0")]))
    assert wire == b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"


def test_pipelined_http_1_0_keep_alive_requests() -> None:
    server = Connection(SERVER)
    post = b"POST /a HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nabc"
    events = server.receive_data(post + KEEP_ALIVE_REQUEST)
    assert [type(e).__name__ for e in events] == ["Request", "Data", "EndOfMessage", "Paused"]
    server.send(Response(status_code=200, headers=[("Content-Length", "0")]))
    server.send(EndOfMessage())
    server.prepare_to_reuse()
    events = server.receive_data(None)
    assert events[0] == Request(method="GET", target="/", headers=[("Connection", "keep-alive")], http_version="1.0")
    assert server.states == {CLIENT: DONE, SERVER: SEND_RESPONSE}


# -- client role --------------------------------------------------------------


def client_after_request(headers: list[tuple[str, str]] | None = None) -> Connection:
    client = Connection(CLIENT)
    client.send(Request(method="GET", target="/", headers=[("Host", "a"), *(headers or [])]))
    client.send(EndOfMessage())
    return client


def test_client_keeps_a_connection_an_http_1_0_server_keeps() -> None:
    client = client_after_request([("Connection", "keep-alive")])
    events = client.receive_data(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok")
    assert events == [
        Response(status_code=200, headers=[("Connection", "keep-alive"), ("Content-Length", "2")],
                 http_version="1.0", reason="OK"),
        Data(data=b"ok"),
        EndOfMessage(),
    ]
    assert client.states == {CLIENT: DONE, SERVER: DONE}
    client.prepare_to_reuse()
    # The next request says keep-alive, as the HTTP/1.0 server needs.
    wire = client.send(Request(method="GET", target="/b", headers=[("Host", "a")]))
    assert wire == b"GET /b HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n"
    client.send(EndOfMessage())
    client.receive_data(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n")
    assert client.states == {CLIENT: DONE, SERVER: DONE}


def test_client_request_that_closes_gets_no_keep_alive() -> None:
    client = client_after_request()
    client.receive_data(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n")
    client.prepare_to_reuse()
    wire = client.send(Request(method="GET", target="/", headers=[("Host", "a"), ("Connection", "close")]))
    assert wire == b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"


def test_a_close_delimited_http_1_0_body_still_ends_the_connection() -> None:
    client = client_after_request()
    events = client.receive_data(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\nall of it")
    assert events[1:] == [Data(data=b"all of it")]
    assert client.states == {CLIENT: DONE, SERVER: SEND_BODY}
    assert client.receive_data(b"")[0] == EndOfMessage()
    assert client.states == {CLIENT: MUST_CLOSE, SERVER: CLOSED}


def test_an_http_1_0_server_that_stops_asking_ends_it() -> None:
    client = client_after_request()
    client.receive_data(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n")
    client.prepare_to_reuse()
    client.send(Request(method="GET", target="/", headers=[("Host", "a")]))
    client.send(EndOfMessage())
    client.receive_data(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")
    assert client.states == {CLIENT: MUST_CLOSE, SERVER: MUST_CLOSE}


def test_a_response_with_both_framing_fields_ends_it() -> None:
    client = client_after_request()
    client.receive_data(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n")
    client.prepare_to_reuse()
    client.send(Request(method="GET", target="/", headers=[("Host", "a")]))
    client.send(EndOfMessage())
    client.receive_data(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"
    )
    assert client.states == {CLIENT: MUST_CLOSE, SERVER: MUST_CLOSE}
