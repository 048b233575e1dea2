"""h11sm.h11: h11 0.16's calling conventions over h11sm's core.

The tests walk the behaviour h11 0.16's documentation promises (storing bytes
with receive_data and pulling events with next_event, the sentinels, the error
classes, reuse, pipelining, protocol switches, sendfile passthrough), through
the face only, as a program written for h11 0.16 would use it.
"""

from __future__ import annotations

import pickle
from http import HTTPStatus
from typing import Any

import pytest

import h11sm
import h11sm.h11 as h11
from h11sm.h11 import (
    CLIENT,
    CLOSED,
    DONE,
    ERROR,
    IDLE,
    MIGHT_SWITCH_PROTOCOL,
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
    InformationalResponse,
    LocalProtocolError,
    ProtocolError,
    RemoteProtocolError,
    Request,
    Response,
)


def pull_all(conn: Connection) -> list[Any]:
    """Every event next_event() gives until it needs data or pauses."""
    events = []
    while True:
        event = conn.next_event()
        if event is NEED_DATA or event is PAUSED:
            return events
        events.append(event)
        if type(event) is ConnectionClosed:
            return events


def receive(conn: Connection, data: bytes) -> list[Any]:
    conn.receive_data(data)
    return pull_all(conn)


class Pair:
    """A client and a server whose bytes are carried across by hand."""

    def __init__(self) -> None:
        self.conn = {CLIENT: Connection(CLIENT), SERVER: Connection(SERVER)}
        self.other = {CLIENT: SERVER, SERVER: CLIENT}

    @property
    def conns(self) -> list[Connection]:
        return list(self.conn.values())

    def send(self, role: Any, *events: Any, expect: list[Any] | None = None) -> bytes:
        """Send *events* from *role* and return the bytes; check the peer
        receives *expect* (by default, the events as sent, with the standard
        reason phrase h11sm fills in where a response left it empty)."""
        sent = b""
        received: list[Any] = []
        peer = self.conn[self.other[role]]
        for event in events:
            data = self.conn[role].send(event)
            if data is None:
                peer.receive_data(b"")
            elif data:  # (b"" would say the sender closed)
                sent += data
                peer.receive_data(data)
            received += pull_all(peer)
        assert received == (list(map(_with_standard_reason, events)) if expect is None else expect)
        return sent


def _with_standard_reason(event: Any) -> Any:
    if type(event) in (Response, InformationalResponse) and not event.reason:
        reason = HTTPStatus(event.status_code).phrase
        return type(event)(status_code=event.status_code, headers=event.headers, reason=reason)
    return event


GET = Request(method="GET", target="/", headers=[("Host", "example.com")])


# -- the module --------------------------------------------------------------


def test_every_name_of_h11_0_16s_api_is_here() -> None:
    documented = {
        "Connection", "ConnectionClosed", "Data", "EndOfMessage", "Event", "InformationalResponse",
        "Request", "Response", "CLIENT", "CLOSED", "DONE", "ERROR", "IDLE", "MIGHT_SWITCH_PROTOCOL",
        "MUST_CLOSE", "SEND_BODY", "SEND_RESPONSE", "SERVER", "SWITCHED_PROTOCOL", "NEED_DATA", "PAUSED",
        "ProtocolError", "LocalProtocolError", "RemoteProtocolError", "PRODUCT_ID",
    }  # fmt: skip
    assert documented <= set(h11.__all__)
    for name in h11.__all__:
        assert getattr(h11, name) is not None


def test_the_events_are_the_cores_own() -> None:
    assert h11.Request is h11sm.Request
    assert h11.Data is h11sm.Data
    assert h11.Event is h11sm.Event


def test_the_version_names_the_api_and_the_engine() -> None:
    assert h11.__version__ == f"0.16.0+h11sm.{h11sm.__version__}"
    assert h11.PRODUCT_ID == h11sm.PRODUCT_ID


def test_constants_are_their_own_type_and_print_as_their_name() -> None:
    for constant in (NEED_DATA, PAUSED, CLIENT, SERVER, IDLE, DONE, ERROR, SWITCHED_PROTOCOL):
        assert type(constant) is constant
    assert repr(NEED_DATA) == "NEED_DATA"
    assert repr({CLIENT: IDLE}) == "{CLIENT: IDLE}"
    assert NEED_DATA is not PAUSED


def test_a_sentinel_derives_from_sentinel_alone() -> None:
    from h11sm.h11._util import Sentinel

    with pytest.raises(TypeError, match="derives from Sentinel alone"):

        class Odd(int, metaclass=Sentinel):
            pass


def test_the_private_modules_embedders_import_resolve() -> None:
    from h11sm.h11._connection import DEFAULT_MAX_INCOMPLETE_EVENT_SIZE
    from h11sm.h11._headers import Headers
    from h11sm.h11._util import LocalProtocolError as Local
    from h11sm.h11._util import RemoteProtocolError as Remote

    assert DEFAULT_MAX_INCOMPLETE_EVENT_SIZE == 16 * 1024
    assert Headers is h11sm.Request(method="GET", target="/", headers=[("Host", "a")]).headers.__class__
    assert Local is h11sm.LocalProtocolError
    assert Remote is h11sm.RemoteProtocolError


# -- errors ------------------------------------------------------------------


def test_protocol_error_is_abstract_and_catches_both_kinds() -> None:
    with pytest.raises(TypeError):
        ProtocolError("nobody's fault")
    local = LocalProtocolError("mine", 400)
    remote = RemoteProtocolError("theirs", error_status_hint=431)
    assert isinstance(local, ProtocolError) and isinstance(remote, ProtocolError)
    assert isinstance(local, h11sm.ProtocolError) and isinstance(remote, h11sm.ProtocolError)
    assert remote.error_status_hint == 431
    assert repr(remote) == "RemoteProtocolError('theirs', error_status_hint=431)"


def test_event_constructors_raise_local_errors() -> None:
    with pytest.raises(LocalProtocolError, match="Host"):
        Request(method="GET", target="/", headers=[])
    with pytest.raises(LocalProtocolError):
        Request(method="GET", target="/", headers=[("Host", "a"), ("Bad Name", "x")])


def test_bad_bytes_raise_remote_errors_and_break_the_peer_for_good() -> None:
    for role in (CLIENT, SERVER):
        conn = Connection(role)
        conn.receive_data(b"gibberish\r\n\r\n")
        with pytest.raises(RemoteProtocolError):
            conn.next_event()
        assert conn.their_state is ERROR
        assert conn.our_state is not ERROR
        with pytest.raises(RemoteProtocolError, match="already broke the protocol"):
            conn.next_event()
    # A server can still answer the broken request.
    server = Connection(SERVER)
    server.receive_data(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
    with pytest.raises(RemoteProtocolError) as caught:
        server.next_event()
    assert caught.value.error_status_hint == 400
    answer = server.send(Response(status_code=400, headers=[]))
    assert answer == b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"


def test_a_refused_send_raises_a_local_error_and_breaks_us_for_good() -> None:
    conn = Connection(CLIENT)
    with pytest.raises(LocalProtocolError):
        conn.send(Data(data=b"too early"))
    assert conn.our_state is ERROR
    with pytest.raises(LocalProtocolError):
        conn.send(GET)


def test_a_body_longer_than_its_content_length_is_a_local_error() -> None:
    conn = Connection(CLIENT)
    conn.send(Request(method="POST", target="/", headers=[("Host", "a"), ("Content-Length", "2")]))
    with pytest.raises(LocalProtocolError, match="Content-Length"):
        conn.send(Data(data=b"abc"))
    assert conn.our_state is ERROR


def test_a_response_the_tables_refuse_on_receipt_is_a_remote_error() -> None:
    client = Connection(CLIENT)
    client.send(GET)
    client.send(EndOfMessage())
    client.receive_data(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n")
    with pytest.raises(RemoteProtocolError) as caught:
        client.next_event()
    assert not isinstance(caught.value, LocalProtocolError)
    assert client.their_state is ERROR


def test_the_peer_closing_mid_body_is_a_remote_error_that_says_what_was_missing() -> None:
    server = Connection(SERVER)
    server.receive_data(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n")
    assert type(server.next_event()) is Request
    assert server.next_event() is NEED_DATA
    server.receive_data(b"12345")
    assert server.next_event() == Data(data=b"12345")
    server.receive_data(b"")
    with pytest.raises(RemoteProtocolError):
        server.next_event()
    assert server.their_state is ERROR


def test_send_failed_puts_us_in_error() -> None:
    pair = Pair()
    pair.send(CLIENT, GET, EndOfMessage(), expect=[GET, EndOfMessage()])
    pair.send(SERVER, Response(status_code=200, headers=[("Content-Length", "0")]), EndOfMessage())
    client = pair.conn[CLIENT]
    client.send_failed()
    assert client.our_state is ERROR
    with pytest.raises(LocalProtocolError):
        client.start_next_cycle()
    client.send_failed()
    assert client.our_state is ERROR


# -- receiving ---------------------------------------------------------------


def test_receive_data_only_stores_and_next_event_parses() -> None:
    server = Connection(SERVER)
    assert server.next_event() is NEED_DATA
    assert server.receive_data(b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n") is None
    assert server.states == {CLIENT: IDLE, SERVER: IDLE}
    assert server.next_event() == Request(method="GET", target="/", headers=[("host", "example.com")])
    assert server.states == {CLIENT: SEND_BODY, SERVER: SEND_RESPONSE}
    assert server.next_event() == EndOfMessage()
    assert server.next_event() is NEED_DATA
    assert server.their_http_version == b"1.1"


def test_received_header_names_keep_their_case_in_raw_items() -> None:
    server = Connection(SERVER)
    server.receive_data(b"GET / HTTP/1.1\r\nHOST: example.com\r\nX-Thing: 1\r\n\r\n")
    request = server.next_event()
    assert isinstance(request, Request)
    assert list(request.headers) == [(b"host", b"example.com"), (b"x-thing", b"1")]
    assert request.headers.raw_items() == [(b"HOST", b"example.com"), (b"X-Thing", b"1")]


def test_after_the_peer_closes_every_call_says_so_and_more_bytes_are_a_runtime_error() -> None:
    server = Connection(SERVER)
    server.receive_data(b"")
    server.receive_data(b"")
    assert server.next_event() == ConnectionClosed()
    assert server.next_event() == ConnectionClosed()
    assert server.their_state is CLOSED
    with pytest.raises(RuntimeError, match="after the peer closed"):
        server.receive_data(b"late")


def test_a_close_in_the_middle_of_a_head_is_a_remote_error() -> None:
    server = Connection(SERVER)
    server.receive_data(b"GET /")
    assert server.next_event() is NEED_DATA
    server.receive_data(b"")
    with pytest.raises(RemoteProtocolError):
        server.next_event()


def test_max_incomplete_event_size_bounds_a_head_not_the_buffer() -> None:
    endless = Connection(SERVER)
    endless.receive_data(b"GET / HTTP/1.0\r\nEndless: ")
    assert endless.next_event() is NEED_DATA
    with pytest.raises(RemoteProtocolError) as caught:
        for _ in range(100):
            endless.receive_data(b"a" * 1024)
            endless.next_event()
    assert caught.value.error_status_hint == 431

    big = Connection(SERVER, max_incomplete_event_size=5000)
    big.receive_data(b"GET / HTTP/1.0\r\nBig: " + b"a" * 4000 + b"\r\n\r\n")
    assert pull_all(big) == [
        Request(method="GET", target="/", http_version="1.0", headers=[("big", "a" * 4000)]),
        EndOfMessage(),
    ]
    small = Connection(SERVER, max_incomplete_event_size=4000)
    small.receive_data(b"GET / HTTP/1.0\r\nBig: " + b"a" * 4000)
    with pytest.raises(RemoteProtocolError):
        small.next_event()

    # Complete events may make the buffer as large as they like.
    pipelined = Connection(SERVER, max_incomplete_event_size=100)
    pipelined.receive_data(b"GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: b\r\n\r\n" + b"X" * 1000)
    assert pull_all(pipelined) == [Request(method="GET", target="/1", headers=[("host", "a")]), EndOfMessage()]
    pipelined.send(Response(status_code=200, headers=[]))
    pipelined.send(EndOfMessage())
    pipelined.start_next_cycle()
    assert pull_all(pipelined) == [Request(method="GET", target="/2", headers=[("host", "b")]), EndOfMessage()]
    pipelined.send(Response(status_code=200, headers=[]))
    pipelined.send(EndOfMessage())
    pipelined.start_next_cycle()
    with pytest.raises(RemoteProtocolError):
        pipelined.next_event()


def test_a_connection_takes_only_a_role_of_this_face() -> None:
    with pytest.raises(ValueError, match="expected CLIENT or SERVER"):
        Connection(h11sm.CLIENT)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Connection(IDLE)
    conn = Connection(our_role=SERVER)
    assert conn.our_role is SERVER and conn.their_role is CLIENT
    assert repr(conn) == "<h11sm.h11.Connection our_role=SERVER states={CLIENT: IDLE, SERVER: IDLE}>"


# -- sending -----------------------------------------------------------------


def test_a_whole_exchange_through_the_face() -> None:
    pair = Pair()
    sent = pair.send(
        CLIENT, Request(method="POST", target="/", headers=[("Host", "example.com"), ("Content-Length", "10")])
    )
    assert sent == b"POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 10\r\n\r\n"
    for conn in pair.conns:
        assert conn.states == {CLIENT: SEND_BODY, SERVER: SEND_RESPONSE}
    pair.send(CLIENT, Data(data=b"1234567890"), EndOfMessage())
    assert pair.conn[CLIENT].our_state is DONE
    chunked = Response(status_code=200, headers=[("Transfer-Encoding", "chunked")], reason="OK")
    sent = pair.send(SERVER, Response(status_code=200, headers=[]), expect=[chunked])
    assert sent == b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert pair.send(SERVER, Data(data=b"hello")) == b"5\r\nhello\r\n"
    assert pair.send(SERVER, EndOfMessage(headers=[("Etag", "x")])) == b"0\r\nEtag: x\r\n\r\n"
    for conn in pair.conns:
        assert conn.states == {CLIENT: DONE, SERVER: DONE}
        conn.start_next_cycle()
        assert conn.states == {CLIENT: IDLE, SERVER: IDLE}


def test_sendfile_passthrough_hands_back_the_placeholder() -> None:
    class FilePlaceholder:
        def __len__(self) -> int:
            return 8

    placeholder = FilePlaceholder()
    conn = Connection(SERVER)
    conn.receive_data(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    pull_all(conn)
    assert conn.send_with_data_passthrough(Response(status_code=200, headers=[("Content-Length", "8")])) == [
        b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n"
    ]
    pieces = conn.send_with_data_passthrough(Data(data=placeholder))
    assert pieces is not None and pieces == [placeholder]
    assert conn.send_with_data_passthrough(EndOfMessage()) == []
    assert conn.send_with_data_passthrough(ConnectionClosed()) is None


def test_an_http_1_0_client_gets_connection_close() -> None:
    server = Connection(SERVER)
    assert receive(server, b"GET / HTTP/1.0\r\n\r\n") == [
        Request(method="GET", target="/", headers=[], http_version="1.0"),
        EndOfMessage(),
    ]
    assert server.their_state is MUST_CLOSE
    assert server.send(Response(status_code=200, headers=[])) == b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"
    assert server.send(Data(data=b"12345")) == b"12345"
    assert server.send(EndOfMessage()) == b""
    assert server.our_state is MUST_CLOSE
    assert server.send(ConnectionClosed()) is None
    assert server.our_state is CLOSED


def test_an_http_1_0_server_delimits_its_body_by_closing() -> None:
    client = Connection(CLIENT)
    client.send(GET)
    client.send(EndOfMessage())
    assert receive(client, b"HTTP/1.0 200 OK\r\n\r\n") == [
        Response(status_code=200, headers=[], http_version="1.0", reason=b"OK")
    ]
    assert client.our_state is MUST_CLOSE
    assert receive(client, b"12345") == [Data(data=b"12345")]
    assert receive(client, b"") == [EndOfMessage(), ConnectionClosed()]
    assert client.their_state is CLOSED


def test_a_408_from_idle_announces_the_close() -> None:
    server = Connection(SERVER)
    assert server.send(Response(status_code=408, headers=[])) == (
        b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n"
    )
    assert server.send(EndOfMessage()) == b""
    assert server.our_state is MUST_CLOSE


# -- 100-continue ------------------------------------------------------------


def _waiting_pair() -> Pair:
    pair = Pair()
    pair.send(
        CLIENT,
        Request(
            method="POST",
            target="/",
            headers=[("Host", "example.com"), ("Content-Length", "100"), ("Expect", "100-continue")],
        ),
    )
    for conn in pair.conns:
        assert conn.client_is_waiting_for_100_continue
    assert not pair.conn[CLIENT].they_are_waiting_for_100_continue
    assert pair.conn[SERVER].they_are_waiting_for_100_continue
    return pair


@pytest.mark.parametrize(
    ("role", "event"),
    [
        (SERVER, InformationalResponse(status_code=100, headers=[])),
        (SERVER, Response(status_code=200, headers=[("Transfer-Encoding", "chunked")])),
        (CLIENT, Data(data=b"12345")),
    ],
)
def test_the_100_continue_wait_ends(role: Any, event: Any) -> None:
    pair = _waiting_pair()
    pair.send(role, event)
    for conn in pair.conns:
        assert not conn.client_is_waiting_for_100_continue
        assert not conn.they_are_waiting_for_100_continue


# -- keep-alive and pipelining -----------------------------------------------


def test_pipelined_requests_pause_until_the_next_cycle() -> None:
    server = Connection(SERVER)
    server.receive_data(
        b"GET /1 HTTP/1.1\r\nHost: a.com\r\nContent-Length: 5\r\n\r\n12345"
        b"GET /2 HTTP/1.1\r\nHost: a.com\r\nContent-Length: 5\r\n\r\n67890"
        b"GET /3 HTTP/1.1\r\nHost: a.com\r\n\r\n"
    )
    for target, body in ((b"/1", b"12345"), (b"/2", b"67890")):
        assert pull_all(server) == [
            Request(method="GET", target=target, headers=[("Host", "a.com"), ("Content-Length", "5")]),
            Data(data=body),
            EndOfMessage(),
        ]
        assert server.their_state is DONE and server.our_state is SEND_RESPONSE
        assert server.next_event() is PAUSED
        server.send(Response(status_code=200, headers=[]))
        server.send(EndOfMessage())
        assert server.states == {CLIENT: DONE, SERVER: DONE}
        server.start_next_cycle()
    assert pull_all(server) == [Request(method="GET", target="/3", headers=[("Host", "a.com")]), EndOfMessage()]
    assert server.next_event() is NEED_DATA
    server.send(Response(status_code=200, headers=[]))
    server.send(EndOfMessage())
    assert server.next_event() is NEED_DATA
    server.receive_data(b"SADF")
    assert server.next_event() is PAUSED
    assert server.trailing_data == (b"SADF", False)
    server.receive_data(b"")
    assert server.trailing_data == (b"SADF", True)
    assert server.next_event() is PAUSED
    with pytest.raises(RuntimeError):
        server.receive_data(b"FDSA")


def test_start_next_cycle_before_both_are_done_is_a_local_error_that_changes_nothing() -> None:
    conn = Connection(CLIENT)
    conn.send(GET)
    with pytest.raises(LocalProtocolError):
        conn.start_next_cycle()
    assert conn.states == {CLIENT: SEND_BODY, SERVER: SEND_RESPONSE}
    conn.send(EndOfMessage())
    assert conn.our_state is DONE


def test_connection_close_ends_reuse() -> None:
    pair = Pair()
    request = Request(method="GET", target="/", headers=[("Host", "a"), ("Connection", "close")])
    pair.send(CLIENT, request, EndOfMessage(), expect=[request, EndOfMessage()])
    announced = Response(status_code=204, headers=[("Connection", "close")], reason="No Content")
    sent = pair.send(SERVER, Response(status_code=204, headers=[]), EndOfMessage(), expect=[announced, EndOfMessage()])
    assert sent == b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
    for conn in pair.conns:
        assert conn.states == {CLIENT: MUST_CLOSE, SERVER: MUST_CLOSE}
        with pytest.raises(LocalProtocolError):
            conn.start_next_cycle()


# -- protocol switches -------------------------------------------------------


def _proposal_pair() -> Pair:
    pair = Pair()
    proposal = Request(method="POST", target="/", headers=[("Host", "a"), ("Content-Length", "1"), ("Upgrade", "ws")])
    pair.send(CLIENT, proposal)
    for conn in pair.conns:
        assert conn.states[CLIENT] is SEND_BODY
    pair.send(CLIENT, Data(data=b"1"), EndOfMessage())
    for conn in pair.conns:
        assert conn.states[CLIENT] is MIGHT_SWITCH_PROTOCOL
    assert pair.conn[SERVER].next_event() is PAUSED
    return pair


def test_an_accepted_upgrade_hands_over_the_bytes_that_follow() -> None:
    pair = _proposal_pair()
    pair.send(SERVER, InformationalResponse(status_code=101, headers=[("Upgrade", "ws")]))
    for conn in pair.conns:
        assert conn.states == {CLIENT: SWITCHED_PROTOCOL, SERVER: SWITCHED_PROTOCOL}
        conn.receive_data(b"123")
        assert conn.next_event() is PAUSED
        conn.receive_data(b"456")
        assert conn.trailing_data == (b"123456", False)
    with pytest.raises(LocalProtocolError):
        pair.conn[SERVER].send(Data(data=b"123"))


def test_a_refused_upgrade_leaves_the_connection_reusable() -> None:
    pair = _proposal_pair()
    server = pair.conn[SERVER]
    server.receive_data(b"GET / HTTP/1.0\r\n\r\n")
    assert server.next_event() is PAUSED
    assert server.trailing_data == (b"GET / HTTP/1.0\r\n\r\n", False)
    refusal = Response(status_code=200, headers=[("Content-Length", "1")])
    pair.send(SERVER, refusal)
    for conn in pair.conns:
        assert conn.states == {CLIENT: DONE, SERVER: SEND_BODY}
    pair.send(SERVER, Data(data=b"!"), EndOfMessage())
    server.start_next_cycle()
    assert pull_all(server) == [Request(method="GET", target="/", headers=[], http_version="1.0"), EndOfMessage()]


def test_a_close_while_a_switch_is_pending_is_held_back() -> None:
    pair = _proposal_pair()
    server = pair.conn[SERVER]
    server.receive_data(b"")
    assert server.next_event() is PAUSED
    assert server.trailing_data == (b"", True)
    server.send(Response(status_code=200, headers=[("Content-Length", "0")]))
    assert server.next_event() == ConnectionClosed()


def test_a_pending_switch_forbids_another_request() -> None:
    pair = _proposal_pair()
    with pytest.raises(LocalProtocolError):
        pair.conn[CLIENT].send(GET)


# -- install() and python -m h11sm.h11 ---------------------------------------


@pytest.fixture
def clean_h11_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no h11 module imported, and leaves none."""
    import sys

    for name in [name for name in sys.modules if name == "h11" or name.startswith("h11.")]:
        monkeypatch.delitem(sys.modules, name)
    yield
    h11.uninstall()


@pytest.mark.usefixtures("clean_h11_modules")
def test_install_makes_import_h11_give_the_face() -> None:
    import importlib

    h11.install()
    h11.install()  # (twice is harmless)
    imported = importlib.import_module("h11")
    assert imported is h11
    assert importlib.import_module("h11._connection").DEFAULT_MAX_INCOMPLETE_EVENT_SIZE == 16384
    assert importlib.import_module("h11._util").RemoteProtocolError is h11sm.RemoteProtocolError
    assert importlib.import_module("h11._headers").Headers is type(GET.headers)
    h11.uninstall()
    import sys

    assert "h11" not in sys.modules and "h11._util" not in sys.modules


@pytest.mark.usefixtures("clean_h11_modules")
def test_install_refuses_when_the_real_h11_came_first(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    monkeypatch.setitem(sys.modules, "h11", types.ModuleType("h11"))
    with pytest.raises(RuntimeError, match="before importing h11"):
        h11.install()
    h11.uninstall()  # leaves what is not ours alone
    assert sys.modules["h11"].__name__ == "h11"


def test_the_face_pickles_its_events_as_the_cores() -> None:
    assert pickle.loads(pickle.dumps(GET)) == GET


# -- python -m h11sm.h11 -----------------------------------------------------

_REPORT_ENGINE = "import h11, sys; print(h11.__name__, h11.Connection.__module__, sys.argv[1:])"


@pytest.mark.usefixtures("clean_h11_modules")
def test_the_runner_runs_a_module_a_script_or_code_with_the_face_in_place(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from h11sm.h11.__main__ import main

    (tmp_path / "report_engine.py").write_text(_REPORT_ENGINE + "\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.setattr("sys.argv", ["ignored"])
    assert main(["-m", "report_engine", "--flag", "x"]) == 0
    assert capsys.readouterr().out == "h11sm.h11 h11sm.h11._connection ['--flag', 'x']\n"
    assert main([str(tmp_path / "report_engine.py"), "y"]) == 0
    assert capsys.readouterr().out == "h11sm.h11 h11sm.h11._connection ['y']\n"
    assert main(["-c", _REPORT_ENGINE, "z"]) == 0
    assert capsys.readouterr().out == "h11sm.h11 h11sm.h11._connection ['z']\n"


def test_the_runner_explains_itself(capsys: pytest.CaptureFixture[str]) -> None:
    from h11sm.h11.__main__ import main

    assert main(["--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: python -m h11sm.h11 -m MODULE")
    assert main([]) == 2
    assert capsys.readouterr().err.startswith("usage:")
    assert main(["-m"]) == 2
    assert "-m needs an argument" in capsys.readouterr().err


def test_the_runner_as_a_new_user_starts_it(tmp_path: Any) -> None:
    import subprocess
    import sys

    completed = subprocess.run(
        [sys.executable, "-m", "h11sm.h11", "-c", _REPORT_ENGINE, "a"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=True,
    )
    assert completed.stdout == "h11sm.h11 h11sm.h11._connection ['a']\n"


def test_programs_started_by_the_program_get_the_face_too(tmp_path: Any) -> None:
    import subprocess
    import sys

    child = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'import h11; print(h11.__name__)'])"
    completed = subprocess.run(
        [sys.executable, "-m", "h11sm.h11", "-c", child],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=True,
    )
    assert completed.stdout == "h11sm.h11\n"


def test_children_inherit_the_boot_folder_first_on_their_path(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from h11sm.h11._install import BOOT_FOLDER, install_in_children

    monkeypatch.delenv("PYTHONPATH", raising=False)
    install_in_children()
    assert os.environ["PYTHONPATH"] == BOOT_FOLDER
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    install_in_children()
    assert os.environ["PYTHONPATH"] == BOOT_FOLDER + os.pathsep + "/elsewhere"
    assert os.path.isfile(os.path.join(BOOT_FOLDER, "sitecustomize.py"))


@pytest.mark.usefixtures("clean_h11_modules")
def test_the_boot_module_installs_and_then_runs_the_sitecustomize_it_hides(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib
    import sys

    from h11sm.h11._install import BOOT_FOLDER

    hidden = tmp_path / "site"
    hidden.mkdir()
    (hidden / "sitecustomize.py").write_text("RAN = True\n", encoding="utf-8")
    monkeypatch.setattr("sys.path", [BOOT_FOLDER, str(hidden), *sys.path])
    monkeypatch.delitem(sys.modules, "sitecustomize", raising=False)
    monkeypatch.delitem(sys.modules, "h11sm.h11._boot.sitecustomize", raising=False)
    importlib.import_module("h11sm.h11._boot.sitecustomize")
    assert sys.modules["h11"] is h11
    assert sys.modules["sitecustomize"].RAN is True
    assert sys.path[0] == BOOT_FOLDER  # (restored)

    # Without another one, ours stays the sitecustomize module.
    from h11sm.h11._install import install_at_startup

    ours = sys.modules["sitecustomize"] = type(sys)("sitecustomize")
    real_import = importlib.import_module

    def no_other(name: str, *args: Any) -> Any:
        if name == "sitecustomize":
            raise ImportError(name)
        return real_import(name, *args)

    monkeypatch.setattr(importlib, "import_module", no_other)
    install_at_startup(BOOT_FOLDER + "/sitecustomize.py")
    assert sys.modules["sitecustomize"] is ours
    # (And none at all stays none.)
    del sys.modules["sitecustomize"]
    install_at_startup(BOOT_FOLDER + "/sitecustomize.py")
    assert "sitecustomize" not in sys.modules
