"""Drawing the connection machines as state diagrams, straight from the tables.

The only source of truth is :mod:`h11sm.machines` (or, for a table set kept
elsewhere, the same ``Machine`` objects loaded by the engine from another
directory): nothing here reads TOML. For every machine it writes

* ``NAME.dot``: the Graphviz source, byte-for-byte the same for the same tables;
* ``NAME.svg`` and ``NAME.png``: the rendered diagram (needs Graphviz's ``dot``);
* ``NAME_table.rst``: the machine's rules as a reStructuredText table, so the
  documentation can show the diagram beside the rules it was drawn from.

It ships in the package, so ``h11sm diagrams OUTDIR`` draws the tables of the
installed package; the documentation build and ``tools/render_diagrams.py``
call the same functions. The Python ``graphviz`` package is an optional
extra (``pip install h11sm[diagrams]``), imported only when a diagram is
drawn: :class:`DiagramsUnavailable` says how to install what is missing.

The visual language:

* dark blue edges are event-triggered (a role sends an event, or the
  connection reads a signal off a message head);
* green edges are state-triggered (another machine reached some state);
* purple edges are method-triggered (``prepare_to_reuse()``);
* upright text names a real API object, italic text is an informal description;
* a rule written ``from = "*"`` is drawn once, as a dashed edge from an
  "any state" note, set apart from the rest of the diagram.

Every edge carries an ``id`` naming the rule it draws (see :func:`edge_id`),
which is how the tests check that the diagram shows each rule exactly once.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .machines import MACHINES, Machine, Transition
from .machines import load_machines as load_table_set

__all__ = [
    "COLOURS",
    "FORMATS",
    "DiagramsUnavailable",
    "RenderResult",
    "dot_source",
    "edge_id",
    "load_machines",
    "render_machine",
    "table_rst",
    "write_all",
    "write_machine",
]

#: Edge colour per transition kind (Transition.kind).
COLOURS = {
    "event": "#1a3a8c",  # dark blue
    "state": "#1e7b34",  # green
    "method": "#7a2a9c",  # purple
}
#: The colour of everything that is not a transition of its own.
MUTED = "#6b6b6b"
FONT = "DejaVu Sans"
INSTALL_HINT = "install Graphviz to render SVG/PNG (Debian/Ubuntu: apt-get install graphviz)"
PACKAGE_HINT = "pip install 'h11sm[diagrams]' (the Python graphviz package)"
#: The image formats ``dot`` renders for us; ``dot`` itself means the DOT text only.
FORMATS = ("svg", "png")


class DiagramsUnavailable(RuntimeError):
    """The optional Python ``graphviz`` package is not installed."""


def _graphviz() -> Any:
    """The ``graphviz`` package, imported on first use: h11sm has no runtime
    dependencies, and only drawing needs it."""
    try:
        import graphviz  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        raise DiagramsUnavailable(f"drawing the diagrams needs the graphviz package: {PACKAGE_HINT}") from None
    return graphviz

_NOTE_NAME = "any state"


# -- names --------------------------------------------------------------------


def _guard_key(guard: Any) -> str:
    return ";".join(
        f"{name}={'|'.join(sorted(state.name for state in states))}"
        for name, states in guard.items()
    )


def edge_id(transition: Transition) -> str:
    """The id of the edge that draws *transition*.

    ``MACHINE:FROM:TRIGGER:TO``, where FROM is ``*`` for a rule that applies
    to every state, and TRIGGER is the event, signal or method name (an event
    sent by the other role gets ``@role``; a guard is appended after ``?``),
    or ``when?GUARD`` for a state-triggered rule. Example:
    ``client:IDLE:Request:SEND_BODY``.
    """
    source = "*" if transition.from_any else transition.source.name
    trigger = transition.trigger
    if trigger is None:
        cause = "when"
    else:
        cause = trigger.name
        if trigger.role is not None and trigger.role.name.lower() != transition.machine:
            cause += "@" + trigger.role.name.lower()
    if transition.guard:
        cause += "?" + _guard_key(transition.guard)
    return f"{transition.machine}:{source}:{cause}:{transition.target.name}"


def load_machines(tables: Path | None = None) -> tuple[Machine, ...]:
    """The machines of *tables* (a directory of table files), loaded and
    validated by the engine, or the package's own machines when None."""
    if tables is None:
        return tuple(MACHINES.values())
    return tuple(load_table_set(tables).values())


# -- labels -------------------------------------------------------------------


class _Words:
    """How to print names, decided once per table set.

    The client's and server's states are public sentinels (``h11sm.DONE``),
    so they print upright; the small machines' states are internal words and
    print in italics. States inside a guard print in the order their machine
    declares them.
    """

    def __init__(self, machines: Iterable[Machine]) -> None:
        self.formal_machines = {m.name for m in machines if m.role is not None}
        self.order = {
            (m.name, state.name): index for m in machines for index, state in enumerate(m.states)
        }

        self.states = {m.name: [state.name for state in m.states] for m in machines}

    def guard_states(self, machine_name: str, states: Iterable[Any]) -> list[str]:
        names = [s.name for s in states]
        return sorted(names, key=lambda n: (self.order.get((machine_name, n), len(self.order)), n))

    def complement(self, machine_name: str, states: Iterable[Any]) -> str | None:
        """The one state a guard leaves out, when naming it is shorter than
        listing the states the guard allows (``is not no_proposal``)."""
        allowed = {s.name for s in states}
        others = [n for n in self.states.get(machine_name, []) if n not in allowed]
        return others[0] if len(others) == 1 and len(allowed) >= 3 else None


def _html(text: str, *, italic: bool) -> str:
    escaped = html.escape(text, quote=False)
    return f"<I>{escaped}</I>" if italic else escaped


def _small(inner: str, colour: str) -> str:
    return f'<FONT POINT-SIZE="9" COLOR="{colour}">{inner}</FONT>'


def _spoken_list(words: list[str], per_line: int = 2) -> str:
    """``a``, ``a or b``, ``a, b<BR/>c or d``: a readable list of alternatives,
    broken into lines so that long guards do not make wide labels."""
    if len(words) == 1:
        return words[0]
    pieces = []
    for index, word in enumerate(words):
        if index == len(words) - 1:
            pieces.append(" or " + word)
        elif index == 0:
            pieces.append(word)
        else:
            pieces.append(("," + _BR if index % per_line == 0 else ", ") + word)
    return "".join(pieces)


_BR = '<BR ALIGN="CENTER"/>'


#: Labels longer than this (in characters) are broken into two lines, so that
#: a long label does not push the states apart and widen the whole diagram.
WRAP_AT = 24


def _guard_html(guard: Any, words: _Words, *, prefix: str) -> str:
    parts = []
    for name, states in guard.items():
        formal = name in words.formal_machines
        machine_name = name
        left_out = words.complement(name, states)
        if left_out is not None:
            names = [left_out]
            rest = _html("is not ", italic=True) + _html(left_out, italic=not formal)
        else:
            names = words.guard_states(name, states)
            rest = _html("is ", italic=True) + _spoken_list([_html(s, italic=not formal) for s in names])
        # "when keep_alive is disabled" reads as well on two lines, broken
        # after the machine's name, and takes half the width.
        one_line = len(prefix) + len(machine_name) + len(" is not ") + len(", ".join(names))
        gap = _BR if one_line > WRAP_AT else " "
        parts.append(_html(machine_name, italic=True) + gap + rest)
    return _html(prefix, italic=True) + (_BR + _html("and ", italic=True)).join(parts)


def _trigger_html(label: str, *, italic: bool) -> str:
    """A trigger's label; a long one with a parenthesis, such as
    "Response (2xx to CONNECT)", is broken before the parenthesis."""
    head, paren, tail = label.partition(" (")
    if len(label) <= WRAP_AT or not paren:
        return _html(label, italic=italic)
    return _html(head, italic=italic) + _BR + _html("(" + tail, italic=italic)


def _sent_by_the_other_role(trigger: Any, machine: Machine) -> bool:
    # The server's machine moves when the client sends a Request: say so. A
    # machine without a role of its own (keep_alive, switch_protocol) follows
    # events that only one role can send, so naming it would add only noise.
    return (
        machine.role is not None and trigger.role is not None and trigger.role is not machine.role
    )


def _edge_label(transition: Transition, machine: Machine, colour: str, words: _Words) -> str:
    lines = []
    trigger = transition.trigger
    if trigger is None:
        lines.append(_guard_html(transition.guard, words, prefix="when "))
    else:
        lines.append(_trigger_html(trigger.label, italic=not trigger.formal))
        if _sent_by_the_other_role(trigger, machine):
            assert trigger.role is not None
            lines.append(_small(_html(f"sent by {trigger.role.name.lower()}", italic=True), colour))
        if transition.guard:
            lines.append(_small(_guard_html(transition.guard, words, prefix="if "), colour))
    if transition.priority:
        lines.append(_small(_html(f"priority {transition.priority}", italic=True), colour))
    # A little space either side keeps the label off its own edge and off
    # its neighbours' labels (a self-loop's label sits right by its loop).
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR>'
        f'<TD WIDTH="6"></TD><TD>{_BR.join(lines)}</TD><TD WIDTH="10"></TD>'
        "</TR></TABLE>>"
    )


# -- the graph ----------------------------------------------------------------


_KIND_LEGEND = {
    "event": "event-triggered",
    "state": "state-triggered",
    "method": "method call",
}


def _title(machine: Machine) -> str:
    """The machine's name, and a one-line key to the colours it uses."""
    kinds = [k for k in _KIND_LEGEND if any(t.kind == k for t in machine.transitions)]
    key = " · ".join(f'<FONT COLOR="{COLOURS[k]}">{_KIND_LEGEND[k]}</FONT>' for k in kinds)
    key += " · upright: API object · " + _html("italic: informal", italic=True)
    name = html.escape(machine.name)
    return f'<<B>{name}</B>{_BR}<FONT POINT-SIZE="10" COLOR="{MUTED}">{key}</FONT>>'


def _render_hints(machine: Machine) -> tuple[list[str], list[str]]:
    names = {state.name for state in machine.states}
    main_path = [str(s) for s in machine.render.get("main_path", [])]
    side = [str(s) for s in machine.render.get("side", [])]
    unknown = [s for s in [*main_path, *side] if s not in names]
    if unknown:
        raise ValueError(
            f"{machine.file}: [render] names unknown state(s) {', '.join(unknown)} "
            f"of machine {machine.name!r}"
        )
    return main_path, side


def _from_any_records(machine: Machine) -> list[Transition]:
    """One transition per ``from = "*"`` record (the engine expands each into
    one transition per state; the diagram and the table show the record)."""
    seen: set[str] = set()
    records = []
    for transition in machine.transitions:
        if transition.from_any and transition.where not in seen:
            seen.add(transition.where)
            records.append(transition)
    return records


def _layout_edge(graph: Any, machine: Machine, tail: str, head: str) -> None:
    """An invisible edge that only steers the layout (never a transition;
    its id says so)."""
    graph.edge(tail, head, style="invis", id=f"{machine.name}:layout:{tail}:{head}")


def _side_alignment(
    machine: Machine, main_path: list[str], side: list[str]
) -> list[tuple[str, str]]:
    """Pairs (main-path state, side state) to draw on one row: a side state
    goes one row below the first state that leads into it."""
    row = {name: index for index, name in enumerate(main_path)}
    pairs = []
    for name in side:
        sources = [
            row[t.source.name]
            for t in machine.transitions
            if t.target.name == name and not t.from_any and t.source.name in row
        ]
        if not sources:
            continue
        row[name] = min(sources) + 1
        if row[name] < len(main_path):
            pairs.append((main_path[row[name]], name))
    return pairs


def _drawing_order(machine: Machine, main_path: list[str]) -> list[Transition]:
    """The transitions drawn as ordinary edges, in the order that gives the
    clearest layout under ``ordering=out``: shortcuts that skip ahead along
    the main path first, longest first (they go round its left side, nested),
    then the main path
    itself, then branches to other states, then the ways back. Table order
    breaks ties, so the result is as deterministic as the tables."""
    position = {name: index for index, name in enumerate(main_path)}

    def band(t: Transition) -> int:
        source, target = position.get(t.source.name), position.get(t.target.name)
        if source is None or target is None:
            return 2
        if target > source + 1:
            return 0
        if target < source:
            return 3
        return 1

    def span(t: Transition) -> int:
        # Among the shortcuts, the longest goes first, so that it is drawn
        # outermost and the shorter ones nest inside it without crossing.
        if band(t) != 0:
            return 0
        return position[t.source.name] - position[t.target.name]

    ordinary = [t for t in machine.transitions if not t.from_any]
    return sorted(ordinary, key=lambda t: (band(t), span(t)))


def render_machine(machine: Machine, machines: Iterable[Machine] | None = None) -> Any:
    """Draw *machine* as a :class:`graphviz.Digraph`.

    *machines* is the whole table set *machine* belongs to (default: the
    package's machines); it decides how guards naming other machines print.
    """
    words = _Words(MACHINES.values() if machines is None else machines)
    main_path, side = _render_hints(machine)
    graph = _graphviz().Digraph(
        name=machine.name,
        comment=f"{machine.name}: drawn from {machine.file} by h11sm diagrams",
        graph_attr={
            "rankdir": "TB",
            "newrank": "true",
            "nodesep": "0.45",
            "ranksep": "0.5",
            "fontname": FONT,
            "fontsize": "14",
            "labelloc": "t",
            "label": _title(machine),
            "pad": "0.3",
            "bgcolor": "white",
        },
        node_attr={
            "shape": "box",
            "style": "rounded,filled",
            "fillcolor": "#f4f6fb",
            "color": "#3c3c3c",
            "fontname": FONT,
            "fontsize": "12",
            "margin": "0.18,0.07",
        },
        edge_attr={"fontname": FONT, "fontsize": "11", "arrowsize": "0.8", "penwidth": "1.4"},
    )

    if side:
        # A table that names side states asks for one main column with
        # branches to its right. Keeping each state's edges in the order we
        # declare them (see _drawing_order) puts the shortcuts down the left
        # of the column, clear of the branches. Without side states, dot's own
        # crossing minimisation does better (the switch_protocol diamond).
        graph.attr(ordering="out")

    italic_states = machine.name not in words.formal_machines
    from_any = _from_any_records(machine)
    # A target of a from-any rule that nothing else enters (ERROR) is drawn
    # apart, so that its edges do not cross the whole diagram.
    apart = {t.target for t in from_any} - {t.target for t in machine.transitions if not t.from_any}
    main_set, side_set = set(main_path), set(side)

    def state_node(state: Any, where: Any) -> None:
        attrs = {"id": f"{machine.name}:state:{state.name}"}
        if state is machine.initial:
            attrs.update(penwidth="2.2", fillcolor="#e3e9f7")
        if state in apart:
            attrs.update(fillcolor="#fbeaea", color="#9c2f2f")
        if state.name in main_set:
            attrs["group"] = "main"
        elif state.name in side_set:
            attrs["group"] = "side"
        label = _html(state.name, italic=italic_states)
        where.node(state.name, label=f"<{label}>", **attrs)

    # The main path first, in order, so the layout walks it in one column.
    def placement(state: Any) -> tuple[int, int]:
        if state.name in main_set:
            return (0, main_path.index(state.name))
        if state.name in side_set:
            return (1, side.index(state.name))
        return (2, 0)

    for state in sorted((s for s in machine.states if s not in apart), key=placement):
        state_node(state, graph)

    # Each side state sits to the right of the main-path state one rank below
    # the state it branches from.
    for main_state, side_state in _side_alignment(machine, main_path, side):
        with graph.subgraph() as row:
            row.attr(rank="same")
            row.node(main_state)
            row.node(side_state)
        _layout_edge(graph, machine, main_state, side_state)

    consecutive = set(itertools.pairwise(main_path))
    for transition in _drawing_order(machine, main_path):
        colour = COLOURS[transition.kind]
        source, target = transition.source.name, transition.target.name
        attrs = {
            "id": edge_id(transition),
            "color": colour,
            "fontcolor": colour,
            "label": _edge_label(transition, machine, colour, words),
        }
        if (source, target) in consecutive:
            attrs["weight"] = "8"
        elif source in main_set and target in main_set and source != target:
            # Shortcuts and ways back along the main path must not pull it
            # out of line.
            attrs["weight"] = "0"
        if source == target:
            attrs["headport"] = attrs["tailport"] = "e"
        graph.edge(source, target, **attrs)

    if from_any:
        with graph.subgraph(name="cluster_apart") as sub:
            sub.attr(label="", style="dashed,rounded", color="#b9b9b9", margin="12")
            note = (
                _html(_NOTE_NAME, italic=True)
                + _BR
                + _small(_html("(every state of the machine)", italic=True), MUTED)
            )
            sub.node(
                f"{machine.name}_any",
                label=f"<{note}>",
                shape="note",
                style="filled",
                fillcolor="#fffbe6",
                color=MUTED,
                id=f"{machine.name}:note:any-state",
            )
            for state in machine.states:
                if state in apart:
                    state_node(state, sub)
            for transition in from_any:
                colour = COLOURS[transition.kind]
                sub.edge(
                    f"{machine.name}_any",
                    transition.target.name,
                    id=edge_id(transition),
                    color=colour,
                    fontcolor=colour,
                    style="dashed",
                    label=_edge_label(transition, machine, colour, words),
                )
        if main_path:
            # Keeps the group below the main path.
            _layout_edge(graph, machine, main_path[-1], f"{machine.name}_any")
    return graph


def dot_source(machine: Machine, machines: Iterable[Machine] | None = None) -> str:
    """The DOT text for *machine* (deterministic: the same tables give the
    same bytes)."""
    return str(render_machine(machine, machines).source)


# -- the rules as a table -------------------------------------------------------


def _rst_inline(text: str) -> str:
    text = text.replace("\\", "\\\\").replace("*", "\\*").replace("|", "\\|")
    # Table authors write `code` as in Markdown; reST wants double backquotes.
    return re.sub(r"`([^`]+)`", r"``\1``", text)


def _rst_word(text: str, *, formal: bool) -> str:
    return f"``{text}``" if formal else f"*{_rst_inline(text)}*"


def _rst_guard(guard: Any, words: _Words) -> str:
    parts = []
    for name, states in guard.items():
        formal = name in words.formal_machines
        names = [_rst_word(s, formal=formal) for s in words.guard_states(name, states)]
        spoken = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        parts.append(f"{name} is {spoken}")
    return " and ".join(parts)


def table_rst(machine: Machine, machines: Iterable[Machine] | None = None) -> str:
    """The rules of *machine* as a reStructuredText ``list-table``: one row
    per rule (a ``from = "*"`` rule is one row), in table order."""
    words = _Words(MACHINES.values() if machines is None else machines)
    formal_states = machine.name in words.formal_machines
    rows = []
    from_any = {id(t) for t in _from_any_records(machine)}
    for t in machine.transitions:
        if t.from_any:
            if id(t) not in from_any:
                continue
            source = "*any state*"
        else:
            source = _rst_word(t.source.name, formal=formal_states)
        trigger = t.trigger
        if trigger is None:
            on = "when " + _rst_guard(t.guard, words)
            kind = "state"
        else:
            on = _rst_word(trigger.label, formal=trigger.formal)
            if _sent_by_the_other_role(trigger, machine):
                assert trigger.role is not None
                on += f" sent by {trigger.role.name.lower()}"
            if t.guard:
                on += ", if " + _rst_guard(t.guard, words)
            kind = trigger.kind
        if t.priority:
            on += f" (priority {t.priority})"
        target = _rst_word(t.target.name, formal=formal_states)
        rows.append((source, kind, on, target, _rst_inline(t.why)))
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 16 8 30 16 30",
        f"   :class: machine-table machine-table-{machine.name.replace('_', '-')}",
        "",
        "   * - From",
        "     - Kind",
        "     - On",
        "     - To",
        "     - Why",
    ]
    for row in rows:
        lines.append(f"   * - {row[0]}")
        lines.extend(f"     - {cell}" for cell in row[1:])
    return "\n".join(lines) + "\n"


# -- files --------------------------------------------------------------------


@dataclass
class RenderResult:
    """What :func:`write_all` wrote, and whether Graphviz could render."""

    written: list[Path] = field(default_factory=list)
    dot_missing: bool = False


def _write_if_changed(path: Path, data: bytes) -> bool:
    # Leaving unchanged files alone keeps their timestamps, so Sphinx does not
    # rebuild pages whose diagrams did not change.
    if path.exists() and path.read_bytes() == data:
        return False
    path.write_bytes(data)
    return True


def write_machine(
    machine: Machine,
    outdir: Path,
    *,
    machines: Iterable[Machine] | None = None,
    formats: Sequence[str] = ("svg", "png"),
    result: RenderResult | None = None,
) -> RenderResult:
    """Write the DOT, the table and (if ``dot`` is installed) the rendered
    *formats* of *machine* into *outdir*."""
    result = result if result is not None else RenderResult()
    outdir.mkdir(parents=True, exist_ok=True)
    graph = render_machine(machine, machines)
    source = str(graph.source)
    files = {
        outdir / f"{machine.name}.dot": source.encode("utf-8"),
        outdir / f"{machine.name}_table.rst": table_rst(machine, machines).encode("utf-8"),
    }
    if not result.dot_missing:
        for fmt in formats:
            try:
                files[outdir / f"{machine.name}.{fmt}"] = graph.pipe(format=fmt)
            except _graphviz().ExecutableNotFound:
                result.dot_missing = True
                break
    for path, data in files.items():
        _write_if_changed(path, data)
        result.written.append(path)
    return result


def write_all(
    outdir: Path, *, tables: Path | None = None, formats: Sequence[str] = ("svg", "png")
) -> RenderResult:
    """Write every machine of *tables* (default: the package's) into *outdir*."""
    machines = load_machines(tables)
    result = RenderResult()
    for machine in machines:
        write_machine(machine, outdir, machines=machines, formats=formats, result=result)
    return result
