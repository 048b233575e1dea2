"""Refusals say why: the rule (table row and its reason) and the facts that
led there (an HTTP/1.0 peer, a ``Connection: close`` and who sent it, an
earlier protocol error), from a Connection and from ``h11sm.machines``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import h11sm
import h11sm.machines as m
from h11sm import CLIENT, DONE, MUST_CLOSE, SEND_BODY, SERVER, Connection, EndOfMessage, Request, Response
from h11sm._engine import Automaton, TriggerRefused
from h11sm._tables import default_tables_dir

GET = Request(method="GET", target="/", headers=[("Host", "a")])


def client_after_response(response: bytes, *request_headers: tuple[str, str]) -> Connection:
    client = Connection(CLIENT)
    client.send(Request(method="GET", target="/", headers=[("Host", "a"), *request_headers]))
    client.send(EndOfMessage())
    client.receive_data(response)
    return client


def refusal_of_reuse(conn: Connection) -> TriggerRefused:
    with pytest.raises(TriggerRefused) as info:
        conn.prepare_to_reuse()
    return info.value


def rule(machine: str, where_prefix: str) -> m.Transition:
    return next(t for t in m.MACHINES[machine].transitions if t.where.startswith(where_prefix))


def test_reuse_after_an_http_1_0_server_names_the_rule_and_the_fact() -> None:
    client = client_after_response(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")
    refused = refusal_of_reuse(client)
    reuse = rule("client", "client.toml: on_method #1")
    must_close = next(
        t for t in m.MACHINES["client"].transitions if t.kind == "state" and "keep_alive" in t.guard
    )
    http_1_0 = rule("keep_alive", "keep_alive.toml: on_signal #2")
    assert str(refused).splitlines() == [
        "can't call prepare_to_reuse() while CLIENT is in state MUST_CLOSE",
        f"  allowed from DONE [{reuse.where}]: {reuse.why}",
        f"  client is MUST_CLOSE when keep_alive is disabled [{must_close.where}]: {must_close.why}",
        f"  keep_alive is disabled on HTTP/1.0 peer, in a message from SERVER [{http_1_0.where}]: {http_1_0.why}",
    ]
    assert (refused.machine, refused.state, refused.trigger) == ("client", MUST_CLOSE, reuse.trigger)
    assert refused.rules == (reuse,)
    assert refused.causes == (must_close, http_1_0)
    assert refused.facts == ("HTTP/1.0 peer, in a message from SERVER",)
    assert refused.headline == "can't call prepare_to_reuse() while CLIENT is in state MUST_CLOSE"
    # Nothing changed: the refusal is not an error of the connection.
    assert client.states == {CLIENT: MUST_CLOSE, SERVER: MUST_CLOSE}


@pytest.mark.parametrize(
    ("request_headers", "response", "sender"),
    [
        ([("Connection", "close")], b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "CLIENT"),
        ([], b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", "SERVER"),
    ],
)
def test_reuse_after_connection_close_says_who_sent_it(
    request_headers: list[tuple[str, str]], response: bytes, sender: str
) -> None:
    refused = refusal_of_reuse(client_after_response(response, *request_headers))
    assert refused.facts == (f"Connection: close seen, in a message from {sender}",)
    assert f"keep_alive is disabled on Connection: close seen, in a message from {sender} [" in str(refused)
    # The signals that did not happen are not offered as explanations.
    assert "HTTP/1.0" not in str(refused)


def test_a_server_answering_an_http_1_0_client_knows_the_client_said_so() -> None:
    server = Connection(SERVER)
    server.receive_data(b"GET / HTTP/1.0\r\n\r\n")
    server.send(Response(status_code=200, headers=[("Content-Length", "0")]))
    server.send(EndOfMessage())
    refused = refusal_of_reuse(server)
    assert refused.headline == "can't call prepare_to_reuse() while CLIENT is in state MUST_CLOSE"
    assert refused.facts == ("HTTP/1.0 peer, in a message from CLIENT",)


def test_a_refused_send_explains_itself_too() -> None:
    client = client_after_response(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    with pytest.raises(TriggerRefused) as info:
        client.send(GET)
    lines = str(info.value).splitlines()
    assert lines[0] == "CLIENT can't send Request while CLIENT is in state MUST_CLOSE"
    assert lines[1].startswith("  allowed from IDLE [client.toml: on_event #1 (Request)]: ")
    assert info.value.facts == ("Connection: close seen, in a message from SERVER",)


def test_an_earlier_error_is_named() -> None:
    client = client_after_response(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    client.prepare_to_reuse()
    client.send(GET)
    client.send(EndOfMessage())
    with pytest.raises(h11sm.ProtocolError):
        client.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n")
    refused = refusal_of_reuse(client)
    error_rule = next(t for t in m.MACHINES["server"].transitions if t.from_any)
    assert f"  server is ERROR on ProtocolError [{error_rule.where}]: {error_rule.why}" in str(refused).splitlines()
    assert error_rule in refused.causes and refused.facts == ()


def test_a_state_reached_by_an_ordinary_event_needs_no_explaining() -> None:
    client = Connection(CLIENT)
    client.send(Request(method="POST", target="/", headers=[("Host", "a"), ("Content-Length", "1")]))
    refused = refusal_of_reuse(client)
    assert refused.state is SEND_BODY
    assert len(str(refused).splitlines()) == 2  # the headline and the rule
    assert refused.causes == ()


def test_without_recorded_facts_every_possible_signal_is_offered() -> None:
    with pytest.raises(TriggerRefused) as info:
        m.next_states({"client": "MUST_CLOSE", "server": "MUST_CLOSE", "keep_alive": "disabled"}, "prepare_to_reuse")
    text = str(info.value)
    for label in ("Connection: close seen", "HTTP/1.0 peer", "Transfer-Encoding with Content-Length"):
        assert f"keep_alive is disabled perhaps on {label} [" in text
    assert info.value.facts == ()


def test_guards_are_followed_once_per_machine() -> None:
    # The server is MUST_CLOSE because keep-alive is off and because the
    # client is MUST_CLOSE, which is itself because keep-alive is off: the
    # keep_alive machine is explained once.
    with pytest.raises(TriggerRefused) as info:
        m.next_states(
            {"client": "MUST_CLOSE", "server": "MUST_CLOSE", "keep_alive": "disabled"}, "Response", by="server"
        )
    lines = str(info.value).splitlines()
    assert sum(line.startswith("  keep_alive is disabled") for line in lines) == 4  # one per possible signal
    assert any(line.startswith("  server is MUST_CLOSE when client is MUST_CLOSE") for line in lines)
    assert any(line.startswith("  client is MUST_CLOSE when keep_alive is disabled") for line in lines)


def test_a_trigger_no_rule_allows(tmp_path: Path) -> None:
    tables = tmp_path / "tables"
    shutil.copytree(default_tables_dir(), tables)
    client_table = tables / "client.toml"
    text = client_table.read_text(encoding="utf-8")
    data_rule = (
        '[[on_event]]\nfrom = "SEND_BODY"\nevent = "Data"\nto = "SEND_BODY"\n'
        'why = "A body arrives as any number of pieces (RFC 9112 §6)."\n'
    )
    assert data_rule in text
    client_table.write_text(text.replace(data_rule, ""), encoding="utf-8")
    automaton = Automaton.from_directory(tables)
    data = automaton.vocabulary.trigger("event", "Data", CLIENT)
    request = automaton.vocabulary.trigger("event", "Request", CLIENT)
    joint = automaton.fire(automaton.initial, request)
    with pytest.raises(TriggerRefused) as info:
        automaton.fire(joint, data)
    assert str(info.value).splitlines()[1] == "  no rule of client.toml allows it in any state"
    assert info.value.rules == ()


def test_a_failed_guard_is_still_shown_in_the_headline() -> None:
    with pytest.raises(TriggerRefused) as info:
        m.next_states({"client": "DONE", "server": "SEND_RESPONSE"}, "AcceptUpgrade")
    assert info.value.headline == (
        "SERVER can't send InformationalResponse (101 Switching Protocols) while SERVER is in state "
        "SEND_RESPONSE (switch_protocol is no_proposal, expect_continue is not_waiting)"
    )
    assert (
        "allowed from SEND_RESPONSE if switch_protocol is one of both_proposed, upgrade_proposed and "
        "expect_continue is not_waiting [" in str(info.value)
    )


def test_a_server_hanging_up_is_explained_in_one_line() -> None:
    client = Connection(CLIENT)
    client.send(GET)
    client.send(EndOfMessage())
    with pytest.raises(h11sm.ProtocolError) as info:
        client.receive_data(b"")
    assert str(info.value) == (
        "peer closed the connection before the exchange was complete "
        "(SERVER can't send ConnectionClosed while SERVER is in state SEND_RESPONSE)"
    )
    assert DONE is h11sm.DONE
