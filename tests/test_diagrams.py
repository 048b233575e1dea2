"""The diagram tool draws exactly the rules in the tables, in the spec's colours.

Every edge in the DOT carries a class listing the rules it draws, so these
tests can hold the picture to the tables: each transition appears in exactly
one edge (a ``from = "*"`` record, which the engine expands into one
transition per state, as one edge from the "any state" note), with the colour
and style of its kind; rules of one kind between the same two states share
one edge; and no other edge is drawn except invisible layout helpers.
"""

from __future__ import annotations

import ast
import colorsys
import itertools
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import h11sm._diagrams as rd
import h11sm.machines as m
from h11sm._tables import default_tables_dir

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "render_diagrams.py"
HAVE_DOT = shutil.which("dot") is not None


RENDERER = ROOT / "h11sm" / "_diagrams.py"


# -- reading DOT back ------------------------------------------------------------


@dataclass
class Edge:
    tail: str
    head: str
    attrs: dict[str, str]

    @property
    def id(self) -> str:
        return self.attrs.get("id", "")

    @property
    def rules(self) -> list[str]:
        """The ids (``rd.edge_id``) of the rules the edge draws."""
        return self.attrs.get("class", "").split()


def _parse_attrs(text: str) -> dict[str, str]:
    """Parse ``key=value key="value" key=<html>`` (html may nest <...>)."""
    attrs: dict[str, str] = {}
    i = 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        key_end = text.index("=", i)
        key = text[i:key_end]
        i = key_end + 1
        if text[i] == '"':
            j = i + 1
            while text[j] != '"' or text[j - 1] == "\\":
                j += 1
            value, i = text[i + 1 : j], j + 1
        elif text[i] == "<":
            depth, j = 0, i
            while True:
                depth += {"<": 1, ">": -1}.get(text[j], 0)
                j += 1
                if depth == 0:
                    break
            value, i = text[i + 1 : j - 1], j
        else:
            j = i
            while j < len(text) and not text[j].isspace():
                j += 1
            value, i = text[i:j], j
        attrs[key] = value
    return attrs


_EDGE = re.compile(r'^\s*("?[\w:*-]+"?) -> ("?[\w:*-]+"?)(?: \[(.*)\])?$')


def edges_of(dot: str) -> list[Edge]:
    found = []
    for line in dot.splitlines():
        match = _EDGE.match(line)
        if match:
            tail, head, attrs = match.groups()
            found.append(Edge(tail.strip('"'), head.strip('"'), _parse_attrs(attrs or "")))
    return found


def drawn(edges: list[Edge]) -> list[Edge]:
    return [e for e in edges if e.attrs.get("style") != "invis"]


def by_rule(dot: str) -> dict[str, Edge]:
    """Each rule's id -> the edge that draws it."""
    return {rule: e for e in drawn(edges_of(dot)) for rule in e.rules}


def drawn_rules(dot: str) -> Counter[str]:
    return Counter(rule for e in drawn(edges_of(dot)) for rule in e.rules)


def records(machine: m.Machine) -> Iterator[m.Transition]:
    """One transition per table record: from-any records once."""
    seen: set[str] = set()
    for t in machine.transitions:
        if t.from_any:
            if t.where in seen:
                continue
            seen.add(t.where)
        yield t


MACHINE_NAMES = list(m.MACHINES)


@pytest.fixture(params=MACHINE_NAMES)
def machine(request: pytest.FixtureRequest) -> m.Machine:
    return m.MACHINES[request.param]


# -- every rule is one edge, and nothing else is drawn -------------------------------


def test_every_transition_is_in_exactly_one_edge(machine: m.Machine) -> None:
    dot = rd.dot_source(machine)
    expected = Counter(rd.edge_id(t) for t in records(machine))
    assert all(count == 1 for count in expected.values()), "edge ids must name rules uniquely"
    assert drawn_rules(dot) == expected
    # An edge's id names all its rules, in table order.
    rules = {rd.edge_id(t): t for t in records(machine)}
    for edge in drawn(edges_of(dot)):
        assert edge.id == rd.drawn_edge_id([rules[r] for r in edge.rules])


def test_parallel_rules_of_one_kind_share_one_edge(machine: m.Machine) -> None:
    rules = {rd.edge_id(t): t for t in records(machine)}
    seen = set()
    for edge in drawn(edges_of(rd.dot_source(machine))):
        ends = {("*" if rules[r].from_any else rules[r].source, rules[r].target, rules[r].kind) for r in edge.rules}
        assert len(ends) == 1, f"{edge.id} joins rules of different ends or kinds"
        assert ends.isdisjoint(seen), f"{edge.id} is drawn beside a parallel edge of its kind"
        seen |= ends
    # What the rule asks of the package's own tables: the server's five ways
    # from DONE to MUST_CLOSE are one edge.
    if machine.name == "server":
        [edge] = [e for e in drawn(edges_of(rd.dot_source(machine))) if (e.tail, e.head) == ("DONE", "MUST_CLOSE")]
        assert len(edge.rules) == 5


def test_edges_join_the_right_states(machine: m.Machine) -> None:
    by_id = by_rule(rd.dot_source(machine))
    for t in records(machine):
        edge = by_id[rd.edge_id(t)]
        assert edge.head == t.target.name
        if t.from_any:
            assert edge.tail == f"{machine.name}_any"
        else:
            assert edge.tail == t.source.name


def test_from_any_records_account_for_every_expanded_transition(machine: m.Machine) -> None:
    # The one edge from the note stands for the record's transitions from
    # every single state: check that is what the engine expanded it into.
    for record in (t for t in records(machine) if t.from_any):
        expanded = [t for t in machine.transitions if t.where == record.where]
        assert [t.source for t in expanded] == list(machine.states)
        assert {(t.trigger, t.target, t.kind) for t in expanded} == {
            (record.trigger, record.target, record.kind)
        }


def test_only_layout_helpers_are_invisible(machine: m.Machine) -> None:
    for edge in edges_of(rd.dot_source(machine)):
        if edge.attrs.get("style") == "invis":
            assert edge.id.startswith(f"{machine.name}:layout:")
            assert "label" not in edge.attrs
        else:
            assert edge.id.startswith(f"{machine.name}:")
            assert ":layout:" not in edge.id


def _hue(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue, lightness, _ = colorsys.rgb_to_hls(r, g, b)
    assert lightness < 0.45, f"{colour} is too light to read on white"
    return hue * 360


def test_the_palette_is_the_specs() -> None:
    assert 200 <= _hue(rd.COLOURS["event"]) <= 245  # dark blue
    assert 90 <= _hue(rd.COLOURS["state"]) <= 150  # green
    assert 265 <= _hue(rd.COLOURS["method"]) <= 300  # purple


def test_edge_colour_and_style_follow_the_kind(machine: m.Machine) -> None:
    by_id = by_rule(rd.dot_source(machine))
    for t in records(machine):
        edge = by_id[rd.edge_id(t)]
        assert edge.attrs["color"] == rd.COLOURS[t.kind]
        assert edge.attrs["fontcolor"] == rd.COLOURS[t.kind]
        assert (edge.attrs.get("style") == "dashed") == t.from_any


def _one_line(label: str) -> str:
    """A label with the break before the parenthesis of a long trigger label
    taken out (see ``_trigger_html``)."""
    return label.replace(rd._BR + "(", " (").replace("</I>" + rd._BR + "<I>(", " (")


def test_formal_labels_upright_informal_in_italics(machine: m.Machine) -> None:
    by_id = by_rule(rd.dot_source(machine))
    for t in records(machine):
        label = _one_line(by_id[rd.edge_id(t)].attrs["label"])
        if t.trigger is None:
            assert "<I>when " in label
            continue
        text = t.trigger.label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if t.trigger.formal:
            # Upright, alone or after an italic "or " when it is stacked.
            assert f">{text}<" in label or f"<I>or </I>{text}<" in label
            assert f"<I>{text}</I>" not in label
        else:
            assert f"<I>{text}</I>" in label or f"<I>or {text}</I>" in label


def _label_of(machine_name: str, rule: str) -> str:
    """The label of the edge that draws *rule*."""
    return by_rule(rd.dot_source(m.MACHINES[machine_name]))[rule].attrs["label"]


def _text_of(label: str) -> list[str]:
    """The lines of *label* as a reader sees them (tags taken out)."""
    cell = label.split("<TD>")[1].split("</TD>")[0]
    return [re.sub(r"<[^>]*>", "", line) for line in cell.split(rd._BR)]


def test_long_labels_are_broken_into_two_lines_and_short_ones_are_not() -> None:
    # Long labels would push the states apart and make the diagram too wide
    # to read on a page.
    br = rd._BR
    assert br not in _label_of("client", "client:IDLE:Request:SEND_BODY")
    assert br not in _label_of("server", "server:IDLE:when?client=CLOSED:MUST_CLOSE")
    assert f"<I>when switch_protocol</I>{br}<I>is no_proposal</I>" in _label_of(
        "client", "client:MIGHT_SWITCH_PROTOCOL:when?switch_protocol=no_proposal:DONE"
    )
    assert f">InformationalResponse{br}(101 Switching Protocols)<" in _label_of(
        "server", "server:SEND_RESPONSE:AcceptUpgrade?switch_protocol=both_proposed|upgrade_proposed;"
        "expect_continue=not_waiting:"
        "SWITCHED_PROTOCOL"
    )


# -- merged edges and how their labels read --------------------------------------------


def test_parallel_state_rules_stack_their_conditions() -> None:
    # The server's five ways from DONE to MUST_CLOSE: one condition a line,
    # the guards on the client joined into one list in the client's order.
    label = _label_of("server", "server:DONE:when?client=ERROR:MUST_CLOSE")
    assert _text_of(label) == [
        "when keep_alive is disabled",
        "or client is IDLE, MUST_CLOSE,",
        "CLOSED or ERROR",
    ]
    # The client's states stay upright (API objects), the words italic.
    assert "<I>or client is </I>IDLE, MUST_CLOSE," in label


def test_parallel_event_rules_stack_their_triggers_each_with_its_guard() -> None:
    label = _label_of(
        "server",
        "server:SEND_RESPONSE:AcceptConnect?switch_protocol=both_proposed|connect_proposed:SWITCHED_PROTOCOL",
    )
    assert _text_of(label) == [
        "InformationalResponse",
        "(101 Switching Protocols)",
        "if switch_protocol",
        "is upgrade_proposed or both_proposed",
        "and expect_continue",
        "is not_waiting",
        "or Response",
        "(2xx to CONNECT)",
        "if switch_protocol",
        "is connect_proposed or both_proposed",
    ]
    signals = _label_of("keep_alive", "keep_alive:enabled:framing_conflict:disabled")
    assert _text_of(signals) == [
        "Connection: close seen",
        "or HTTP/1.0 peer",
        "or Transfer-Encoding with Content-Length",
        "or close-delimited body",
    ]


def test_guards_say_where_they_hold_never_where_they_do_not(machine: m.Machine) -> None:
    for edge in drawn(edges_of(rd.dot_source(machine))):
        for line in _text_of(edge.attrs["label"]):
            assert not re.search(r"\bnot\b", line), f"{edge.id}: {line!r}"
    if machine.name == "client":
        label = _label_of(
            "client",
            "client:DONE:when?switch_protocol=both_proposed|connect_proposed|switched|upgrade_proposed:MIGHT_SWITCH_PROTOCOL",
        )
        assert _text_of(label) == [
            "when switch_protocol",
            "is upgrade_proposed, connect_proposed,",
            "both_proposed or switched",
            "priority 1",
        ]


def test_conditions_on_several_machines_or_priorities_are_not_joined(tables: Path) -> None:
    # Joining two guards into one list is only right when each names the
    # same single machine and wins with the same priority.
    _edit(
        tables,
        "client.toml",
        lambda s: s.replace(
            "# --- reuse",
            NEW_RULE.replace('{ server = ["ERROR"] }', '{ server = ["SEND_BODY"], keep_alive = ["disabled"] }')
            + NEW_RULE.replace("why =", "priority = 2\nwhy =").replace('["ERROR"]', '["SEND_RESPONSE"]')
            + "\n# --- reuse",
        ),
    )
    machines = rd.load_machines(tables)
    client = next(mc for mc in machines if mc.name == "client")
    label = by_rule(rd.dot_source(client, machines))["client:IDLE:when?server=CLOSED:MUST_CLOSE"].attrs["label"]
    assert _text_of(label) == [
        "when server is DONE, CLOSED or ERROR",
        "or server is SEND_BODY",
        "and keep_alive is disabled",
        "or server is SEND_RESPONSE",
        "priority 2",
    ]


def test_who_sent_an_event_is_said_where_it_is_not_plain(tables: Path) -> None:
    # The server's machine moves on the client's Request: said. A machine
    # without a role following an event both roles send: said. One
    # following an event only the server sends (switch_protocol on a
    # Response): not said.
    data_rule = """
[[on_event]]
from = "enabled_http_1_0"
event = "Data"
by = "client"
to = "enabled_http_1_0"
priority = 3
why = "A test rule: a roleless machine following the client's Data."
"""
    _edit(tables, "keep_alive.toml", lambda s: s.replace("[render]", data_rule + "\n[render]"))
    machines = rd.load_machines(tables)
    dots = {mc.name: rd.dot_source(mc, machines) for mc in machines}
    request = by_rule(dots["server"])["server:IDLE:Request@client:SEND_RESPONSE"]
    assert _text_of(request.attrs["label"]) == ["Request", "sent by client"]
    loop = by_rule(dots["keep_alive"])["keep_alive:enabled_http_1_0:Data@client:enabled_http_1_0"]
    assert _text_of(loop.attrs["label"]) == [
        "Data",
        "sent by client",
        "priority 3",
        "or HTTP/1.0 peer asks keep-alive",
    ]
    assert "sent by" not in dots["switch_protocol"]
    assert "``Data`` sent by client (priority 3)" in next(
        rd.table_rst(mc, machines) for mc in machines if mc.name == "keep_alive"
    )


def test_no_text_run_starts_with_a_space(machine: m.Machine) -> None:
    # A browser drops the spaces at the ends of each run of text in the SVG;
    # a run that starts with one would move left onto the word before it.
    dot = rd.dot_source(machine)
    assert not re.search(r"(</I>|</FONT>|<BR[^>]*>) ", dot)
    assert "</I><I>" not in dot  # touching runs of one style are one run
    assert rd._tidy("<I>a</I> <I>b</I> or <I>c</I></FONT> d") == "<I>a b </I>or <I>c </I></FONT>d"


def test_each_line_of_a_label_is_one_svg_text() -> None:
    runs = (
        b'<text text-anchor="start" x="1" y="-5" font-style="italic">or client is </text>\n'
        b'<text text-anchor="start" x="60" y="-5" fill="#1">CLOSED</text>\n'
        b'<text text-anchor="start" x="3" y="-9">alone</text>\n'
        b'<text text-anchor="middle" x="3" y="-9">centred</text>'
    )
    assert rd._flow_runs(runs).split(b"\n") == [
        b'<text text-anchor="start" x="1" y="-5" xml:space="preserve">'
        b'<tspan font-style="italic">or client is </tspan><tspan fill="#1">CLOSED</tspan></text>',
        b'<text text-anchor="start" x="3" y="-9">alone</text>',
        b'<text text-anchor="middle" x="3" y="-9">centred</text>',
    ]


@pytest.mark.skipif(
    not HAVE_DOT, reason="Graphviz's dot is not installed (apt-get install graphviz)"
)
def test_the_svg_lays_out_each_label_line_in_the_browser(tmp_path: Path) -> None:
    rd.write_all(tmp_path, formats=("svg",))
    for name in MACHINE_NAMES:
        svg = (tmp_path / f"{name}.svg").read_text(encoding="utf-8")
        # (Within one node's or edge's group: two edges' labels may sit at
        # the same height side by side.)
        for group in svg.split("</g>"):
            lines = [line for line in group.splitlines() if line.startswith("<text")]
            for before, after in itertools.pairwise(lines):
                y = re.compile(r' y="([^"]*)"')
                assert not (
                    'text-anchor="start"' in before
                    and 'text-anchor="start"' in after
                    and y.search(before)[1] == y.search(after)[1]  # type: ignore[index]
                ), f"{name}: two runs of one line: {before} {after}"
    server = (tmp_path / "server.svg").read_text(encoding="utf-8")
    italic = '<tspan font-family="DejaVu Sans" font-style="italic" font-size="11.00" fill="#1e7b34">'
    assert italic + "or client is </tspan>" in server


def test_a_side_state_joined_to_its_row_is_not_pinned_to_it() -> None:
    # keep_alive's enabled_http_1_0 leads to disabled: on one row, that
    # edge's label would sit on the labels coming down into the row.
    assert "rank=same" not in rd.dot_source(m.MACHINES["keep_alive"])
    assert rd.dot_source(m.MACHINES["client"]).count("rank=same") == 2


def test_the_kinds_cover_all_three_colours() -> None:
    kinds = {t.kind for machine in m.MACHINES.values() for t in machine.transitions}
    assert kinds == {"event", "state", "method"}
    signals = [
        t
        for machine in m.MACHINES.values()
        for t in machine.transitions
        if t.trigger is not None and t.trigger.kind == "signal"
    ]
    assert signals and all(t.kind == "event" and not t.trigger.formal for t in signals)  # type: ignore[union-attr]


def test_error_is_drawn_once_and_apart() -> None:
    for name in ("client", "server"):
        dot = rd.dot_source(m.MACHINES[name])
        cluster = dot[dot.index("subgraph cluster_apart") :]
        assert cluster.count("\tERROR [") == 1 and dot.count("\tERROR [") == 1
        assert f"{name}_any" in cluster and "any state" in cluster
        assert [e.head for e in drawn(edges_of(dot))].count("ERROR") == 1


def test_main_path_is_declared_in_order_in_one_group(machine: m.Machine) -> None:
    dot = rd.dot_source(machine)
    main_path = list(machine.render.get("main_path", []))
    positions = [dot.index(f"\t{name} [") for name in main_path]
    assert positions == sorted(positions)
    for name in main_path:
        line = next(line for line in dot.splitlines() if line.startswith(f"\t{name} ["))
        assert "group=main" in line


def test_shortcuts_along_the_main_path_nest_longest_outermost() -> None:
    # dot starts from the order the edges are declared in, furthest left
    # first: the longest jump down the main path must come first, so the
    # shorter ones nest inside it instead of crossing it.
    order = [e.id for e in drawn(edges_of(rd.dot_source(m.MACHINES["server"]))) if e.tail == "IDLE"]
    assert order[:4] == [
        "server:IDLE:ConnectionClosed:CLOSED",
        "server:IDLE:when?client=CLOSED:MUST_CLOSE",
        "server:IDLE:Response:SEND_BODY",
        "server:IDLE:Request@client:SEND_RESPONSE",
    ]


# -- determinism -------------------------------------------------------------------


def test_same_tables_same_dot(machine: m.Machine) -> None:
    assert rd.dot_source(machine) == rd.dot_source(machine)


def _run_tool(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOOL), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )


def test_dot_is_byte_identical_across_processes(tmp_path: Path) -> None:
    # Different hash seeds change set and frozenset iteration order: the DOT
    # must not depend on it.
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = _run_tool(str(out), "--format", "", env=env)
        assert result.returncode == 0, result.stderr
        outputs.append({p.name: p.read_bytes() for p in sorted(out.glob("*.dot"))})
    assert sorted(outputs[0]) == [f"{name}.dot" for name in sorted(MACHINE_NAMES)]
    assert outputs[0] == outputs[1]


# -- another table set ------------------------------------------------------------


@pytest.fixture
def tables(tmp_path: Path) -> Path:
    target = tmp_path / "tables"
    shutil.copytree(default_tables_dir(), target)
    return target


def _edit(directory: Path, name: str, change: Callable[[str], str]) -> None:
    path = directory / name
    before = path.read_text(encoding="utf-8")
    after = change(before)
    assert after != before, "the edit did not apply"
    path.write_text(after, encoding="utf-8")


NEW_RULE = """
[[on_state]]
from = "IDLE"
to = "MUST_CLOSE"
when = { server = ["ERROR"] }
why = "A test rule: the server broke the protocol before any request."
"""


def test_changing_a_table_changes_the_diagram(tables: Path) -> None:
    before = {
        mc.name: rd.dot_source(mc, rd.load_machines(tables)) for mc in rd.load_machines(tables)
    }
    assert before == {name: rd.dot_source(mc) for name, mc in m.MACHINES.items()}

    _edit(tables, "client.toml", lambda s: s.replace("# --- reuse", NEW_RULE + "\n# --- reuse"))
    _edit(
        tables,
        "vocabulary.toml",
        lambda s: s.replace("Connection: close seen", "close option sent"),
    )
    machines = rd.load_machines(tables)
    after = {mc.name: rd.dot_source(mc, machines) for mc in machines}

    assert after["server"] == before["server"]
    assert after["switch_protocol"] == before["switch_protocol"]
    new_id = "client:IDLE:when?server=ERROR:MUST_CLOSE"
    assert new_id not in before["client"]
    edge = by_rule(after["client"])[new_id]
    assert edge.attrs["color"] == rd.COLOURS["state"]
    # The new rule joins the edge of the rules it runs parallel to.
    assert edge.rules == [
        "client:IDLE:when?server=CLOSED:MUST_CLOSE",
        "client:IDLE:when?server=DONE|ERROR:MUST_CLOSE",
        new_id,
    ]
    assert "close option sent" in after["keep_alive"]
    assert "Connection: close seen" not in after["keep_alive"]
    client = next(mc for mc in machines if mc.name == "client")
    assert drawn_rules(after["client"]) == Counter(rd.edge_id(t) for t in records(client))


def test_cli_draws_another_table_set(tables: Path, tmp_path: Path) -> None:
    _edit(tables, "client.toml", lambda s: s.replace("# --- reuse", NEW_RULE + "\n# --- reuse"))
    out = tmp_path / "out"
    result = _run_tool(str(out), "--tables", str(tables), "--format", "")
    assert result.returncode == 0, result.stderr
    assert "client:IDLE:when?server=ERROR:MUST_CLOSE" in (out / "client.dot").read_text()
    assert "when server is ``ERROR``" in (out / "client_table.rst").read_text()


def test_render_hints_naming_unknown_states_are_refused(tables: Path) -> None:
    _edit(
        tables,
        "keep_alive.toml",
        lambda s: s.replace(
            'main_path = ["enabled", "disabled"]', 'main_path = ["enabled", "off"]'
        ),
    )
    machines = rd.load_machines(tables)
    with pytest.raises(
        ValueError, match=r"keep_alive\.toml: \[render\] names unknown state\(s\) off"
    ):
        rd.dot_source(next(mc for mc in machines if mc.name == "keep_alive"), machines)


# -- the tool reads the machines, not the TOML --------------------------------------


def test_the_tool_uses_only_the_introspection_layer() -> None:
    tree = ast.parse(RENDERER.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add("." * node.level + (node.module or ""))
    assert not {"tomllib", "tomli", "toml"} & imported
    assert {name for name in imported if name.startswith(("h11sm", "."))} <= {".machines"}
    assert ".toml" not in RENDERER.read_text(encoding="utf-8")


# -- the rules as a table --------------------------------------------------------------


def test_table_rst_has_one_row_per_record(machine: m.Machine) -> None:
    text = rd.table_rst(machine)
    rows = [line for line in text.splitlines() if line.startswith("   * - ")]
    assert len(rows) == 1 + len(list(records(machine)))  # the header row, then the rules


def test_table_rst_is_valid_restructuredtext(machine: m.Machine) -> None:
    docutils_core = pytest.importorskip("docutils.core")
    import io

    warnings = io.StringIO()
    docutils_core.publish_doctree(
        rd.table_rst(machine),
        settings_overrides={"warning_stream": warnings, "report_level": 1, "halt_level": 5},
    )
    assert warnings.getvalue() == ""


# -- files on disk -----------------------------------------------------------------------


def test_without_dot_the_tool_writes_dot_and_says_how_to_install(tmp_path: Path) -> None:
    empty = tmp_path / "no-binaries"
    empty.mkdir()
    out = tmp_path / "out"
    result = _run_tool(str(out), env={**os.environ, "PATH": str(empty)})
    assert result.returncode == 1  # the SVG and PNG asked for were not drawn
    assert sorted(p.name for p in out.glob("*.dot")) == sorted(f"{n}.dot" for n in MACHINE_NAMES)
    assert not list(out.glob("*.png")) and not list(out.glob("*.svg"))
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "apt-get install graphviz" in lines[0]


@pytest.mark.skipif(
    not HAVE_DOT, reason="Graphviz's dot is not installed (apt-get install graphviz)"
)
def test_with_dot_the_tool_renders_svg_and_png(tmp_path: Path) -> None:
    result = _run_tool(str(tmp_path))
    assert result.returncode == 0, result.stderr
    for name in MACHINE_NAMES:
        assert (tmp_path / f"{name}.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        svg = (tmp_path / f"{name}.svg").read_text(encoding="utf-8")
        classes = Counter(
            rule for found in re.findall(r'<g id="[^"]*" class="edge ([^"]*)"', svg) for rule in found.split()
        )
        assert classes == Counter(rd.edge_id(t) for t in records(m.MACHINES[name]))


@pytest.mark.skipif(
    not HAVE_DOT, reason="Graphviz's dot is not installed (apt-get install graphviz)"
)
def test_unchanged_files_are_left_alone(tmp_path: Path) -> None:
    rd.write_all(tmp_path)
    stamps = {p: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    os.utime(tmp_path / "client.dot", ns=(1, 1))
    rd.write_all(tmp_path)
    assert (tmp_path / "client.dot").stat().st_mtime_ns == 1
    assert {p: p.stat().st_mtime_ns for p in tmp_path.iterdir() if p.name != "client.dot"} == {
        p: s for p, s in stamps.items() if p.name != "client.dot"
    }


# -- layouts the package's own tables do not use ----------------------------------------


def test_a_list_of_many_states_is_spoken_and_broken_into_lines() -> None:
    br = '<BR ALIGN="CENTER"/>'
    assert rd._spoken_list(["a"]) == "a"
    assert rd._spoken_list(["a", "b"]) == "a or b"
    assert rd._spoken_list(["a", "b", "c", "d"]) == f"a, b,{br}c or d"


@pytest.mark.parametrize(
    "render",
    [
        # A side state below the last main-path state, and one that no
        # main-path state leads into (ERROR is entered from any state).
        'main_path = ["IDLE", "SEND_BODY", "DONE"]\nside = ["MIGHT_SWITCH_PROTOCOL", "ERROR"]\n',
        # No layout hints at all (and a from-any rule to place).
        "",
    ],
)
def test_other_layout_hints_still_draw_every_rule_once(tables: Path, render: str) -> None:
    _edit(
        tables,
        "client.toml",
        lambda s: s[: s.index("[render]")] + "[render]\n" + render,
    )
    machines = rd.load_machines(tables)
    client = next(mc for mc in machines if mc.name == "client")
    assert drawn_rules(rd.dot_source(client, machines)) == Counter(rd.edge_id(t) for t in records(client))
