"""Malformed tables are refused at load time, with the file and record named."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from h11sm._engine import Automaton
from h11sm._tables import TableError, default_tables_dir, load_tables


@pytest.fixture
def tables(tmp_path: Path) -> Path:
    target = tmp_path / "tables"
    shutil.copytree(default_tables_dir(), target)
    return target


def edit(directory: Path, name: str, change: Callable[[str], str]) -> None:
    path = directory / name
    before = path.read_text()
    after = change(before)
    assert after != before, "the edit did not apply"
    path.write_text(after)


def append(directory: Path, name: str, text: str) -> None:
    with (directory / name).open("a") as f:
        f.write(text)


def refused(directory: Path) -> str:
    with pytest.raises(TableError) as info:
        Automaton.from_directory(directory)
    return str(info.value)


def test_shipped_tables_load() -> None:
    vocabulary, machines = load_tables()
    assert [m.name for m in machines] == [
        "client", "server", "keep_alive", "switch_protocol", "request_version", "expect_continue"
    ]
    assert vocabulary.machine_names == (
        "client", "server", "keep_alive", "switch_protocol", "request_version", "expect_continue"
    )


def test_unknown_state_in_target(tables: Path) -> None:
    edit(tables, "client.toml", lambda s: s.replace('to = "SEND_BODY"', 'to = "SENDING"', 1))
    assert refused(tables) == "client.toml: on_event #1 (Request): unknown state 'SENDING' in machine 'client'"


def test_unknown_state_in_guard(tables: Path) -> None:
    edit(tables, "server.toml", lambda s: s.replace('keep_alive = ["disabled"]', 'keep_alive = ["off"]'))
    assert refused(tables) == (
        "server.toml: on_state #1: guard names unknown state(s) off of machine 'keep_alive'"
    )


def test_guard_on_unknown_machine(tables: Path) -> None:
    edit(tables, "server.toml", lambda s: s.replace('keep_alive = ["disabled"]', 'keepalive = ["disabled"]'))
    assert refused(tables) == "server.toml: on_state #1: guard names unknown machine 'keepalive'"


def test_unknown_signal(tables: Path) -> None:
    edit(tables, "keep_alive.toml", lambda s: s.replace('signal = "http_1_0"', 'signal = "http_0_9"'))
    assert refused(tables) == (
        "keep_alive.toml: on_signal #2 (http_0_9): unknown signal 'http_0_9' "
        "(not declared in vocabulary.toml)"
    )


def test_unknown_event(tables: Path) -> None:
    edit(tables, "client.toml", lambda s: s.replace('event = "Data"', 'event = "Body"', 1))
    assert refused(tables) == (
        "client.toml: on_event #2 (Body): unknown event 'Body' sent by CLIENT "
        "(not declared in vocabulary.toml)"
    )


def test_event_from_a_role_that_never_sends_it(tables: Path) -> None:
    edit(tables, "client.toml", lambda s: s.replace('event = "Request"', 'event = "Response"', 1))
    assert "unknown event 'Response' sent by CLIENT" in refused(tables)


def test_duplicate_trigger(tables: Path) -> None:
    append(
        tables,
        "client.toml",
        '\n[[on_event]]\nfrom = "IDLE"\nevent = "Request"\nto = "CLOSED"\nwhy = "twice"\n',
    )
    assert refused(tables) == (
        "client.toml: on_event #9 (Request): duplicate trigger: client.toml: on_event #1 "
        "(Request) already handles <event Request by CLIENT> from IDLE"
    )


def test_duplicate_trigger_with_disjoint_guards_is_fine(tables: Path) -> None:
    append(
        tables,
        "client.toml",
        '\n[[on_event]]\nfrom = "IDLE"\nevent = "Data"\nto = "CLOSED"\n'
        'when = { keep_alive = ["disabled"] }\nwhy = "a"\n'
        '\n[[on_event]]\nfrom = "IDLE"\nevent = "Data"\nto = "DONE"\n'
        'when = { keep_alive = ["enabled"] }\nwhy = "b"\n',
    )
    Automaton.from_directory(tables)


def test_unreachable_state(tables: Path) -> None:
    edit(
        tables,
        "keep_alive.toml",
        lambda s: s.replace('"enabled_http_1_0", "disabled"]', '"enabled_http_1_0", "disabled", "limbo"]'),
    )
    assert refused(tables) == "keep_alive.toml: state(s) limbo cannot be reached from enabled"


def test_state_triggered_cycle(tables: Path) -> None:
    append(
        tables,
        "keep_alive.toml",
        '\n[[on_state]]\nfrom = "disabled"\nto = "enabled"\nwhen = { server = ["IDLE"] }\nwhy = "x"\n'
        '\n[[on_state]]\nfrom = "enabled"\nto = "disabled"\nwhen = { server = ["IDLE"] }\nwhy = "y"\n',
    )
    message = refused(tables)
    assert message.startswith("state-triggered rules never settle; they cycle through: ")
    assert "keep_alive=disabled" in message and "keep_alive=enabled" in message


def test_conflicting_state_rules_need_priority(tables: Path) -> None:
    edit(tables, "client.toml", lambda s: s.replace("priority = 1\n", "", 1))
    assert refused(tables) == (
        "client.toml: on_state #4: may fire together with client.toml: on_state #1 from DONE "
        "with a different target; give one a higher priority"
    )


def test_state_rule_without_guard(tables: Path) -> None:
    append(tables, "client.toml", '\n[[on_state]]\nfrom = "IDLE"\nto = "DONE"\nwhy = "x"\n')
    assert refused(tables) == "client.toml: on_state #9: a state-triggered rule needs a `when` guard"


def test_guard_on_own_machine(tables: Path) -> None:
    append(
        tables,
        "client.toml",
        '\n[[on_state]]\nfrom = "IDLE"\nto = "DONE"\nwhen = { client = ["IDLE"] }\nwhy = "x"\n',
    )
    assert refused(tables) == "client.toml: on_state #9: a guard cannot test the machine's own state"


@pytest.mark.parametrize(
    ("bad_when", "message"),
    [
        ('"DONE"', "`when` must be a table"),
        ("{ server = [] }", "guard on 'server' must list one or more states"),
    ],
)
def test_malformed_guard(tables: Path, bad_when: str, message: str) -> None:
    append(tables, "client.toml", f'\n[[on_state]]\nfrom = "IDLE"\nto = "DONE"\nwhen = {bad_when}\nwhy = "x"\n')
    assert message in refused(tables)


def test_missing_why(tables: Path) -> None:
    append(tables, "client.toml", '\n[[on_event]]\nfrom = "DONE"\nevent = "Data"\nto = "DONE"\n')
    assert refused(tables) == "client.toml: on_event #9 (Data): missing key 'why'"


def test_unknown_key_in_record(tables: Path) -> None:
    append(tables, "client.toml", '\n[[on_event]]\nfrom = "DONE"\nevent = "Data"\nto = "DONE"\nwhy = "x"\nguard = 1\n')
    assert refused(tables) == "client.toml: on_event #9: unknown key(s) 'guard'"


def test_unknown_record_kind(tables: Path) -> None:
    append(tables, "client.toml", '\n[[on_timer]]\nfrom = "DONE"\n')
    assert refused(tables) == "client.toml: unknown key(s) 'on_timer'"


def test_wrong_value_type(tables: Path) -> None:
    append(tables, "client.toml", '\n[[on_event]]\nfrom = "DONE"\nevent = 3\nto = "DONE"\nwhy = "x"\n')
    assert refused(tables) == "client.toml: on_event #9: 'event' must be a str, not 3"


def test_priority_must_be_integer(tables: Path) -> None:
    edit(tables, "client.toml", lambda s: s.replace("priority = 1", 'priority = "high"', 1))
    assert refused(tables) == "client.toml: on_state #1: priority must be an integer"


def test_by_only_for_events(tables: Path) -> None:
    append(
        tables,
        "client.toml",
        '\n[[on_method]]\nfrom = "IDLE"\nmethod = "prepare_to_reuse"\nby = "client"\nto = "IDLE"\nwhy = "x"\n',
    )
    assert refused(tables) == "client.toml: on_method #2 (prepare_to_reuse): `by` only applies to events"


def test_event_in_roleless_machine_needs_by(tables: Path) -> None:
    edit(tables, "switch_protocol.toml", lambda s: s.replace('by = "server"\n', "", 1))
    assert refused(tables) == (
        "switch_protocol.toml: on_event #1 (Response): an event record needs `by` in a machine without a role"
    )


def test_unknown_role(tables: Path) -> None:
    edit(tables, "server.toml", lambda s: s.replace('by = "client"', 'by = "proxy"'))
    assert refused(tables) == "server.toml: on_event #1 (Request): unknown role 'proxy' (expected 'client' or 'server')"


def test_machine_header_problems(tables: Path) -> None:
    edit(tables, "client.toml", lambda s: s.replace('initial = "IDLE"', 'initial = "START"'))
    assert refused(tables) == "client.toml: [machine]: initial state 'START' is not in states"


def test_machine_name_must_match_file(tables: Path) -> None:
    edit(tables, "client.toml", lambda s: s.replace('name = "client"', 'name = "browser"'))
    assert refused(tables) == "client.toml: [machine]: name 'browser' does not match the file name 'client'"


def test_state_listed_twice(tables: Path) -> None:
    edit(
        tables,
        "keep_alive.toml",
        lambda s: s.replace('"enabled_http_1_0", "disabled"]', '"enabled_http_1_0", "disabled", "enabled"]', 1),
    )
    assert refused(tables) == "keep_alive.toml: [machine]: a state is listed twice"


def test_missing_table_file(tables: Path) -> None:
    (tables / "switch_protocol.toml").unlink()
    assert refused(tables) == "switch_protocol.toml: table file is missing"


def test_invalid_toml(tables: Path) -> None:
    append(tables, "server.toml", "\n[[on_event]\n")
    assert refused(tables).startswith("server.toml: not valid TOML: ")


def test_trigger_declared_twice(tables: Path) -> None:
    append(tables, "vocabulary.toml", '\n[[signal]]\nname = "Data"\n')
    assert refused(tables) == "vocabulary.toml: signal #12: trigger 'Data' is declared twice"


def test_state_rule_must_change_the_state(tables: Path) -> None:
    append(
        tables,
        "client.toml",
        '\n[[on_state]]\nfrom = "IDLE"\nto = "IDLE"\nwhen = { server = ["DONE"] }\nwhy = "x"\n',
    )
    assert refused(tables) == "client.toml: on_state #9: a state-triggered rule must lead to another state"


def test_a_guard_may_name_one_state_without_a_list(tables: Path) -> None:
    edit(
        tables,
        "server.toml",
        lambda s: s.replace('when = { client = ["CLOSED"] }', 'when = { client = "CLOSED" }', 1),
    )
    machines = {machine.name: machine for machine in Automaton.from_directory(tables).machines}
    shipped = {machine.name: machine for machine in Automaton.from_directory().machines}
    assert [t.guard for t in machines["server"].transitions] == [t.guard for t in shipped["server"].transitions]
