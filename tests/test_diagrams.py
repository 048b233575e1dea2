"""The diagram tool draws exactly the rules in the tables, in the spec's colours.

Every edge in the DOT carries an id naming the rule it draws, so these tests
can hold the picture to the tables: each transition appears as exactly one
edge (a ``from = "*"`` record, which the engine expands into one transition
per state, as one edge from the "any state" note), with the colour and style
of its kind, and no other edge is drawn except invisible layout helpers.
"""

from __future__ import annotations

import ast
import colorsys
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


def test_every_transition_is_exactly_one_edge(machine: m.Machine) -> None:
    edges = drawn(edges_of(rd.dot_source(machine)))
    expected = Counter(rd.edge_id(t) for t in records(machine))
    assert all(count == 1 for count in expected.values()), "edge ids must name rules uniquely"
    assert Counter(e.id for e in edges) == expected


def test_edges_join_the_right_states(machine: m.Machine) -> None:
    by_id = {e.id: e for e in drawn(edges_of(rd.dot_source(machine)))}
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
    by_id = {e.id: e for e in drawn(edges_of(rd.dot_source(machine)))}
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
    by_id = {e.id: e for e in drawn(edges_of(rd.dot_source(machine)))}
    for t in records(machine):
        label = _one_line(by_id[rd.edge_id(t)].attrs["label"])
        if t.trigger is None:
            assert "<I>when </I>" in label
            continue
        text = t.trigger.label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if t.trigger.formal:
            assert f">{text}<" in label and f"<I>{text}</I>" not in label
        else:
            assert f"<I>{text}</I>" in label


def _label_of(machine_name: str, edge: str) -> str:
    by_id = {e.id: e for e in drawn(edges_of(rd.dot_source(m.MACHINES[machine_name])))}
    return by_id[edge].attrs["label"]


def test_long_labels_are_broken_into_two_lines_and_short_ones_are_not() -> None:
    # Long labels would push the states apart and make the diagram too wide
    # to read on a page.
    br = rd._BR
    assert br not in _label_of("client", "client:IDLE:Request:SEND_BODY")
    assert br not in _label_of("client", "client:DONE:when?server=ERROR:MUST_CLOSE")
    assert f"<I>keep_alive</I>{br}<I>is </I><I>disabled</I>" in _label_of(
        "client", "client:DONE:when?keep_alive=disabled:MUST_CLOSE"
    )
    assert f">InformationalResponse{br}(101 Switching Protocols)<" in _label_of(
        "server", "server:SEND_RESPONSE:AcceptUpgrade?switch_protocol=both_proposed|upgrade_proposed;"
        "expect_continue=not_waiting:"
        "SWITCHED_PROTOCOL"
    )


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
    # Under ordering=out the edges declared first are drawn furthest left:
    # the longest jump down the main path must come first, so the shorter
    # ones nest inside it instead of crossing it.
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
    edge = next(e for e in drawn(edges_of(after["client"])) if e.id == new_id)
    assert edge.attrs["color"] == rd.COLOURS["state"]
    assert "<I>close option sent</I>" in after["keep_alive"]
    assert "Connection: close seen" not in after["keep_alive"]
    client = next(mc for mc in machines if mc.name == "client")
    assert Counter(e.id for e in drawn(edges_of(after["client"]))) == Counter(
        rd.edge_id(t) for t in records(client)
    )


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
        for t in records(m.MACHINES[name]):
            assert f'id="{rd.edge_id(t)}"'.replace(">", "&gt;") in svg


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
    edges = drawn(edges_of(rd.dot_source(client, machines)))
    assert Counter(e.id for e in edges) == Counter(rd.edge_id(t) for t in records(client))
