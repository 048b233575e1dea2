"""The compiled joint automaton agrees with the tables read rule by rule."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from h11sm import CLIENT, DONE, IDLE, MIGHT_SWITCH_PROTOCOL, MUST_CLOSE, SEND_BODY, SERVER, ProtocolError
from h11sm._engine import Automaton, TriggerRefused, interpret
from h11sm._sentinels import Sentinel
from h11sm._tables import Trigger
from h11sm.machines import _AUTOMATON

AUTOMATON: Automaton = _AUTOMATON
TRIGGERS = list(AUTOMATON.iter_triggers())


def as_mapping(states: tuple[Sentinel, ...]) -> dict[str, Sentinel]:
    return dict(zip(AUTOMATON.names, states, strict=True))


@settings(max_examples=400)
@given(st.lists(st.sampled_from(TRIGGERS), max_size=40))
def test_compiled_automaton_equals_step_by_step_interpretation(triggers: list[Trigger]) -> None:
    joint = AUTOMATON.initial
    reference = as_mapping(joint.states)
    for trigger in triggers:
        try:
            expected = interpret(AUTOMATON.machines, reference, trigger)
        except TriggerRefused as refused:
            assert trigger not in joint.next
            with pytest.raises(TriggerRefused) as compiled_refusal:
                AUTOMATON.fire(joint, trigger)
            assert str(compiled_refusal.value) == str(refused)
            continue
        joint = AUTOMATON.fire(joint, trigger)
        assert as_mapping(joint.states) == expected
        reference = expected


def test_every_reachable_joint_state_matches_interpretation() -> None:
    for joint in AUTOMATON.joint_states.values():
        for trigger in TRIGGERS:
            try:
                expected = interpret(AUTOMATON.machines, as_mapping(joint.states), trigger)
            except TriggerRefused:
                assert trigger not in joint.next
            else:
                assert as_mapping(joint.next[trigger].states) == expected


def event(name: str, role: Sentinel) -> Trigger:
    return AUTOMATON.vocabulary.trigger("event", name, role)


def run(*triggers: Trigger) -> dict[str, Sentinel]:
    joint = AUTOMATON.initial
    for trigger in triggers:
        joint = AUTOMATON.fire(joint, trigger)
    return as_mapping(joint.states)


def test_request_moves_both_role_machines() -> None:
    states = run(event("Request", CLIENT))
    assert (states["client"], states["server"]) == (SEND_BODY, Sentinel.named("SEND_RESPONSE"))


def test_refusal_names_role_state_and_event() -> None:
    with pytest.raises(TriggerRefused) as info:
        run(event("Data", CLIENT))
    assert info.value.headline == "CLIENT can't send Data while CLIENT is in state IDLE"


def test_refusal_of_observed_event() -> None:
    with pytest.raises(TriggerRefused) as info:
        run(event("Response", SERVER), event("Request", CLIENT))
    assert info.value.headline == "SERVER can't accept Request from CLIENT while SERVER is in state SEND_BODY"


def test_refusal_explains_a_failed_guard() -> None:
    with pytest.raises(ProtocolError) as info:
        run(event("Request", CLIENT), event("AcceptUpgrade", SERVER))
    assert isinstance(info.value, TriggerRefused)
    assert info.value.headline == (
        "SERVER can't send InformationalResponse (101 Switching Protocols) while SERVER is in "
        "state SEND_RESPONSE (switch_protocol is no_proposal, expect_continue is not_waiting)"
    )


def test_method_refusal() -> None:
    reuse = AUTOMATON.vocabulary.trigger("method", "prepare_to_reuse")
    with pytest.raises(ProtocolError) as info:
        run(reuse)
    assert isinstance(info.value, TriggerRefused)
    assert info.value.headline == "can't call prepare_to_reuse() while CLIENT is in state IDLE"


def test_switch_wins_over_keep_alive_then_falls_back() -> None:
    signal = AUTOMATON.vocabulary.trigger
    states = run(
        signal("signal", "upgrade_proposed"),
        signal("signal", "connection_close"),
        event("Request", CLIENT),
        event("EndOfMessage", CLIENT),
    )
    assert states["client"] is MIGHT_SWITCH_PROTOCOL
    states = run(
        signal("signal", "upgrade_proposed"),
        signal("signal", "connection_close"),
        event("Request", CLIENT),
        event("EndOfMessage", CLIENT),
        event("Response", SERVER),
    )
    assert states["client"] is MUST_CLOSE
    assert states["switch_protocol"] is Sentinel.named("no_proposal")


def test_interpret_from_unreachable_combination_still_works() -> None:
    states = as_mapping(AUTOMATON.initial.states)
    states["client"] = DONE
    states["server"] = IDLE
    result = interpret(AUTOMATON.machines, states, event("ConnectionClosed", CLIENT))
    assert result["client"] is Sentinel.named("CLOSED")
    assert result["server"] is MUST_CLOSE


def test_explain_rejects_a_trigger_the_tables_allow() -> None:
    with pytest.raises(AssertionError, match="compiled automaton refused"):
        AUTOMATON.explain(AUTOMATON.initial.states, event("Request", CLIENT))


def test_reprs() -> None:
    assert repr(event("Request", CLIENT)) == "<event Request by CLIENT>"
    assert repr(AUTOMATON.vocabulary.trigger("signal", "http_1_0")) == "<signal http_1_0>"
    assert repr(AUTOMATON.initial) == "JointState(IDLE, IDLE, enabled, no_proposal, http_1_1, not_waiting)"
