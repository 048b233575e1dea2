"""Regression tests for issue 14, "Hostile input, round two": a send-side
framing desync, CONNECT bodies, errors a natural receive loop never learns
of, and the interop losses a differential audit against h11 and llhttp
found. One section per item of the issue; the framing questions are also in
the smuggling corpus (tests/test_smuggling.py)."""

from __future__ import annotations

import array
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from h11sm import (
    CLIENT,
    CLOSED,
    DONE,
    ERROR,
    MUST_CLOSE,
    SEND_BODY,
    SERVER,
    Connection,
    Data,
    EndOfMessage,
    InformationalResponse,
    ProtocolError,
    Request,
    Response,
)
from h11sm._codec import _fields, _heads


def post(headers: list[tuple[str, str]]) -> Request:
    return Request(method="POST", target="/", headers=[("Host", "a"), *headers])


def sending_body(headers: list[tuple[str, str]]) -> Connection:
    client = Connection(CLIENT)
    client.send(post(headers))
    return client


def client_after_get() -> Connection:
    client = Connection(CLIENT)
    client.send(Request(method="GET", target="/", headers=[("Host", "a")]))
    client.send(EndOfMessage())
    return client


def refusal(action: object, *args: object) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        action(*args)  # type: ignore[operator]
    return info.value


# -- 1: a Data payload is converted once, before anything is counted ------------------


class LyingLength:
    """len() says 5; the bytes are 3."""

    def __len__(self) -> int:
        return 5

    def __bytes__(self) -> bytes:
        return b"abc"


def test_payload_whose_len_lies_is_counted_by_its_bytes() -> None:
    client = sending_body([("Content-Length", "5")])
    assert client.send(Data(data=LyingLength())) == b"abc"
    # Three bytes counted, not five: the body is not complete.
    with pytest.raises(ProtocolError, match=r"^Too little data for declared Content-Length$"):
        client.send(EndOfMessage())
    assert client.our_state is ERROR


def test_payload_that_cannot_become_bytes_leaves_us_in_error() -> None:
    client = sending_body([("Content-Length", "5")])
    with pytest.raises(ValueError, match="range"):
        client.send(Data(data=[104, 105, 300, 33, 33]))
    assert client.our_state is ERROR
    with pytest.raises(ProtocolError, match="our state is ERROR"):
        client.send(EndOfMessage())


def test_placeholder_through_send_is_refused_with_error_state() -> None:
    class Placeholder:
        def __len__(self) -> int:
            return 5

    client = sending_body([("Content-Length", "5")])
    with pytest.raises(TypeError, match="send_with_data_passthrough"):
        client.send(Data(data=Placeholder()))
    assert client.our_state is ERROR


def test_buffer_payloads_become_their_bytes() -> None:
    client = sending_body([("Content-Length", "7")])
    assert client.send(Data(data=bytearray(b"ab"))) == b"ab"
    assert client.send(Data(data=array.array("B", b"cd"))) == b"cd"
    assert client.send(Data(data=memoryview(b"xefx")[1:4])) == b"efx"
    assert client.send(EndOfMessage()) == b""
    assert client.our_state is DONE


def test_passthrough_hands_a_placeholder_back_untouched() -> None:
    class Placeholder:
        def __len__(self) -> int:
            return 5

    placeholder = Placeholder()
    client = sending_body([("Transfer-Encoding", "chunked")])
    pieces = client.send_with_data_passthrough(Data(data=placeholder))
    assert pieces is not None
    assert pieces[0] == b"5\r\n" and pieces[1] is placeholder and pieces[2] == b"\r\n"
    assert client.our_state is SEND_BODY


# -- 2: CONNECT has no content -------------------------------------------------------------


CONNECT_HEAD = b"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n"


@pytest.mark.parametrize("field", [b"Content-Length: 35", b"Transfer-Encoding: chunked", b"Content-Length: 1, 1"])
def test_connect_with_framing_fields_refused_on_receipt(field: bytes) -> None:
    server = Connection(SERVER)
    error = refusal(server.receive_data, CONNECT_HEAD + field + b"\r\n\r\nGET /smuggled HTTP/1.1\r\n")
    assert (error.msg, error.error_status_hint) == (
        "CONNECT request with Transfer-Encoding or a non-zero Content-Length (a CONNECT has no content)",
        400,
    )
    assert server.their_state is ERROR


def test_connect_with_content_length_zero_accepted() -> None:
    server = Connection(SERVER)
    events = server.receive_data(CONNECT_HEAD + b"Content-Length: 0\r\n\r\ntunnel bytes")
    assert [type(event).__name__ for event in events] == ["Request", "EndOfMessage", "Paused"]
    assert server.trailing_data == (b"tunnel bytes", False)


@pytest.mark.parametrize("field", [("Content-Length", "5"), ("Transfer-Encoding", "chunked")])
def test_connect_with_framing_fields_refused_on_send(field: tuple[str, str]) -> None:
    client = Connection(CLIENT)
    request = Request(method="CONNECT", target="a:443", headers=[("Host", "a:443"), field])
    error = refusal(client.send, request)
    assert error.msg == "CONNECT request with Transfer-Encoding or a non-zero Content-Length (a CONNECT has no content)"
    assert client.our_state is ERROR


# -- 3: an error is raised by the receive_data call that meets it -----------------------------


def _answer_on_loopback(burst: bytes) -> tuple[bytes, float]:
    """Run a natural server loop (recv, receive_data, handle, recv) against a
    peer that sends *burst* and then waits for the answer; return what the
    server sent and how long the peer waited for it."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    errors: list[BaseException] = []

    def serve() -> None:
        sock, _ = listener.accept()
        sock.settimeout(5)
        conn = Connection(SERVER)
        try:
            while True:
                try:
                    events = conn.receive_data(sock.recv(65536))
                except ProtocolError as error:
                    answer = Response(status_code=error.error_status_hint, headers=[("Content-Length", "0")])
                    sock.sendall(conn.send(answer) + conn.send(EndOfMessage()))  # type: ignore[operator]
                    return
                for event in events:
                    if type(event) is EndOfMessage:  # pragma: no cover - the burst never completes a message
                        return
        except BaseException as exc:  # pragma: no cover - reported by the test
            errors.append(exc)
        finally:
            sock.close()

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as peer:
            started = time.monotonic()
            peer.sendall(burst)
            answer = peer.recv(65536)
            waited = time.monotonic() - started
    finally:
        thread.join(10)
        listener.close()
    assert not errors, errors
    return answer, waited


def test_natural_server_loop_answers_a_broken_burst_at_once() -> None:
    burst = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX"
    answer, waited = _answer_on_loopback(burst)
    assert answer == b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    # Well under the server's 5 s recv timeout: the loop was not left
    # waiting for bytes after the error.
    assert waited < 2.5


def test_events_of_the_broken_message_are_dropped() -> None:
    server = Connection(SERVER)
    with pytest.raises(ProtocolError, match=r"^chunk data not followed by CRLF$") as info:
        server.receive_data(b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX")
    assert info.value.error_status_hint == 400
    assert server.their_state is ERROR


def test_complete_message_before_the_error_comes_first_client_side() -> None:
    client = client_after_get()
    events = client.receive_data(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nxHTTP")
    assert events == [
        Response(status_code=200, headers=[("Connection", "close"), ("Content-Length", "1")], reason=b"OK"),
        Data(data=b"x"),
        EndOfMessage(),
    ]
    assert client.their_state is ERROR
    error = refusal(client.receive_data, None)
    assert (error.msg, error.error_status_hint) == (
        "received data while the peer should be silent (peer state MUST_CLOSE)",
        400,
    )


def test_an_interim_response_is_not_a_complete_message() -> None:
    # The final response is still to come: the error must not wait for it.
    client = client_after_get()
    with pytest.raises(ProtocolError, match=r"^illegal status line"):
        client.receive_data(b"HTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 2x0 OK\r\n\r\n")


# -- 5: leading zeros do not count against the Content-Length digit cap -------------------


@pytest.mark.parametrize("zeros", [1, 19, 5000])
def test_content_length_leading_zeros_received(zeros: int) -> None:
    server = Connection(SERVER, max_buffer_size=1 << 16)
    value = b"0" * zeros + b"9" * 19
    request = server.receive_data(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: %s\r\n\r\n" % value)[0]
    assert request.headers[1] == (b"content-length", b"9" * 19)  # type: ignore[attr-defined]


def test_content_length_all_zeros_received() -> None:
    server = Connection(SERVER)
    events = server.receive_data(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + b"0" * 30 + b"\r\n\r\n")
    assert events[0].headers[1] == (b"content-length", b"0")  # type: ignore[attr-defined]
    assert events[1:] == [EndOfMessage()]


def test_content_length_twenty_significant_digits_refused() -> None:
    server = Connection(SERVER)
    error = refusal(server.receive_data, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 01" + b"0" * 19 + b"\r\n\r\n")
    assert (error.msg, error.error_status_hint) == ("invalid Content-Length b'01" + "0" * 19 + "'", 400)


def test_content_length_leading_zeros_from_the_user() -> None:
    request = post([("Content-Length", "0" * 25 + "5")])
    assert request.headers[1] == (b"content-length", b"5")
    assert post([("Content-Length", "0" * 25)]).headers[1] == (b"content-length", b"0")
    assert post([("Content-Length", "005")]).headers[1] == (b"content-length", b"005")
    with pytest.raises(ProtocolError, match=r"^Illegal header value"):
        post([("Content-Length", "1" * 20)])


# -- 6: any three-digit status, the reason ignored, forbidden trailers dropped -----------


@pytest.mark.parametrize("status", [600, 999])
def test_client_accepts_status_above_599_framed_like_500(status: int) -> None:
    client = client_after_get()
    events = client.receive_data(b"HTTP/1.1 %d Odd\r\n\r\nbody" % status)
    assert events == [Response(status_code=status, reason=b"Odd"), Data(data=b"body")]


def test_status_above_599_body_runs_until_close() -> None:
    client = client_after_get()
    assert client.receive_data(b"HTTP/1.1 799\r\n\r\nab") == [Response(status_code=799), Data(data=b"ab")]
    assert client.receive_data(b"")[0] == EndOfMessage()
    assert client.their_state is CLOSED


def test_status_below_100_refused() -> None:
    client = client_after_get()
    error = refusal(client.receive_data, b"HTTP/1.1 099 Old\r\n\r\n")
    assert (error.msg, error.error_status_hint) == ("status code 099 out of range (no 0xx class exists)", 400)


def test_proxy_can_forward_a_received_6xx() -> None:
    server = Connection(SERVER)
    server.receive_data(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert server.send(Response(status_code=600, headers=[("Content-Length", "0")])) == (
        b"HTTP/1.1 600 \r\nContent-Length: 0\r\n\r\n"
    )
    with pytest.raises(ProtocolError, match=r"^Response.status_code must be in \[200, 1000\), not 1000$"):
        Response(status_code=1000)
    with pytest.raises(ProtocolError, match=r"^InformationalResponse.status_code must be in \[100, 200\), not 200$"):
        InformationalResponse(status_code=200)


@pytest.mark.parametrize("reason", [b"O\x7fK", b"\x00", b"\x01\x1f tab\there", b"\xff"])
def test_client_ignores_the_reason_content(reason: bytes) -> None:
    client = client_after_get()
    events = client.receive_data(b"HTTP/1.1 200 %s\r\nContent-Length: 0\r\n\r\n" % reason)
    assert [type(event) for event in events] == [Response, EndOfMessage]
    assert (events[0].status_code, events[0].reason) == (200, reason)  # type: ignore[attr-defined]


def test_bare_cr_in_reason_still_refused() -> None:
    client = client_after_get()
    error = refusal(client.receive_data, b"HTTP/1.1 200 O\rK\r\n\r\n")
    assert (error.msg, error.error_status_hint) == ("bare CR in status line", 400)


def test_server_stays_strict_on_the_request_line() -> None:
    server = Connection(SERVER)
    error = refusal(server.receive_data, b"GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n")
    assert (error.msg, error.error_status_hint) == ("illegal request line: invalid request target b'/\\x7f'", 400)


@pytest.mark.parametrize("role", ["server", "client"])
def test_forbidden_trailer_fields_dropped_in_both_roles(role: str) -> None:
    chunked = (
        b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n"
        b"Content-Type: a/b\r\nAuthorization: x\r\nX: 1\r\n\r\n"
    )
    if role == "server":
        conn = Connection(SERVER)
        events = conn.receive_data(b"POST / HTTP/1.1\r\nHost: a\r\n" + chunked)
    else:
        conn = client_after_get()
        events = conn.receive_data(b"HTTP/1.1 200 OK\r\n" + chunked)
    assert events[1:] == [Data(data=b"abc"), EndOfMessage(headers=[("X", "1")])]
    assert b"content-type" not in dict(events[0].headers)  # type: ignore[attr-defined]


def test_framing_field_in_trailer_stays_fatal() -> None:
    client = client_after_get()
    error = refusal(
        client.receive_data,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n",
    )
    assert (error.msg, error.error_status_hint) == ("transfer-encoding header field not allowed in trailers", 400)


# -- 7: an HTTP/1.0 chunked response is dechunked, then the connection closes -------------


def test_http_1_0_chunked_response_dechunked_and_closed() -> None:
    client = client_after_get()
    events = client.receive_data(
        b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    )
    assert [type(event) for event in events] == [Response, Data, EndOfMessage]
    assert events[1] == Data(data=b"hello")
    assert client.states == {CLIENT: MUST_CLOSE, SERVER: MUST_CLOSE}


# -- 8: no Connection: close on a 1xx ----------------------------------------------------------


def server_after_get() -> Connection:
    server = Connection(SERVER)
    server.receive_data(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    return server


@pytest.mark.parametrize("value", ["close", "Keep-Alive, CLOSE"])
def test_1xx_with_connection_close_refused_on_send(value: str) -> None:
    server = server_after_get()
    error = refusal(server.send, InformationalResponse(status_code=103, headers=[("Connection", value)]))
    assert error.msg == "can't send Connection: close on a 1xx response (103): put it on the final response"
    assert server.our_state is ERROR


def test_1xx_with_connection_close_received_still_reads_the_final_response() -> None:
    client = client_after_get()
    events = client.receive_data(
        b"HTTP/1.1 103 Early Hints\r\nConnection: close\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
    )
    assert [type(event) for event in events] == [InformationalResponse, Response, Data, EndOfMessage]
    # The close is honoured once the exchange is over: never reused.
    assert client.states == {CLIENT: MUST_CLOSE, SERVER: MUST_CLOSE}


# -- 9: the client refuses the targets and Host values its server refuses --------------


@pytest.mark.parametrize(
    ("method", "target", "message"),
    [
        ("GET", "a:80", "authority-form request target is only allowed with CONNECT"),
        ("GET", "*", "asterisk-form request target is only allowed with OPTIONS"),
        ("GET", "foo", "invalid request target b'foo'"),
        ("GET", ";/", "invalid request target b';/'"),
        ("CONNECT", "/x", "CONNECT request target must be in authority-form (host:port)"),
        ("CONNECT", "a", "CONNECT request target must be in authority-form (host:port)"),
    ],
)
def test_client_refuses_targets_its_server_refuses(method: str, target: str, message: str) -> None:
    client = Connection(CLIENT)
    error = refusal(client.send, Request(method=method, target=target, headers=[("Host", "a")]))
    assert error.msg == message
    assert client.our_state is ERROR
    # And the server refuses them with the same words.
    server = Connection(SERVER)
    wire = b"%s %s HTTP/1.1\r\nHost: a\r\n\r\n" % (method.encode(), target.encode())
    assert refusal(server.receive_data, wire).msg == message


@pytest.mark.parametrize("host", ["a b", "a/b", "[::1", "a:b", "a@b"])
def test_client_refuses_invalid_host(host: str) -> None:
    client = Connection(CLIENT)
    error = refusal(client.send, Request(method="GET", target="/", headers=[("Host", host)]))
    assert error.msg == f"invalid Host header field {host.encode()!r}"
    assert client.our_state is ERROR


def test_hosts_checked_on_send_are_remembered_within_a_bound() -> None:
    # The set itself is emptied and filled (not replaced: the compiled build
    # holds the module's constants in C variables), and restored after.
    remembered = _heads._HOSTS_SENT
    before = set(remembered)
    remembered.clear()
    try:
        hosts = [f"host-{number}" for number in range(_heads._HOSTS_SENT_LIMIT + 3)]
        for host in [*hosts, hosts[0]]:
            Connection(CLIENT).send(Request(method="GET", target="/", headers=[("Host", host)]))
        assert remembered == {host.encode() for host in hosts[: _heads._HOSTS_SENT_LIMIT]}
    finally:
        remembered.clear()
        remembered.update(before)


@pytest.mark.parametrize(
    ("method", "target"),
    [("OPTIONS", "*"), ("CONNECT", "a:443"), ("CONNECT", "[::1]:8080"), ("GET", "http://a/x"), ("GET", "/x?y")],
)
def test_client_sends_every_valid_form(method: str, target: str) -> None:
    client = Connection(CLIENT)
    data = client.send(Request(method=method, target=target, headers=[("Host", "a:1")]))
    assert data == b"%s %s HTTP/1.1\r\nHost: a:1\r\n\r\n" % (method.encode(), target.encode())


# -- 10: CR-only line endings are refused at once ------------------------------------------


@pytest.mark.parametrize("role", [SERVER, CLIENT])
def test_cr_only_head_refused_when_the_byte_after_cr_arrives(role: object) -> None:
    conn = Connection(role) if role is SERVER else client_after_get()  # type: ignore[arg-type]
    wire = b"GET / HTTP/1.1\rHost: a\r\r" if role is SERVER else b"HTTP/1.1 200 OK\rX: a\r\r"
    what = "request head" if role is SERVER else "response head"
    cr = wire.index(b"\r")
    for byte in wire[: cr + 1]:
        assert conn.receive_data(bytes([byte])) == []
    error = refusal(conn.receive_data, wire[cr + 1 : cr + 2])
    assert (error.msg, error.error_status_hint) == (f"bare CR in {what} (only CRLF is accepted)", 400)


def test_cr_only_head_whole_refused() -> None:
    error = refusal(Connection(SERVER).receive_data, b"GET / HTTP/1.1\rHost: a\r\r")
    assert (error.msg, error.error_status_hint) == ("bare CR in request head (only CRLF is accepted)", 400)


def test_cr_only_trailers_refused_at_once() -> None:
    server = Connection(SERVER)
    server.receive_data(b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n")
    error = refusal(server.receive_data, b"X: 1\rY")
    assert (error.msg, error.error_status_hint) == ("bare CR in trailer section (only CRLF is accepted)", 400)


# -- 11: only a 100 or a final response ends the 100-continue wait --------------------------


def expecting_continue() -> tuple[Connection, Connection]:
    client, server = Connection(CLIENT), Connection(SERVER)
    request = post([("Content-Length", "2"), ("Expect", "100-continue")])
    server.receive_data(client.send(request))
    assert client.client_is_waiting_for_100_continue and server.they_are_waiting_for_100_continue
    return client, server


def test_103_does_not_end_the_100_continue_wait() -> None:
    client, server = expecting_continue()
    client.receive_data(server.send(InformationalResponse(status_code=103, headers=[("Link", "</a>")])))
    assert client.client_is_waiting_for_100_continue
    assert server.they_are_waiting_for_100_continue
    client.receive_data(server.send(InformationalResponse(status_code=100)))
    assert not client.client_is_waiting_for_100_continue
    assert not server.they_are_waiting_for_100_continue


def test_final_response_ends_the_100_continue_wait() -> None:
    client, server = expecting_continue()
    client.receive_data(server.send(Response(status_code=417, headers=[("Content-Length", "0")])))
    assert not client.client_is_waiting_for_100_continue
    assert not server.they_are_waiting_for_100_continue


# -- 12: the field count is enforced before parsing; no value shape is slow ---------------


@pytest.fixture
def no_careful_parse(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the careful path ran")

    monkeypatch.setattr(_fields, "_parse_field_lines_carefully", refuse)
    yield


class _NoParsing:
    """Stands in for a field-line pattern: any use of it is a failure."""

    def findall(self, *args: object) -> None:
        raise AssertionError("the lines were parsed")


def test_field_count_enforced_before_the_lines_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("_STRICT_FIELD_LINE", "_STRICT_FIELD_LINE_OWS"):
        monkeypatch.setattr(_fields, name, _NoParsing())
    monkeypatch.setattr(_fields, "_parse_field_lines_carefully", _NoParsing().findall)
    head = b"GET / HTTP/1.1\r\nHost: a\r\n" + b"a:\r\n" * 3270 + b"\r\n"
    error = refusal(Connection(SERVER, max_buffer_size=1 << 16).receive_data, head)
    assert (error.msg, error.error_status_hint) == ("too many header fields (limit 128)", 431)


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        (b"b:\n", "bare LF line ending in field section (only CRLF is accepted)"),
        (b"b:\rc\r\n", "bare CR in field section"),
    ],
)
def test_too_many_fields_with_a_bare_line_ending_is_400_however_split(bad_line: bytes, message: str) -> None:
    # A head that trickles in gets its 400 as the bad byte arrives; a whole
    # head must get a 400 too, not the 431 its count alone would give.
    head = b"GET / HTTP/1.1\r\nHost: a\r\n" + b"a:\r\n" * 200 + bad_line + b"c: d\r\n\r\n"
    whole = refusal(Connection(SERVER).receive_data, head)
    assert (whole.msg, whole.error_status_hint) == (message, 400)
    server = Connection(SERVER)
    with pytest.raises(ProtocolError) as info:
        for byte in head:
            server.receive_data(bytes([byte]))
    assert info.value.error_status_hint == 400


def test_response_folds_do_not_count_as_fields() -> None:
    client = Connection(CLIENT, max_header_count=2)
    client.send(Request(method="GET", target="/", headers=[("Host", "a")]))
    client.send(EndOfMessage())
    events = client.receive_data(b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\tc\r\nContent-Length: 0\r\n\r\n")
    assert events[0].headers == [(b"x", b"a b c"), (b"content-length", b"0")]  # type: ignore[attr-defined]


@pytest.mark.parametrize("lenient_eol", [b"\r\n", b"\n"])
def test_trailing_whitespace_takes_the_fast_path(no_careful_parse: None, lenient_eol: bytes) -> None:
    server = Connection(SERVER)
    request = server.receive_data(b"GET / HTTP/1.1\r\nHost: a \r\nX: b\t\r\nY:  \r\n\r\n")[0]
    assert request.headers == [(b"host", b"a"), (b"x", b"b"), (b"y", b"")]  # type: ignore[attr-defined]
    client = client_after_get()
    eol = lenient_eol
    response = client.receive_data(b"HTTP/1.1 200 OK" + eol + b"X: b \t" + eol + b"Content-Length: 0\t" + eol + eol)[0]
    assert response.headers == [(b"x", b"b"), (b"content-length", b"0")]  # type: ignore[attr-defined]
