"""The questions a newcomer asks of h11sm.machines, one call each."""

from __future__ import annotations

import pytest

import h11sm
import h11sm.machines as m
from h11sm import CLIENT, DONE, ERROR, IDLE, MUST_CLOSE, SEND_BODY, SEND_RESPONSE, SERVER, Sentinel


def test_allowed_triggers_from_the_start() -> None:
    allowed = m.allowed_triggers()
    names = [(t.kind, t.name, t.role) for t in allowed]
    assert ("event", "Request", CLIENT) in names
    assert ("event", "Response", SERVER) in names  # an early 400 or 408
    assert ("method", "prepare_to_reuse", None) not in names
    request = next(t for t in allowed if t.name == "Request")
    assert (allowed[request]["client"], allowed[request]["server"]) == (SEND_BODY, SEND_RESPONSE)
    # In the vocabulary's order, like triggers().
    order = [t for t in m.triggers() if t in allowed]
    assert list(allowed) == order


def test_allowed_triggers_for_one_role() -> None:
    allowed = m.allowed_triggers({"client": "DONE", "server": "DONE"}, by="client")
    assert {t.name: after["client"] for t, after in allowed.items()} == {
        "ConnectionClosed": h11sm.CLOSED,
        "ProtocolError": ERROR,
    }
    assert all(t.role is CLIENT for t in allowed)
    both_done = m.allowed_triggers({"client": DONE, "server": DONE})
    reuse = next(t for t in both_done if t.name == "prepare_to_reuse")
    assert (both_done[reuse]["client"], both_done[reuse]["server"]) == (IDLE, IDLE)


def test_allowed_triggers_agree_with_next_states() -> None:
    states = {"client": "DONE", "server": "SEND_BODY", "keep_alive": "disabled"}
    for trigger, after in m.allowed_triggers(states).items():
        assert m.next_states(states, trigger) == after


def test_an_event_class_stands_for_its_trigger() -> None:
    start = m.initial_states()
    assert m.next_states(start, h11sm.Request) == m.next_states(start, "Request")
    assert m.next_states({"client": "DONE", "server": "SEND_RESPONSE"}, h11sm.Response)["server"] is SEND_BODY
    sending = {"client": "SEND_BODY", "server": "SEND_RESPONSE"}
    assert m.next_states(sending, h11sm.EndOfMessage, by="client")["client"] is DONE


def test_an_event_class_for_the_wrong_role_is_a_refusal() -> None:
    with pytest.raises(m.TriggerRefused) as info:
        m.next_states({}, h11sm.Response, by="client")
    assert str(info.value) == "CLIENT can't send Response: only SERVER does"
    assert isinstance(info.value, h11sm.ProtocolError)
    assert info.value.trigger is not None and info.value.trigger.name == "Response"
    with pytest.raises(m.TriggerRefused, match=r"^SERVER can't send Request: only CLIENT does$"):
        m.next_states({}, "Request", by=SERVER)


def test_a_trigger_object_is_accepted_as_it_is() -> None:
    request = next(t for t in m.triggers() if t.name == "Request")
    assert m.next_states({}, request)["client"] is SEND_BODY


@pytest.mark.parametrize(
    ("trigger", "by", "error", "message"),
    [
        (42, None, TypeError, "a trigger is a name, an event class or a Trigger, not int"),
        ("Request", "proxy", ValueError, "by must be 'client' or 'server', not 'proxy'"),
        ("prepare_to_reuse", "client", ValueError, "'prepare_to_reuse' is a method, not an event"),
        (int, None, ValueError, "no trigger 'int'"),
    ],
)
def test_mistakes_in_the_question(trigger: object, by: str | None, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        m.next_states({}, trigger, by=by)  # type: ignore[arg-type]


def test_unknown_machines_and_states_are_named() -> None:
    with pytest.raises(ValueError, match=r"unknown machine.s.: proxy; the machines are client, server"):
        m.allowed_triggers({"proxy": "IDLE"})
    with pytest.raises(ValueError, match="MUST_CLOSE is not a state of machine 'keep_alive'"):
        m.allowed_triggers({"keep_alive": MUST_CLOSE})


def test_one_spelling_of_every_machine_name() -> None:
    names = set(m.MACHINES)
    assert names == {"client", "server", "keep_alive", "switch_protocol", "request_version", "expect_continue"}
    for machine in m.MACHINES.values():
        for t in machine.transitions:
            assert set(t.guard) <= names
    text = "\n".join(m.format_machine(machine) for machine in m.MACHINES.values())
    assert "switch-protocol" not in text and "keep-alive is" not in text


def test_short_reprs() -> None:
    client = m.MACHINES["client"]
    assert repr(client) == (
        f"<Machine client (client.toml): {len(client.states)} states, "
        f"{len(client.transitions)} transitions, initial IDLE>"
    )
    assert repr(client.transitions[0]) == "<Transition client: IDLE --[Request by CLIENT]--> SEND_BODY>"
    assert repr(next(t for t in m.triggers() if t.name == "connection_close")) == "<signal connection_close>"
    assert all(len(repr(machine)) < 100 for machine in m.MACHINES.values())
    assert repr(Sentinel.named("enabled")) == "enabled"


def test_the_accept_triggers_are_documented() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "machines.rst").read_text(encoding="utf-8")
    for name in ("AcceptUpgrade", "AcceptConnect"):
        assert f"``{name}``" in page
        assert any(t.name == name for t in m.triggers())
