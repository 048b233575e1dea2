"""Whose fault an error is: LocalProtocolError for the caller's mistakes,
RemoteProtocolError for the peer's, both ProtocolErrors (h11sm's own API)."""

from __future__ import annotations

import pytest

import h11sm
from h11sm import (
    CLIENT,
    ERROR,
    SERVER,
    Connection,
    Data,
    EndOfMessage,
    LocalProtocolError,
    ProtocolError,
    RemoteProtocolError,
    Request,
    Response,
)
from h11sm._errors import AttributedProtocolError, as_local, as_remote
from h11sm.machines import TriggerRefused

GET = Request(method="GET", target="/", headers=[("Host", "a")])


def test_both_kinds_are_protocol_errors_and_the_base_stays_constructible() -> None:
    assert issubclass(LocalProtocolError, ProtocolError)
    assert issubclass(RemoteProtocolError, ProtocolError)
    plain = ProtocolError("made by a program", 418)
    assert (plain.msg, plain.error_status_hint) == ("made by a program", 418)
    assert repr(plain) == "ProtocolError('made by a program', error_status_hint=418)"
    assert h11sm.LocalProtocolError.__module__ == "h11sm"


def test_the_common_base_of_the_two_kinds_cannot_be_raised_itself() -> None:
    with pytest.raises(TypeError, match="LocalProtocolError or RemoteProtocolError"):
        AttributedProtocolError("whose?")


def test_a_refused_trigger_is_the_callers_fault() -> None:
    assert issubclass(TriggerRefused, LocalProtocolError)
    conn = Connection(CLIENT)
    with pytest.raises(TriggerRefused):
        conn.prepare_to_reuse()


def test_a_refused_trigger_is_named_by_its_public_module_in_both_builds() -> None:
    # Defined with the other exceptions (interpreted in the compiled build,
    # where a compiled class would ignore the __module__ it sets) and
    # exported by the engine and by h11sm.machines as the same class.
    import h11sm._engine
    import h11sm._errors

    assert TriggerRefused is h11sm._engine.TriggerRefused is h11sm._errors.TriggerRefused
    assert TriggerRefused.__module__ == "h11sm.machines"
    assert f"{TriggerRefused.__module__}.{TriggerRefused.__qualname__}" == "h11sm.machines.TriggerRefused"


def test_conversion_keeps_the_message_and_the_hint() -> None:
    local = LocalProtocolError("too big", 431)
    remote = as_remote(local)
    assert type(remote) is RemoteProtocolError
    assert (remote.msg, remote.error_status_hint) == ("too big", 431)
    assert as_remote(remote) is remote
    back = as_local(ProtocolError("plain", 400))
    assert type(back) is LocalProtocolError and back.msg == "plain"
    refused = TriggerRefused("no")
    assert as_local(refused) is refused


def test_an_invalid_event_is_a_local_error() -> None:
    with pytest.raises(LocalProtocolError, match="Missing mandatory Host"):
        Request(method="GET", target="/", headers=[])
    with pytest.raises(LocalProtocolError):
        Response(status_code=99)


def test_received_errors_are_remote_even_where_a_shared_check_found_them() -> None:
    # Table refusal (a response nobody asked for), parse error, close mid-head.
    for data in (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", b"HTTP/1.1 2x0 OK\r\n\r\n"):
        client = Connection(CLIENT)
        with pytest.raises(RemoteProtocolError) as caught:
            client.receive_data(data)
        assert not isinstance(caught.value, LocalProtocolError)
        assert client.their_state is ERROR
    server = Connection(SERVER)
    server.receive_data(b"GET /")
    with pytest.raises(RemoteProtocolError, match="middle of a message head"):
        server.receive_data(b"")
    with pytest.raises(RemoteProtocolError, match="already broke the protocol"):
        server.receive_data(b"")


def test_an_error_kept_for_the_next_call_is_remote_too() -> None:
    client = Connection(CLIENT)
    client.send(GET)
    client.send(EndOfMessage())
    # A complete response that closes the connection, then bytes a closing
    # server may not send: the response comes first, the error next.
    events = client.receive_data(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\nmore")
    assert [type(event) for event in events] == [Response, EndOfMessage]
    assert client.their_state is ERROR
    with pytest.raises(RemoteProtocolError, match="should be silent") as caught:
        client.receive_data(None)
    assert not isinstance(caught.value, LocalProtocolError)


def test_a_chunk_error_after_a_good_head_is_raised_by_the_same_call_as_remote() -> None:
    server = Connection(SERVER)
    with pytest.raises(RemoteProtocolError):
        server.receive_data(b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n")
    assert server.their_state is ERROR


def test_send_side_errors_are_local() -> None:
    client = Connection(CLIENT)
    client.send(Request(method="POST", target="/", headers=[("Host", "a"), ("Content-Length", "1")]))
    with pytest.raises(LocalProtocolError, match="Content-Length"):
        client.send(Data(data=b"12"))
    with pytest.raises(LocalProtocolError, match="already broke the protocol"):
        client.send(EndOfMessage())
    with pytest.raises(LocalProtocolError, match="already broke the protocol"):
        client.send(GET)


def test_send_failed_puts_our_side_in_error_and_stays_there() -> None:
    client = Connection(CLIENT)
    client.send(GET)
    client.send_failed()
    assert client.our_state is ERROR
    client.send_failed()
    assert client.our_state is ERROR
    with pytest.raises(LocalProtocolError):
        client.send(EndOfMessage())


def test_an_unexpected_failure_while_sending_a_body_still_breaks_our_side() -> None:
    class FickleFile:
        """A sendfile placeholder whose size can be asked only once."""

        calls = 0

        def __len__(self) -> int:
            self.calls += 1
            if self.calls > 1:
                raise OSError("the file went away")
            return 4

    client = Connection(CLIENT)
    client.send(Request(method="POST", target="/", headers=[("Host", "a"), ("Content-Length", "4")]))
    with pytest.raises(OSError, match="went away"):
        client.send_with_data_passthrough(Data(data=FickleFile()))
    assert client.our_state is ERROR


def test_an_unexpected_failure_while_sending_a_head_still_breaks_our_side() -> None:
    hollow = object.__new__(Request)  # (no fields: not something a constructor makes)
    client = Connection(CLIENT)
    with pytest.raises(AttributeError):
        client.send(hollow)
    assert client.our_state is ERROR
