"""A walk through the behavioural spec (h11 0.5.0's documentation), section by
section, checking every example it shows against h11sm."""

from __future__ import annotations

import pytest
from helpers import deliver, pair

import h11sm
from h11sm import (
    CLIENT,
    CLOSED,
    DONE,
    ERROR,
    IDLE,
    MIGHT_SWITCH_PROTOCOL,
    MUST_CLOSE,
    SEND_BODY,
    SEND_RESPONSE,
    SERVER,
    SWITCHED_PROTOCOL,
    Connection,
    ConnectionClosed,
    Data,
    EndOfMessage,
    InformationalResponse,
    Paused,
    ProtocolError,
    Request,
    Response,
)

NGINX_RESPONSE_HEAD = (
    b"HTTP/1.1 200 OK\r\n"
    b"Server: nginx\r\n"
    b"Date: Sat, 14 May 2016 01:32:22 GMT\r\n"
    b"Content-Type: application/xml\r\n"
    b"Content-Length: 522\r\n"
    b"Connection: keep-alive\r\n"
    b"Access-Control-Allow-Origin: *\r\n"
    b"Access-Control-Allow-Credentials: true\r\n"
    b"\r\n"
)
BODY = b"<?xml version='1.0' encoding='us-ascii'?>\n" + b"x" * (522 - 42)


# -- 1.1.1 HTTP basics ---------------------------------------------------------


def test_1_1_1_request_bytes_and_empty_end_of_message() -> None:
    conn = Connection(our_role=CLIENT)
    request = Request(method="GET", target="/xml", headers=[("Host", "httpbin.org")])
    assert conn.send(request) == b"GET /xml HTTP/1.1\r\nHost: httpbin.org\r\n\r\n"
    assert conn.send(EndOfMessage()) == b""


def test_1_1_1_receiving_the_response() -> None:
    conn = Connection(our_role=CLIENT)
    conn.send(Request(method="GET", target="/xml", headers=[("Host", "httpbin.org")]))
    conn.send(EndOfMessage())
    events = conn.receive_data(NGINX_RESPONSE_HEAD + BODY)
    assert events == [
        Response(
            status_code=200,
            headers=[
                (b"server", b"nginx"),
                (b"date", b"Sat, 14 May 2016 01:32:22 GMT"),
                (b"content-type", b"application/xml"),
                (b"content-length", b"522"),
                (b"connection", b"keep-alive"),
                (b"access-control-allow-origin", b"*"),
                (b"access-control-allow-credentials", b"true"),
            ],
            reason=b"OK",
        ),
        Data(data=BODY),
        EndOfMessage(headers=[]),
    ]


# -- 1.1.2 A basic client object: data trickles in --------------------------------


def test_1_1_2_partial_reads_buffer_and_stream() -> None:
    conn = Connection(our_role=CLIENT)
    conn.send(Request(method="GET", target="/xml", headers=[("Host", "httpbin.org")]))
    conn.send(EndOfMessage())
    wire = NGINX_RESPONSE_HEAD + BODY
    assert conn.receive_data(wire[:200]) == []
    first = conn.receive_data(wire[200:400])
    assert type(first[0]) is Response
    assert first[1] == Data(data=wire[len(NGINX_RESPONSE_HEAD) : 400])
    second = conn.receive_data(wire[400:])
    assert second == [Data(data=wire[400:]), EndOfMessage()]


# -- 1.1.3 Keep-alive --------------------------------------------------------------


def test_1_1_3_keep_alive_and_reuse() -> None:
    conn = Connection(our_role=CLIENT)
    conn.send(Request(method="GET", target="/xml", headers=[("Host", "httpbin.org")]))
    conn.send(EndOfMessage())
    conn.receive_data(NGINX_RESPONSE_HEAD + BODY)
    assert (conn.our_state, conn.their_state) == (DONE, DONE)
    conn.prepare_to_reuse()
    assert conn.states == {CLIENT: IDLE, SERVER: IDLE}
    assert conn.send(Request(method="GET", target="/get", headers=[("Host", "httpbin.org")])) == (
        b"GET /get HTTP/1.1\r\nHost: httpbin.org\r\n\r\n"
    )


def test_1_1_3_server_without_keep_alive() -> None:
    conn = Connection(our_role=CLIENT)
    conn.send(Request(method="GET", target="/", headers=[("Host", "a")]))
    conn.send(EndOfMessage())
    conn.receive_data(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
    assert (conn.our_state, conn.their_state) == (MUST_CLOSE, MUST_CLOSE)
    assert conn.receive_data(b"") == [ConnectionClosed()]
    assert (conn.our_state, conn.their_state) == (MUST_CLOSE, CLOSED)


# -- 1.1.4 What's next: the suggested experiments ---------------------------------------


def test_1_1_4_post_without_content_length_fails_on_data() -> None:
    conn = Connection(our_role=CLIENT)
    conn.send(Request(method="POST", target="/post", headers=[("Host", "httpbin.org")]))
    # (The spec only promises "an error"; ours says how to fix it.)
    with pytest.raises(ProtocolError, match="this request has no body: declare Content-Length"):
        conn.send(Data(data=b"hello"))
    assert conn.our_state is ERROR


def test_1_1_4_post_with_content_length() -> None:
    conn = Connection(our_role=CLIENT)
    head = conn.send(
        Request(method="POST", target="/post", headers=[("Host", "httpbin.org"), ("Content-Length", "5")])
    )
    assert head == b"POST /post HTTP/1.1\r\nHost: httpbin.org\r\nContent-Length: 5\r\n\r\n"
    assert conn.send(Data(data=b"hello")) == b"hello"
    assert conn.send(EndOfMessage()) == b""
    assert conn.our_state is DONE


def test_1_1_4_client_sending_a_response_is_refused() -> None:
    conn = Connection(our_role=CLIENT)
    with pytest.raises(ProtocolError, match="CLIENT can't send a Response"):
        conn.send(Response(status_code=200, headers=[]))
    assert conn.our_state is ERROR


def test_1_1_4_two_requests_in_a_row_are_refused() -> None:
    conn = Connection(our_role=CLIENT)
    conn.send(Request(method="GET", target="/", headers=[("Host", "a")]))
    with pytest.raises(ProtocolError, match="CLIENT can't send Request while CLIENT is in state SEND_BODY"):
        conn.send(Request(method="GET", target="/", headers=[("Host", "a")]))


# -- 1.2 API documentation: the public names -----------------------------------------------


def test_1_2_public_names() -> None:
    for name in [
        "CLIENT", "CLOSED", "Connection", "ConnectionClosed", "Data", "DONE", "EndOfMessage", "ERROR",
        "IDLE", "InformationalResponse", "MIGHT_SWITCH_PROTOCOL", "MUST_CLOSE", "Paused", "PRODUCT_ID",
        "ProtocolError", "Request", "Response", "SEND_BODY", "SEND_RESPONSE", "SERVER",
        "SWITCHED_PROTOCOL",
    ]:
        assert hasattr(h11sm, name), name
        assert name in h11sm.__all__


# -- 1.2.1 Events -----------------------------------------------------------------------------


def test_1_2_1_request_repr_and_fields() -> None:
    req = Request(method="GET", target="/", headers=[("Host", "example.com")])
    assert repr(req) == "Request(method=b'GET', target=b'/', headers=[(b'host', b'example.com')], http_version=b'1.1')"
    assert (req.method, req.target, req.http_version) == (b"GET", b"/", b"1.1")


def test_1_2_1_keyword_only_and_final() -> None:
    with pytest.raises(TypeError):
        Request("GET", "/", [("Host", "a")])  # type: ignore[misc]
    with pytest.raises(TypeError):

        class MyRequest(Request):  # type: ignore[misc]
            pass


def test_1_2_1_host_rules() -> None:
    assert repr(Request(method="GET", target="/", headers=[], http_version="1.0")) == (
        "Request(method=b'GET', target=b'/', headers=[], http_version=b'1.0')"
    )
    with pytest.raises(ProtocolError, match="Missing mandatory Host: header"):
        Request(method="GET", target="/", headers=[])


def test_1_2_1_header_normalisation_leaves_the_input_alone() -> None:
    original_headers = [("HOST", bytearray(b" example.com "))]
    req = Request(method="GET", target="/", headers=original_headers)
    assert original_headers == [("HOST", bytearray(b" example.com "))]
    assert req.headers == [(b"host", b"example.com")]


def test_1_2_1_header_name_whitespace_and_bad_content_length() -> None:
    with pytest.raises(ProtocolError):
        Request(method="GET", target="/", headers=[("Host ", "a")])
    with pytest.raises(ProtocolError):
        Request(method="GET", target="/", headers=[("Host", "a"), ("Content-Length", "hello")])


def test_1_2_1_versions_compare_as_bytes() -> None:
    old = Request(method="GET", target="/", headers=[], http_version="1.0")
    assert old.http_version < b"1.1"


def test_1_2_1_status_code_ranges() -> None:
    with pytest.raises(ProtocolError):
        InformationalResponse(status_code=200, headers=[])
    with pytest.raises(ProtocolError):
        Response(status_code=101, headers=[])
    assert Response(status_code=404, headers=[]).status_code == 404


def test_1_2_1_paused_reasons() -> None:
    assert repr(Paused(reason=DONE)) == "Paused(reason=DONE)"
    assert Paused(reason=SWITCHED_PROTOCOL).reason is SWITCHED_PROTOCOL


# -- 1.2.2 The state machine ----------------------------------------------------------------


def test_1_2_2_states_start_idle_and_follow_the_request() -> None:
    conn = h11sm.Connection(our_role=h11sm.CLIENT)
    assert repr(conn.states) == "{CLIENT: IDLE, SERVER: IDLE}"
    conn.send(h11sm.Request(method="GET", target="/", headers=[("Host", "example.com")]))
    assert conn.states == {SERVER: SEND_RESPONSE, CLIENT: SEND_BODY}
    assert conn.states[h11sm.CLIENT] is h11sm.SEND_BODY


def test_1_2_2_server_may_answer_from_idle() -> None:
    conn = Connection(our_role=SERVER)
    data = conn.send(Response(status_code=408, headers=[("Connection", "close"), ("Content-Length", "0")]))
    assert data == b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    conn.send(EndOfMessage())
    assert conn.our_state is MUST_CLOSE


# -- 1.2.3 The Connection object ---------------------------------------------------------------


def test_1_2_3_roles_and_attributes() -> None:
    client = Connection(CLIENT)
    server = Connection(SERVER)
    assert (client.our_role, client.their_role) == (CLIENT, SERVER)
    assert (server.our_role, server.their_role) == (SERVER, CLIENT)
    assert client.their_http_version is None
    assert client.trailing_data == (b"", False)
    with pytest.raises(ValueError):
        Connection("client")  # type: ignore[arg-type]


def test_1_2_3_eof_special_case_is_repeatable_and_final() -> None:
    server = Connection(SERVER)
    assert server.receive_data(b"") == [ConnectionClosed()]
    assert server.receive_data(b"") == [ConnectionClosed()]
    assert server.receive_data(None) == [ConnectionClosed()]
    with pytest.raises(ValueError, match="after the peer closed"):
        server.receive_data(b"GET / HTTP/1.1\r\n")
    assert server.their_state is CLOSED


def test_1_2_3_their_http_version_survives_reuse() -> None:
    client, server = pair()
    deliver(client, server, Request(method="GET", target="/", headers=[("Host", "a")]), EndOfMessage())
    deliver(server, client, Response(status_code=200, headers=[("Content-Length", "0")]), EndOfMessage())
    assert client.their_http_version == b"1.1"
    client.prepare_to_reuse()
    assert client.their_http_version == b"1.1"


# -- 1.2.4 Error handling --------------------------------------------------------------------


def test_1_2_4_error_status_hint() -> None:
    assert ProtocolError("x").error_status_hint == 400
    assert ProtocolError("x", error_status_hint=431).error_status_hint == 431


def test_1_2_4_prepare_to_reuse_error_leaves_connection_usable() -> None:
    conn = Connection(CLIENT)
    with pytest.raises(ProtocolError):
        conn.prepare_to_reuse()
    assert conn.states == {CLIENT: IDLE, SERVER: IDLE}
    conn.send(Request(method="GET", target="/", headers=[("Host", "a")]))


def test_1_2_4_receive_error_then_answer_400() -> None:
    server = Connection(SERVER)
    with pytest.raises(ProtocolError) as info:
        server.receive_data(b"GET / HTTP/1.1\r\nHost : a\r\n\r\n")
    assert info.value.error_status_hint == 400
    assert server.their_state is ERROR
    with pytest.raises(ProtocolError):
        server.receive_data(b"")
    # The connection cannot be reused after this answer, so it says so.
    assert server.send(Response(status_code=400, headers=[("Content-Length", "0")])) == (
        b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )


def test_1_2_4_send_error_is_final() -> None:
    conn = Connection(CLIENT)
    with pytest.raises(ProtocolError):
        conn.send(Data(data=b"x"))
    assert conn.our_state is ERROR
    with pytest.raises(ProtocolError, match="our state is ERROR"):
        conn.send(Request(method="GET", target="/", headers=[("Host", "a")]))


# -- 1.2.5 Message body framing ------------------------------------------------------------------


def test_1_2_5_chunked_request() -> None:
    client, server = pair()
    head = client.send(Request(method="POST", target="/", headers=[("Host", "a"), ("Transfer-Encoding", "chunked")]))
    assert head == b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert client.send(Data(data=b"hello")) == b"5\r\nhello\r\n"
    assert client.send(EndOfMessage(headers=[("X-Sum", "1")])) == b"0\r\nX-Sum: 1\r\n\r\n"
    events = server.receive_data(head + b"5\r\nhello\r\n" + b"0\r\nx-sum: 1\r\n\r\n")
    assert events[1:] == [Data(data=b"hello"), EndOfMessage(headers=[(b"x-sum", b"1")])]


def test_1_2_5_response_without_framing_goes_chunked_to_http11() -> None:
    client, server = pair()
    deliver(client, server, Request(method="GET", target="/", headers=[("Host", "a")]), EndOfMessage())
    assert server.send(Response(status_code=200, headers=[])) == (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    assert server.send(Data(data=b"hi")) == b"2\r\nhi\r\n"
    assert server.send(EndOfMessage()) == b"0\r\n\r\n"
    assert server.our_state is DONE


def test_1_2_5_response_to_http10_is_close_delimited() -> None:
    server = Connection(SERVER)
    server.receive_data(b"GET / HTTP/1.0\r\n\r\n")
    assert server.their_http_version == b"1.0"
    assert server.send(Response(status_code=200, headers=[("Transfer-Encoding", "chunked")])) == (
        b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"
    )
    assert server.send(Data(data=b"hi")) == b"hi"
    with pytest.raises(ProtocolError, match="trailers"):
        server.send(EndOfMessage(headers=[("X", "1")]))


def test_1_2_5_http10_end_of_message_then_must_close() -> None:
    server = Connection(SERVER)
    server.receive_data(b"GET / HTTP/1.0\r\n\r\n")
    server.send(Response(status_code=200, headers=[]))
    assert server.send(EndOfMessage()) == b""
    assert server.our_state is MUST_CLOSE


# -- 1.2.6 Keep-alive and pipelining -------------------------------------------------------------


def test_1_2_6_connection_close_disables_reuse() -> None:
    client, server = pair()
    deliver(client, server, Request(method="GET", target="/", headers=[("Host", "a"), ("Connection", "close")]),
            EndOfMessage())
    data = server.send(Response(status_code=200, headers=[("Content-Length", "0")]))
    assert data == b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    server.send(EndOfMessage())
    assert server.states == {CLIENT: MUST_CLOSE, SERVER: MUST_CLOSE}
    with pytest.raises(ProtocolError):
        server.prepare_to_reuse()


def test_1_2_6_client_cannot_pipeline() -> None:
    client = Connection(CLIENT)
    client.send(Request(method="GET", target="/", headers=[("Host", "a")]))
    client.send(EndOfMessage())
    with pytest.raises(ProtocolError):
        client.prepare_to_reuse()


# -- 1.2.7 Flow control --------------------------------------------------------------------------


def test_1_2_7_expect_100_continue() -> None:
    client, server = pair()
    request = Request(method="POST", target="/", headers=[("Host", "a"), ("Content-Length", "1"),
                                                          ("Expect", "100-Continue")])
    deliver(client, server, request)
    assert client.client_is_waiting_for_100_continue
    assert server.they_are_waiting_for_100_continue
    assert not client.they_are_waiting_for_100_continue
    deliver(server, client, InformationalResponse(status_code=100, headers=[]))
    assert not server.they_are_waiting_for_100_continue
    assert not client.client_is_waiting_for_100_continue


def test_1_2_7_pipelined_requests_pause_until_reuse() -> None:
    conn = h11sm.Connection(our_role=h11sm.SERVER)
    events = conn.receive_data(
        b"GET /1 HTTP/1.1\r\nHost: example.com\r\n\r\n"
        b"GET /1 HTTP/1.1\r\nHost: example.com\r\n\r\n"
    )
    assert events == [
        Request(method=b"GET", target=b"/1", headers=[(b"host", b"example.com")], http_version=b"1.1"),
        EndOfMessage(headers=[]),
        Paused(reason=DONE),
    ]
    assert conn.receive_data(b"more") == [Paused(reason=DONE)]
    conn.send(Response(status_code=200, headers=[("Content-Length", "0")]))
    conn.send(EndOfMessage())
    conn.prepare_to_reuse()
    assert conn.receive_data(None)[:2] == [
        Request(method=b"GET", target=b"/1", headers=[(b"host", b"example.com")], http_version=b"1.1"),
        EndOfMessage(headers=[]),
    ]


def test_1_2_7_no_buffer_limit_while_paused() -> None:
    conn = Connection(SERVER, max_buffer_size=100)
    conn.receive_data(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert conn.receive_data(b"x" * 10_000) == [Paused(reason=DONE)]


# -- 1.2.8 Closing connections -------------------------------------------------------------------


def test_1_2_8_clean_close_after_exchange() -> None:
    client, server = pair()
    deliver(client, server, Request(method="GET", target="/", headers=[("Host", "a"), ("Connection", "close")]),
            EndOfMessage())
    deliver(server, client, Response(status_code=200, headers=[("Content-Length", "2")]), Data(data=b"ok"),
            EndOfMessage())
    assert client.our_state is MUST_CLOSE
    assert client.send(ConnectionClosed()) is None
    assert client.our_state is CLOSED
    assert server.receive_data(b"") == [ConnectionClosed()]
    assert server.states == {CLIENT: CLOSED, SERVER: MUST_CLOSE}


def test_1_2_8_unclean_close_mid_body_is_an_error() -> None:
    client = Connection(CLIENT)
    client.send(Request(method="GET", target="/", headers=[("Host", "a")]))
    client.send(EndOfMessage())
    client.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 500)
    with pytest.raises(ProtocolError):
        client.receive_data(b"")
    assert client.their_state is ERROR


def test_1_2_8_close_delimited_body_ends_at_eof() -> None:
    client = Connection(CLIENT)
    client.send(Request(method="GET", target="/", headers=[("Host", "a")]))
    client.send(EndOfMessage())
    assert client.receive_data(b"HTTP/1.0 200 OK\r\n\r\nabc")[1:] == [Data(data=b"abc")]
    assert client.receive_data(b"") == [EndOfMessage(), ConnectionClosed()]
    assert client.states == {CLIENT: MUST_CLOSE, SERVER: CLOSED}


# -- 1.2.9 Switching protocols ---------------------------------------------------------------------


def test_1_2_9_upgrade_accepted() -> None:
    client, server = pair()
    deliver(client, server, Request(method="GET", target="/", headers=[("Host", "a"), ("Upgrade", "websocket"),
                                                                       ("Connection", "Upgrade")]), EndOfMessage())
    assert client.our_state is MIGHT_SWITCH_PROTOCOL
    assert server.receive_data(b"\x81\x00") == [Paused(reason=MIGHT_SWITCH_PROTOCOL)]
    wire = server.send(InformationalResponse(status_code=101, headers=[("Upgrade", "websocket")]))
    assert wire == b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
    assert server.states == {CLIENT: SWITCHED_PROTOCOL, SERVER: SWITCHED_PROTOCOL}
    assert server.trailing_data == (b"\x81\x00", False)
    events = client.receive_data(wire + b"new protocol bytes")
    assert events == [
        InformationalResponse(status_code=101, headers=[(b"upgrade", b"websocket")], reason=b"Switching Protocols"),
        Paused(reason=SWITCHED_PROTOCOL),
    ]
    assert client.trailing_data == (b"new protocol bytes", False)


def test_1_2_9_upgrade_rejected_returns_to_http() -> None:
    client, server = pair()
    deliver(client, server, Request(method="GET", target="/", headers=[("Host", "a"), ("Upgrade", "h2c")]),
            EndOfMessage())
    deliver(server, client, Response(status_code=200, headers=[("Content-Length", "0")]), EndOfMessage())
    assert client.states == {CLIENT: DONE, SERVER: DONE}
    client.prepare_to_reuse()


def test_1_2_9_connect_accepted() -> None:
    client, server = pair()
    deliver(client, server, Request(method="CONNECT", target="example.com:443", headers=[("Host", "example.com")]),
            EndOfMessage())
    wire = server.send(Response(status_code=200, headers=[]))
    assert wire == b"HTTP/1.1 200 OK\r\n\r\n"
    assert server.our_state is SWITCHED_PROTOCOL
    assert client.receive_data(wire + b"\x16\x03")[-1] == Paused(reason=SWITCHED_PROTOCOL)
    assert client.trailing_data == (b"\x16\x03", False)


def test_1_2_9_101_without_proposal_is_refused() -> None:
    client, server = pair()
    deliver(client, server, Request(method="GET", target="/", headers=[("Host", "a")]), EndOfMessage())
    with pytest.raises(ProtocolError, match="101 Switching Protocols"):
        server.send(InformationalResponse(status_code=101, headers=[("Upgrade", "websocket")]))


# -- 1.2.10 Support for sendfile() -------------------------------------------------------------------


class FilePlaceholder:
    def __init__(self, count: int) -> None:
        self.count = count

    def __len__(self) -> int:
        return self.count


@pytest.mark.parametrize(
    ("framing", "expected"),
    [
        (("Content-Length", "200"), [None]),
        (("Transfer-Encoding", "chunked"), [b"c8\r\n", None, b"\r\n"]),
    ],
)
def test_1_2_10_data_passthrough(framing: tuple[str, str], expected: list[bytes | None]) -> None:
    client = Connection(CLIENT)
    client.send(Request(method="PUT", target="/", headers=[("Host", "a"), framing]))
    placeholder = FilePlaceholder(200)
    pieces = client.send_with_data_passthrough(Data(data=placeholder))
    assert pieces is not None
    assert [placeholder if p is None else p for p in expected] == pieces
    assert any(p is placeholder for p in pieces)


# -- 1.2.11 Identifying h11sm ---------------------------------------------------------------------------


def test_1_2_11_product_id() -> None:
    assert f"h11sm/{h11sm.__version__}" == h11sm.PRODUCT_ID


# -- 1.3 Details of our HTTP support ---------------------------------------------------------------------


def test_1_3_http10_client_understood() -> None:
    server = Connection(SERVER)
    assert server.receive_data(b"GET / HTTP/1.0\r\n\r\n") == [
        Request(method="GET", target="/", headers=[], http_version="1.0"),
        EndOfMessage(),
    ]


def test_1_3_chunk_extensions_discarded() -> None:
    server = Connection(SERVER)
    events = server.receive_data(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;name=value\r\nabc\r\n0\r\n\r\n"
    )
    assert events[1:] == [Data(data=b"abc"), EndOfMessage()]


def test_1_3_obsolete_line_folding_joined() -> None:
    client = Connection(CLIENT)
    client.send(Request(method="GET", target="/", headers=[("Host", "a")]))
    client.send(EndOfMessage())
    events = client.receive_data(b"HTTP/1.1 200 OK\r\nX-Long: one\r\n  two\r\nContent-Length: 0\r\n\r\n")
    assert events[0].headers == [(b"x-long", b"one two"), (b"content-length", b"0")]  # type: ignore[attr-defined]


def test_1_3_unsupported_major_version() -> None:
    server = Connection(SERVER)
    with pytest.raises(ProtocolError) as info:
        server.receive_data(b"GET / HTTP/2.0\r\nHost: a\r\n\r\n")
    assert info.value.error_status_hint == 505


def test_1_3_reason_phrases_are_sent() -> None:
    client, server = pair()
    deliver(client, server, Request(method="GET", target="/", headers=[("Host", "a")]), EndOfMessage())
    assert server.send(Response(status_code=404, headers=[("Content-Length", "0")])).startswith(  # type: ignore[union-attr]
        b"HTTP/1.1 404 Not Found\r\n"
    )
