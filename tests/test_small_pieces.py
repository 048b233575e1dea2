"""The small public pieces: sentinels, ProtocolError, rule descriptions."""

from __future__ import annotations

import pickle

import pytest

import h11sm
import h11sm.machines as m
from h11sm import CLIENT, DONE, ProtocolError
from h11sm._sentinels import Sentinel


def test_sentinels_are_singletons_named_by_their_repr() -> None:
    assert repr(DONE) == "DONE"
    assert Sentinel.named("DONE") is DONE
    assert {CLIENT: DONE} == {h11sm.CLIENT: h11sm.DONE}
    with pytest.raises(TypeError, match=r"use Sentinel\.named"):
        Sentinel("DONE")


def test_sentinel_names_are_identifiers() -> None:
    with pytest.raises(ValueError, match="must be identifiers, not 'not a name'"):
        Sentinel.named("not a name")


def test_sentinels_are_immutable() -> None:
    with pytest.raises(AttributeError, match="immutable"):
        DONE.name = "IDLE"  # type: ignore[misc]
    assert DONE.name == "DONE"


def test_sentinels_survive_pickling_as_the_same_object() -> None:
    assert pickle.loads(pickle.dumps(DONE)) is DONE


def test_protocol_error_fields_and_repr() -> None:
    error = ProtocolError("too big", error_status_hint=431)
    assert error.msg == "too big"
    assert str(error) == "too big"
    assert error.error_status_hint == 431
    assert repr(error) == "ProtocolError('too big', error_status_hint=431)"
    assert ProtocolError("bad").error_status_hint == 400


def _rule(machine: str, source: str, target: str, kind: str) -> m.Transition:
    (rule,) = [
        t
        for t in m.MACHINES[machine].transitions
        if t.kind == kind and repr(t.source) == source and repr(t.target) == target
        and (kind != "event" or (t.trigger is not None and t.trigger.name == "Request"))
    ]
    return rule


def test_describe_an_event_rule() -> None:
    rule = _rule("server", "IDLE", "SEND_RESPONSE", "event")
    assert rule.describe() == "IDLE --[Request by CLIENT]--> SEND_RESPONSE"


def test_describe_a_state_rule() -> None:
    rule = _rule("client", "MIGHT_SWITCH_PROTOCOL", "SWITCHED_PROTOCOL", "state")
    assert rule.describe() == "MIGHT_SWITCH_PROTOCOL --[when server is SWITCHED_PROTOCOL]--> SWITCHED_PROTOCOL"


def test_describe_a_guarded_event_rule() -> None:
    (rule,) = [
        t
        for t in m.MACHINES["server"].transitions
        if t.trigger is not None and t.trigger.name == "AcceptUpgrade"
    ]
    assert rule.describe() == (
        "SEND_RESPONSE --[InformationalResponse (101 Switching Protocols) by SERVER if "
        "switch_protocol is one of both_proposed, upgrade_proposed and expect_continue is not_waiting]--> "
        "SWITCHED_PROTOCOL"
    )


def test_describe_a_signal_rule() -> None:
    (rule, _) = [
        t for t in m.MACHINES["keep_alive"].transitions if t.trigger is not None and t.trigger.name == "http_1_0"
    ]
    assert rule.describe() == "enabled --[HTTP/1.0 peer]--> disabled"
