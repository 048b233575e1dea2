"""Every lifecycle rule is a row of the tables: change the row, and a
Connection built on the changed tables follows it.

The Connection runs on the tables its package was built with, so each
"changed row" test copies the package next to an edited copy of the tables
and runs a small script against it in a fresh interpreter.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import h11sm
import h11sm.machines as m
from h11sm import (
    CLIENT,
    SERVER,
    Connection,
    Data,
    EndOfMessage,
    InformationalResponse,
    Request,
    Response,
    _connection,
    _head_step,
)
from h11sm._engine import Automaton
from h11sm._tables import TableError, default_tables_dir

PACKAGE = Path(h11sm.__file__).resolve().parent


@pytest.fixture
def tables(tmp_path: Path) -> Path:
    target = tmp_path / "tables"
    shutil.copytree(default_tables_dir(), target)
    return target


def edit(directory: Path, name: str, old: str, new: str) -> None:
    path = directory / name
    before = path.read_text()
    assert before.count(old) == 1, f"{old!r} is not in {name} exactly once"
    path.write_text(before.replace(old, new))


def run_on(tables: Path, script: str) -> str:
    """Run *script* with a copy of h11sm that reads *tables*; its stdout."""
    root = tables.parent
    shutil.copytree(PACKAGE, root / "h11sm", ignore=shutil.ignore_patterns("__pycache__", "tables"))
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 or not result.stdout, result.stderr
    return result.stdout.strip() if result.returncode == 0 else result.stderr.strip().splitlines()[-1]


def refused(tables: Path) -> str:
    """The TableError the connection's own checks at import (beyond the
    loader's) raise for *tables*; asked in this process, of the same
    functions the import runs."""
    automaton = Automaton.from_directory(tables)
    with pytest.raises(TableError) as info:
        _connection._check_the_words_are_known(automaton)
        _connection._body_events_allowed_in_body_states(automaton)
        _head_step._classification(automaton.vocabulary)
        _head_step._signal_rules(automaton.vocabulary)
    return f"h11sm._tables.TableError: {info.value}"


def test_the_checks_pass_for_the_shipped_tables() -> None:
    automaton = m._AUTOMATON
    _connection._check_the_words_are_known(automaton)
    _connection._body_events_allowed_in_body_states(automaton)
    assert _head_step._signal_rules(automaton.vocabulary) == _head_step._SIGNAL_RULES


def test_a_refused_trigger_before_the_last_stops_a_composite_step() -> None:
    automaton = m._AUTOMATON
    data = automaton.vocabulary.trigger("event", "Data", CLIENT)
    request = automaton.vocabulary.trigger("event", "Request", CLIENT)
    after, moved, last, fired = automaton.compose(automaton.initial, (data,), request)
    assert (after, moved, last, fired) == (automaton.initial, (), None, data)


# -- the words of [receive] and [send] ------------------------------------------


def test_each_joint_state_carries_the_words_of_its_states() -> None:
    client_pos = m._AUTOMATON.position["client"]
    server_pos = m._AUTOMATON.position["server"]
    for joint in m._AUTOMATON.joint_states.values():
        assert joint.receive[client_pos] == m.MACHINES["client"].receive[joint.states[client_pos]]
        assert joint.send[server_pos] == m.MACHINES["server"].send[joint.states[server_pos]]
    assert m.MACHINES["keep_alive"].receive == {}


def test_format_machine_shows_the_words() -> None:
    text = m.format_machine(m.MACHINES["server"])
    assert "[receive] IDLE = head, SEND_RESPONSE = head, SEND_BODY = body, DONE = pause_if_data," in text
    assert "[send] IDLE = head" in text


def test_changing_a_receive_word_changes_what_the_connection_does(tables: Path) -> None:
    script = """
        import h11sm
        client = h11sm.Connection(h11sm.CLIENT)
        client.send(h11sm.Request(method="GET", target="/", headers=[("Host", "a")]))
        client.send(h11sm.EndOfMessage())
        events = client.receive_data(b"HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\nHTTP/1.1")
        print(type(events[-1]).__name__)
        try:
            client.receive_data(None)
            print("no error")
        except h11sm.RemoteProtocolError as exc:
            print("refused:", exc)
    """
    # As shipped: the bytes after a complete response wait (Paused).
    assert run_on(tables, script) == "Paused\nno error"
    shutil.rmtree(tables.parent / "h11sm")
    shipped = '[receive]\nIDLE = "head"\nSEND_RESPONSE = "head"\nSEND_BODY = "body"\nDONE = "pause_if_data"'
    edit(tables, "server.toml", shipped, shipped.replace('"pause_if_data"', '"silent"'))
    assert run_on(tables, script) == (
        "EndOfMessage\nrefused: received data while the peer should be silent (peer state DONE)"
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('DONE = "pause_if_data"\nMUST_CLOSE = "silent"\nCLOSED = "silent"\nMIGHT_SWITCH',
         'DONE = "doze"\nMUST_CLOSE = "silent"\nCLOSED = "silent"\nMIGHT_SWITCH',
         "client.toml: [receive]: DONE = 'doze' is not one of the declared receive_modes"),
        ('ERROR = "broken"\n\n# What the client', '\n# What the client',
         "client.toml: [receive]: no mode for state(s) ERROR"),
        ('ERROR = "broken"\n\n# What the client', 'ERROR = "broken"\nLOST = "silent"\n\n# What the client',
         "client.toml: [receive]: unknown state(s) LOST"),
    ],
)
def test_malformed_word_sections_are_refused(tables: Path, old: str, new: str, message: str) -> None:
    edit(tables, "client.toml", old, new)
    with pytest.raises(TableError) as info:
        Automaton.from_directory(tables)
    assert str(info.value).startswith(message)


def test_a_word_section_must_be_a_table(tables: Path) -> None:
    edit(tables, "keep_alive.toml", "[machine]", 'send = "body"\n\n[machine]')
    with pytest.raises(TableError, match=r"keep_alive.toml: \[send\] must be a table of state = mode"):
        Automaton.from_directory(tables)


def test_the_connection_refuses_words_it_does_not_act_on(tables: Path) -> None:
    edit(tables, "vocabulary.toml", '"silent", "broken"]', '"silent", "broken", "sleep"]')
    assert refused(tables).startswith("h11sm._tables.TableError: vocabulary.toml: receive_modes must be")


def test_the_connection_needs_the_sections_for_both_roles(tables: Path) -> None:
    path = tables / "client.toml"
    text = path.read_text()
    start = text.index("[send]")
    path.write_text(text[:start] + text[text.index("# --- reuse"):])
    assert refused(tables) == (
        "h11sm._tables.TableError: client.toml: the CLIENT machine needs [receive] and [send] sections"
    )


def test_body_events_must_be_allowed_where_a_body_is_read(tables: Path) -> None:
    edit(tables, "client.toml", 'IDLE = "head"\nSEND_BODY = "body"\nDONE = "pause_if_data"',
         'IDLE = "body"\nSEND_BODY = "body"\nDONE = "pause_if_data"')
    assert refused(tables).startswith(
        "h11sm._tables.TableError: the tables must allow Data by CLIENT wherever its state reads or writes a body"
    )


# -- expect_continue -------------------------------------------------------------


def test_the_expect_continue_machine_is_visible() -> None:
    after = m.next_states({}, "expect_100_continue")
    assert after["expect_continue"] is h11sm.Sentinel.named("waiting")
    waiting = {"client": "SEND_BODY", "server": "SEND_RESPONSE", "switch_protocol": "upgrade_proposed",
               "expect_continue": "waiting"}
    allowed = {t.name for t in m.allowed_triggers(waiting, by="server")}
    assert "AcceptUpgrade" not in allowed
    assert "AcceptUpgrade" in {t.name for t in m.allowed_triggers({**waiting, "expect_continue": "not_waiting"},
                                                                  by="server")}


def test_101_while_the_client_waits_for_100_is_refused_by_the_guard() -> None:
    server = Connection(SERVER)
    server.receive_data(
        b"POST / HTTP/1.1\r\nHost: a\r\nUpgrade: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"
    )
    with pytest.raises(m.TriggerRefused) as info:
        server.send(InformationalResponse(status_code=101, headers=[("Upgrade", "x")]))
    assert info.value.machine == "server"
    assert "expect_continue is waiting" in info.value.msg


def test_removing_the_guard_allows_101_while_the_client_waits(tables: Path) -> None:
    script = """
        import h11sm
        server = h11sm.Connection(h11sm.SERVER)
        server.receive_data(
            b"POST / HTTP/1.1\\r\\nHost: a\\r\\nUpgrade: x\\r\\nExpect: 100-continue\\r\\nContent-Length: 3\\r\\n\\r\\n"
        )
        try:
            server.send(h11sm.InformationalResponse(status_code=101, headers=[("Upgrade", "x")]))
            print(server.states[h11sm.SERVER])
        except h11sm.LocalProtocolError:
            print("refused")
    """
    assert run_on(tables, script) == "refused"
    shutil.rmtree(tables.parent / "h11sm")
    edit(tables, "server.toml", ', expect_continue = ["not_waiting"] }', " }")
    assert run_on(tables, script) == "SWITCHED_PROTOCOL"


def test_a_client_that_sends_its_body_stops_waiting() -> None:
    client = Connection(CLIENT)
    client.send(Request(method="POST", target="/", headers=[("Host", "a"), ("Content-Length", "1"),
                                                             ("Expect", "100-continue")]))
    assert client.client_is_waiting_for_100_continue
    client.send(Data(data=b"x"))
    assert not client.client_is_waiting_for_100_continue


def test_expect_in_an_http_1_0_request_is_ignored() -> None:
    server = Connection(SERVER)
    server.receive_data(b"POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n")
    assert not server.they_are_waiting_for_100_continue


# -- the client's version ---------------------------------------------------------


def test_removing_the_version_guard_allows_a_1xx_to_an_http_1_0_client(tables: Path) -> None:
    script = """
        import h11sm
        server = h11sm.Connection(h11sm.SERVER)
        server.receive_data(b"GET / HTTP/1.0\\r\\n\\r\\n")
        try:
            print(server.send(h11sm.InformationalResponse(status_code=103, headers=[("Link", "</a>")])))
        except h11sm.LocalProtocolError:
            print("refused")
    """
    assert run_on(tables, script) == "refused"
    shutil.rmtree(tables.parent / "h11sm")
    edit(tables, "server.toml", 'to = "SEND_RESPONSE"\nwhen = { request_version = ["http_1_1"] }\n',
         'to = "SEND_RESPONSE"\n')
    assert run_on(tables, script) == "b'HTTP/1.1 103 Early Hints\\r\\nLink: </a>\\r\\n\\r\\n'"


def test_a_later_http_1_1_request_may_get_a_1xx_again() -> None:
    server = Connection(SERVER)
    server.receive_data(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    server.send(Response(status_code=200, headers=[("Content-Length", "0")]))
    server.send(EndOfMessage())
    server.prepare_to_reuse()
    server.receive_data(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert server.send(InformationalResponse(status_code=100)) == b"HTTP/1.1 100 Continue\r\n\r\n"


# -- the response classification --------------------------------------------------


def test_the_classification_is_declared_once() -> None:
    assert m.RESPONSE_CLASSES == (
        ("InformationalResponse", 101, 101, None, "AcceptUpgrade"),
        ("Response", 200, 299, "CONNECT", "AcceptConnect"),
    )


def test_changing_the_classification_changes_what_opens_a_tunnel(tables: Path) -> None:
    script = """
        import h11sm
        client = h11sm.Connection(h11sm.CLIENT)
        client.send(h11sm.Request(method="CONNECT", target="a:443", headers=[("Host", "a:443")]))
        client.send(h11sm.EndOfMessage())
        client.receive_data(b"HTTP/1.1 201 Created\\r\\nContent-Length: 0\\r\\n\\r\\n")
        print(client.states[h11sm.SERVER])
    """
    assert run_on(tables, script) == "SWITCHED_PROTOCOL"
    shutil.rmtree(tables.parent / "h11sm")
    edit(tables, "vocabulary.toml", "status = [200, 299]", "status = [200, 200]")
    assert run_on(tables, script) == "DONE"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ('head = "Response"\nstatus = [299, 200]\ntrigger = "AcceptConnect"\nwhy = "x"',
         r"response #3: status must be \[first, last\]"),
        ('head = "Response"\nstatus = [200, 299]\ntrigger = "Teapot"\nwhy = "x"',
         "response #3: unknown event 'Teapot'"),
    ],
)
def test_malformed_classification_rows_are_refused(tables: Path, row: str, message: str) -> None:
    with (tables / "vocabulary.toml").open("a") as f:
        f.write(f"\n[[response]]\n{row}\n")
    with pytest.raises(TableError, match=message):
        Automaton.from_directory(tables)


def test_a_classification_row_must_name_a_response_head(tables: Path) -> None:
    with (tables / "vocabulary.toml").open("a") as f:
        f.write('\n[[response]]\nhead = "Request"\nstatus = [200, 200]\ntrigger = "Response"\nwhy = "x"\n')
    assert refused(tables) == (
        "h11sm._tables.TableError: vocabulary.toml: a [[response]] row classifies 'Request', "
        "which is not a response head"
    )


# -- signals raised by head facts --------------------------------------------------


def test_the_signal_sources_are_visible() -> None:
    sources = {signal.name: (sorted(heads), sorted(facts), sorted(unless))
               for signal, heads, facts, unless in m.SIGNAL_SOURCES}
    assert sources["connection_close"] == ([], ["close_option"], [])
    assert sources["http_1_0"] == ([], ["http_1_0"], ["keep_alive_option"])
    assert sources["continue_100"] == (["InformationalResponse"], ["status_100"], [])


def test_changing_what_raises_a_signal_changes_the_connection(tables: Path) -> None:
    script = """
        import h11sm
        server = h11sm.Connection(h11sm.SERVER)
        server.receive_data(b"GET / HTTP/1.1\\r\\nHost: a\\r\\nConnection: keep-alive\\r\\n\\r\\n")
        server.send(h11sm.Response(status_code=200, headers=[("Content-Length", "0")]))
        server.send(h11sm.EndOfMessage())
        print(server.our_state)
    """
    assert run_on(tables, script) == "DONE"
    shutil.rmtree(tables.parent / "h11sm")
    edit(tables, "vocabulary.toml", '{ facts = ["close_option"] }', '{ facts = ["keep_alive_option"] }')
    assert run_on(tables, script) == "MUST_CLOSE"


@pytest.mark.parametrize(
    ("raised_by", "message"),
    [
        ('"close"', "`raised_by` must be a table"),
        ("{ facts = \"close_option\" }", "raised_by.facts must be a list of names"),
        ('{ facts = ["closing"] }', "raised_by names unknown head fact"),
        ('{ when = ["close_option"] }', "unknown key"),
    ],
)
def test_malformed_raised_by_is_refused(tables: Path, raised_by: str, message: str) -> None:
    edit(tables, "vocabulary.toml", 'raised_by = { facts = ["close_option"] }', f"raised_by = {raised_by}")
    with pytest.raises(TableError, match=message):
        Automaton.from_directory(tables)


def test_a_fact_the_codec_does_not_report_is_refused(tables: Path) -> None:
    edit(tables, "vocabulary.toml", '"close_delimited",\n]', '"close_delimited", "gzip",\n]')
    assert refused(tables) == (
        "h11sm._tables.TableError: vocabulary.toml: head_facts names fact(s) the codec does not report: gzip"
    )


# -- close-delimited bodies ---------------------------------------------------------


def test_a_close_delimited_body_raises_its_own_signal() -> None:
    server = Connection(SERVER)
    server.receive_data(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    head = server.send(Response(status_code=200))
    assert head == b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"
    assert server._signals_seen == {
        m._AUTOMATON.vocabulary.trigger("signal", "request_http_1_0"): CLIENT,
        m._AUTOMATON.vocabulary.trigger("signal", "http_1_0_keep_alive"): CLIENT,
        m._AUTOMATON.vocabulary.trigger("signal", "close_delimited"): SERVER,
    }


def test_the_json_form_has_the_words() -> None:
    from h11sm._cli import machine_json

    data = json.loads(json.dumps(machine_json(m.MACHINES["client"])))
    assert data["receive"]["MIGHT_SWITCH_PROTOCOL"] == "pause"
    assert data["send"]["ERROR"] == "broken"


def test_a_client_refuses_a_101_while_it_waits_for_100() -> None:
    client = Connection(CLIENT)
    client.send(Request(method="POST", target="/", headers=[
        ("Host", "a"), ("Upgrade", "x"), ("Connection", "upgrade"), ("Expect", "100-continue"),
        ("Content-Length", "1"),
    ]))
    with pytest.raises(h11sm.RemoteProtocolError) as info:
        client.receive_data(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n")
    assert info.value.msg.splitlines()[0] == (
        "SERVER can't send InformationalResponse (101 Switching Protocols) while SERVER is in state "
        "SEND_RESPONSE (switch_protocol is upgrade_proposed, expect_continue is waiting)"
    )
    assert client.their_state is h11sm.ERROR


# -- what our heads announce ([announce]) --------------------------------------------

SHIPPED_ANNOUNCE = '[announce]\nenabled_http_1_0 = "keep-alive"\n'

# A server answering an HTTP/1.0 request that asked for keep-alive (once
# framed by length, once close-delimited), and a client whose HTTP/1.0
# server asked for it, sending its next request: the bytes of each head.
ANNOUNCE_SCRIPT = """
    import h11sm
    def server_head(response):
        server = h11sm.Connection(h11sm.SERVER)
        server.receive_data(b"GET / HTTP/1.0\\r\\nConnection: keep-alive\\r\\n\\r\\n")
        return server.send(response)
    print(server_head(h11sm.Response(status_code=200, headers=[("Content-Length", "0")])))
    print(server_head(h11sm.Response(status_code=200)))
    client = h11sm.Connection(h11sm.CLIENT)
    print(client.send(h11sm.Request(method="GET", target="/", headers=[("Host", "a")])))
    client.send(h11sm.EndOfMessage())
    client.receive_data(b"HTTP/1.0 200 OK\\r\\nConnection: keep-alive\\r\\nContent-Length: 0\\r\\n\\r\\n")
    client.prepare_to_reuse()
    print(client.send(h11sm.Request(method="GET", target="/b", headers=[("Host", "a")])))
"""


def test_each_joint_state_announces_what_its_keep_alive_state_says() -> None:
    position = m._AUTOMATON.position["keep_alive"]
    enabled_http_1_0 = h11sm.Sentinel.named("enabled_http_1_0")
    assert m.MACHINES["keep_alive"].announce == {enabled_http_1_0: "keep-alive"}
    assert m.MACHINES["client"].announce == {}
    announced = {joint.announce for joint in m._AUTOMATON.joint_states.values()}
    assert announced == {None, "keep-alive"}
    for joint in m._AUTOMATON.joint_states.values():
        expected = "keep-alive" if joint.states[position] is enabled_http_1_0 else None
        assert joint.announce == expected, joint


def test_the_announcements_are_shown_as_text_and_json() -> None:
    from h11sm._cli import machine_json

    assert m.format_machine(m.MACHINES["keep_alive"]).endswith("\n[announce] enabled_http_1_0 = keep-alive")
    assert "[announce]" not in m.format_machine(m.MACHINES["server"])
    assert machine_json(m.MACHINES["keep_alive"])["announce"] == {"enabled_http_1_0": "keep-alive"}
    assert machine_json(m.MACHINES["server"])["announce"] == {}


def test_removing_the_announce_entry_stops_the_keep_alive_option(tables: Path) -> None:
    # As shipped: every head sent while keep_alive is enabled_http_1_0 says
    # keep-alive, except the close-delimited one, which says close.
    assert run_on(tables, ANNOUNCE_SCRIPT).splitlines() == [
        r"b'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n'",
        r"b'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n'",
        r"b'GET / HTTP/1.1\r\nHost: a\r\n\r\n'",
        r"b'GET /b HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n'",
    ]
    shutil.rmtree(tables.parent / "h11sm")
    edit(tables, "keep_alive.toml", SHIPPED_ANNOUNCE, "")
    assert run_on(tables, ANNOUNCE_SCRIPT).splitlines() == [
        r"b'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'",
        r"b'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n'",
        r"b'GET / HTTP/1.1\r\nHost: a\r\n\r\n'",
        r"b'GET /b HTTP/1.1\r\nHost: a\r\n\r\n'",
    ]


def test_moving_the_announce_entry_moves_the_keep_alive_option(tables: Path) -> None:
    edit(tables, "keep_alive.toml", SHIPPED_ANNOUNCE, '[announce]\nenabled = "keep-alive"\n')
    # Now the HTTP/1.1 client's first request says keep-alive, and the heads
    # sent while keep_alive is enabled_http_1_0 no longer do.
    assert run_on(tables, ANNOUNCE_SCRIPT).splitlines() == [
        r"b'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'",
        r"b'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n'",
        r"b'GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n'",
        r"b'GET /b HTTP/1.1\r\nHost: a\r\n\r\n'",
    ]


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('[announce]\nenabled_http_1_1 = "keep-alive"\n',
         r"keep_alive.toml: \[announce\]: unknown state\(s\) enabled_http_1_1$"),
        ('[announce]\nenabled_http_1_0 = "keepalive"\n',
         r"keep_alive.toml: \[announce\]: enabled_http_1_0 = 'keepalive' is not one of the declared "
         r"announce_options \(keep-alive\)$"),
        ('[announce]\nenabled_http_1_0 = ["keep-alive"]\n',
         r"keep_alive.toml: \[announce\]: enabled_http_1_0 = \['keep-alive'\] is not one of the declared "
         r"announce_options"),
        ('[announces]\nenabled_http_1_0 = "keep-alive"\n', r"keep_alive.toml: unknown key\(s\) 'announces'$"),
    ],
)
def test_malformed_announce_sections_are_refused(tables: Path, section: str, message: str) -> None:
    edit(tables, "keep_alive.toml", SHIPPED_ANNOUNCE, section)
    with pytest.raises(TableError, match=message):
        Automaton.from_directory(tables)


def test_an_announce_section_must_be_a_table(tables: Path) -> None:
    edit(tables, "keep_alive.toml", SHIPPED_ANNOUNCE, "")
    edit(tables, "keep_alive.toml", "[machine]", 'announce = "keep-alive"\n\n[machine]')
    with pytest.raises(TableError, match=r"keep_alive.toml: \[announce\] must be a table of state = word$"):
        Automaton.from_directory(tables)


def test_an_option_nobody_declared_is_refused(tables: Path) -> None:
    edit(tables, "vocabulary.toml", 'announce_options = ["keep-alive"]', "")
    with pytest.raises(TableError, match=r"enabled_http_1_0 = 'keep-alive' is not one of the declared "
                                         r"announce_options \(\)$"):
        Automaton.from_directory(tables)


def test_two_machines_announcing_different_options_at_once_are_refused(tables: Path) -> None:
    edit(tables, "vocabulary.toml", 'announce_options = ["keep-alive"]', 'announce_options = ["keep-alive", "x"]')
    edit(tables, "keep_alive.toml", SHIPPED_ANNOUNCE, '[announce]\nenabled = "keep-alive"\n')
    with (tables / "client.toml").open("a") as f:
        f.write('\n[announce]\nIDLE = "x"\n')
    with pytest.raises(TableError, match=(
        r"^\[announce\] sections disagree in the reachable joint state \(IDLE, IDLE, enabled, .*\): "
        r"client announces 'x', keep_alive announces 'keep-alive'$"
    )):
        Automaton.from_directory(tables)


def test_two_machines_may_announce_the_same_option(tables: Path) -> None:
    with (tables / "server.toml").open("a") as f:
        f.write('\n[announce]\nDONE = "keep-alive"\n')
    automaton = Automaton.from_directory(tables)
    server, keep_alive = automaton.position["server"], automaton.position["keep_alive"]
    both = [j for j in automaton.joint_states.values()
            if j.states[server] is h11sm.DONE and j.states[keep_alive] is h11sm.Sentinel.named("enabled_http_1_0")]
    assert both and all(joint.announce == "keep-alive" for joint in both)


def test_the_connection_refuses_an_option_it_does_not_announce(tables: Path) -> None:
    edit(tables, "vocabulary.toml", 'announce_options = ["keep-alive"]', 'announce_options = ["keep-alive", "x"]')
    assert refused(tables) == (
        "h11sm._tables.TableError: vocabulary.toml: announce_options may only be ['keep-alive']: "
        "the Connection announces no other option"
    )
