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
  "any state" note, set apart from the rest of the diagram;
* rules of the same kind between the same two states are drawn as one edge
  whose label stacks their conditions ("when A / or B"), so that a reader
  sees one arrow per way from one state to another, not a bundle of them;
* guards are phrased positively, listing the states in which they hold.

Every edge carries an ``id`` naming the rules it draws and a ``class`` listing
each rule's :func:`edge_id`, which is how the tests check that the diagram
shows each rule exactly once.
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
    "drawn_edge_id",
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


def _cause(transition: Transition) -> str:
    trigger = transition.trigger
    if trigger is None:
        cause = "when"
    else:
        cause = trigger.name
        if trigger.role is not None and trigger.role.name.lower() != transition.machine:
            cause += "@" + trigger.role.name.lower()
    if transition.guard:
        cause += "?" + _guard_key(transition.guard)
    return cause


def edge_id(transition: Transition) -> str:
    """The id of the rule *transition* (one rule of a drawn edge).

    ``MACHINE:FROM:TRIGGER:TO``, where FROM is ``*`` for a rule that applies
    to every state, and TRIGGER is the event, signal or method name (an event
    sent by the other role gets ``@role``; a guard is appended after ``?``),
    or ``when?GUARD`` for a state-triggered rule. Example:
    ``client:IDLE:Request:SEND_BODY``.
    """
    source = "*" if transition.from_any else transition.source.name
    return f"{transition.machine}:{source}:{_cause(transition)}:{transition.target.name}"


def drawn_edge_id(rules: Sequence[Transition]) -> str:
    """The id of the edge that draws *rules*: rules of one kind between the
    same two states, in table order. It is :func:`edge_id` with the rules'
    triggers joined by ``+`` (so one rule's edge has that rule's id), for
    example ``server:SEND_RESPONSE:AcceptUpgrade?...+AcceptConnect?...:SWITCHED_PROTOCOL``.
    """
    first = rules[0]
    source = "*" if first.from_any else first.source.name
    causes = "+".join(_cause(t) for t in rules)
    return f"{first.machine}:{source}:{causes}:{first.target.name}"


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
        machines = list(machines)
        self.formal_machines = {m.name for m in machines if m.role is not None}
        # The roles each event is seen sent by, anywhere in the table set.
        self.senders: dict[str, set[Any]] = {}
        for m in machines:
            for t in m.transitions:
                if t.trigger is not None and t.trigger.role is not None:
                    self.senders.setdefault(t.trigger.name, set()).add(t.trigger.role)
        self.order = {
            (m.name, state.name): index for m in machines for index, state in enumerate(m.states)
        }

    def guard_states(self, machine_name: str, states: Iterable[Any]) -> list[str]:
        names = [s.name for s in states]
        return sorted(names, key=lambda n: (self.order.get((machine_name, n), len(self.order)), n))


def _html(text: str, *, italic: bool) -> str:
    return _styled(html.escape(text, quote=False), italic=italic)


def _styled(inner: str, *, italic: bool) -> str:
    return f"<I>{inner}</I>" if italic else inner


_RUN_END = re.compile(r"((?:</I>|</FONT>)+)([ ]+)")


def _tidy(label: str) -> str:
    """*label* with the same words, cut into as few text runs as it can be.

    In SVG, ``dot`` writes each run of one font (every ``<I>`` or ``<FONT>``
    switch) as a ``<text>`` element of its own, placed at the position dot
    measured; a browser then drops the spaces at either end of a ``<text>``,
    so a run such as " or both" moves one space to the left and collides
    with the word before it. Spaces are therefore moved to the end of the
    run before them (where dropping one moves nothing), and runs of the same
    style that now touch are joined into one.
    """
    previous = None
    while previous != label:
        previous = label
        label = _RUN_END.sub(lambda m: m.group(2) + m.group(1), label)
        label = label.replace("</I><I>", "")
    return label


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


def _guard_html(guard: Any, words: _Words, *, prefix: str, wrap: bool = True) -> str:
    # Always the states in which the guard holds, never the ones it leaves
    # out: "is not no_proposal" makes the reader negate a negative.
    parts = []
    for name, states in guard.items():
        formal = name in words.formal_machines
        names = words.guard_states(name, states)
        # The connectives take the style of the states they join, so that
        # a list is one run of text (see _tidy).
        listed = _spoken_list([html.escape(s, quote=False) for s in names])
        rest = _html("is ", italic=True) + _styled(listed, italic=not formal)
        # "when keep_alive is disabled" reads as well on two lines, broken
        # after the machine's name, and takes half the width.
        one_line = len(prefix) + len(name) + len(" is ") + len(", ".join(names))
        gap = _BR if wrap and one_line > WRAP_AT else " "
        parts.append(_html(name, italic=True) + gap + rest)
    return _html(prefix, italic=True) + (_BR + _html("and ", italic=True)).join(parts)


def _trigger_html(label: str, *, italic: bool) -> str:
    """A trigger's label; a long one with a parenthesis, such as
    "Response (2xx to CONNECT)", is broken before the parenthesis."""
    head, paren, tail = label.partition(" (")
    if len(label) <= WRAP_AT or not paren:
        return _html(label, italic=italic)
    return _html(head, italic=italic) + _BR + _html("(" + tail, italic=italic)


def _sent_by_whom(trigger: Any, machine: Machine, words: _Words) -> bool:
    """Whether the label must say who sent the event: when the machine has a
    role and the event is the other role's (the server's machine moves when
    the client sends a Request), or when the machine has no role and both
    roles send such events (expect_continue moves on the client's Data). A
    roleless machine following events only one role can send (keep_alive,
    switch_protocol on a Response) would gain only noise."""
    if trigger.role is None:
        return False
    if machine.role is None:
        return len(words.senders.get(trigger.name, ())) > 1
    return trigger.role is not machine.role


def _state_conditions(rules: Sequence[Transition]) -> list[tuple[dict[str, frozenset[Any]], int]]:
    """The guards of state-triggered *rules* between the same two states, as
    the conditions one edge lists: guards on the same single machine (and
    with the same priority) become one, allowing the union of their states,
    which says exactly the same ("client is IDLE or CLOSED" for two rules).
    Guards on several machines stay as they are. Table order is kept."""
    conditions: dict[tuple[Any, ...], tuple[dict[str, frozenset[Any]], int]] = {}
    for index, rule in enumerate(rules):
        if len(rule.guard) == 1:
            ((name, states),) = rule.guard.items()
            key: tuple[Any, ...] = (name, rule.priority)
            guard, _ = conditions.setdefault(key, ({name: frozenset()}, rule.priority))
            guard[name] = guard[name] | states
        else:
            conditions[(index,)] = (dict(rule.guard), rule.priority)
    return list(conditions.values())


def _priority_html(priority: int, colour: str) -> str:
    return _small(_html(f"priority {priority}", italic=True), colour)


def _edge_label(
    rules: Sequence[Transition], machine: Machine, colour: str, words: _Words
) -> str:
    """The label of one edge: each rule's trigger or condition, stacked, the
    second and later ones after an "or"."""
    lines = []
    if rules[0].trigger is None:
        conditions = _state_conditions(rules)
        # Stacked conditions read best one to a line, each starting with its
        # "when" or "or"; a lone one may break after the machine's name.
        alone = len(conditions) == 1
        for index, (guard, priority) in enumerate(conditions):
            prefix = "or " if index else "when "
            lines.append(_guard_html(guard, words, prefix=prefix, wrap=alone))
            if priority:
                lines.append(_priority_html(priority, colour))
    triggered = [(rule, rule.trigger) for rule in rules if rule.trigger is not None]
    for index, (rule, trigger) in enumerate(triggered):
        label = _trigger_html(trigger.label, italic=not trigger.formal)
        lines.append(_html("or ", italic=True) + label if index else label)
        if _sent_by_whom(trigger, machine, words):
            assert trigger.role is not None
            lines.append(_small(_html(f"sent by {trigger.role.name.lower()}", italic=True), colour))
        if rule.guard:
            lines.append(_small(_guard_html(rule.guard, words, prefix="if "), colour))
        if rule.priority:
            lines.append(_priority_html(rule.priority, colour))
    # A little space either side keeps the label off its own edge and off
    # its neighbours' labels (a self-loop's label sits right by its loop).
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR>'
        f'<TD WIDTH="6"></TD><TD>{_tidy(_BR.join(lines))}</TD><TD WIDTH="10"></TD>'
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
    return f'<<B>{name}</B>{_BR}<FONT POINT-SIZE="10" COLOR="{MUTED}">{_tidy(key)}</FONT>>'


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


@dataclass(frozen=True)
class _Edge:
    """One arrow of the diagram: the rules of one kind that lead from one
    state (or, for ``from = "*"`` records, from the "any state" note) to
    another, in table order."""

    rules: tuple[Transition, ...]

    @property
    def source(self) -> str:
        return self.rules[0].source.name

    @property
    def target(self) -> str:
        return self.rules[0].target.name

    @property
    def kind(self) -> str:
        return self.rules[0].kind


def _edges(machine: Machine) -> tuple[list[_Edge], list[_Edge]]:
    """The ordinary edges and the edges from the "any state" note, each a
    group of parallel rules of the same kind, in the order of their first
    rule in the table."""
    groups: dict[tuple[bool, str, str, str], list[Transition]] = {}
    from_any = {id(t) for t in _from_any_records(machine)}
    for t in machine.transitions:
        if t.from_any and id(t) not in from_any:
            continue  # the record is drawn once, by its first expansion
        source = "*" if t.from_any else t.source.name
        groups.setdefault((t.from_any, source, t.target.name, t.kind), []).append(t)
    edges = [(key[0], _Edge(tuple(rules))) for key, rules in groups.items()]
    return [e for any_, e in edges if not any_], [e for any_, e in edges if any_]


def _layout_edge(graph: Any, machine: Machine, tail: str, head: str) -> None:
    """An invisible edge that only steers the layout (never a transition;
    its id says so)."""
    graph.edge(tail, head, style="invis", id=f"{machine.name}:layout:{tail}:{head}")


def _side_alignment(
    machine: Machine, main_path: list[str], side: list[str]
) -> list[tuple[str, str]]:
    """Pairs (main-path state, side state) to draw on one row: a side state
    goes one row below the first state that leads into it, unless a rule
    joins it to the main-path state of that row: dot puts the label of an
    edge within one row above the edge, where it collides with the labels
    of the edges coming down into that row (keep_alive's
    ``enabled_http_1_0 -> disabled``)."""
    row = {name: index for index, name in enumerate(main_path)}
    joined = {
        frozenset((t.source.name, t.target.name)) for t in machine.transitions if not t.from_any
    }
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
        if row[name] < len(main_path) and frozenset((main_path[row[name]], name)) not in joined:
            pairs.append((main_path[row[name]], name))
    return pairs


def _drawing_order(edges: list[_Edge], main_path: list[str]) -> list[_Edge]:
    """The ordinary edges in the order dot should start its layout from (it
    tries the edges declared first furthest left): shortcuts that skip ahead
    along the main path first, longest first (they go round its left side,
    nested), then the main path itself, then branches to other states, then
    the ways back. Table order breaks ties, so the result is as
    deterministic as the tables. (No ``ordering=out``: forcing this order
    made dot cross edges over labels once parallel rules became one edge.)"""
    position = {name: index for index, name in enumerate(main_path)}

    def band(e: _Edge) -> int:
        source, target = position.get(e.source), position.get(e.target)
        if source is None or target is None:
            return 2
        if target > source + 1:
            return 0
        if target < source:
            return 3
        return 1

    def span(e: _Edge) -> int:
        # Among the shortcuts, the longest goes first, so that it is drawn
        # outermost and the shorter ones nest inside it without crossing.
        if band(e) != 0:
            return 0
        return position[e.source] - position[e.target]

    return sorted(edges, key=lambda e: (band(e), span(e)))


def _edge_attrs(edge: _Edge, machine: Machine, words: _Words) -> dict[str, str]:
    colour = COLOURS[edge.kind]
    return {
        "id": drawn_edge_id(edge.rules),
        # Every rule the edge draws, by its own id: an SVG viewer (or a
        # test) can find a rule's edge by its class.
        "class": " ".join(edge_id(t) for t in edge.rules),
        "color": colour,
        "fontcolor": colour,
        "label": _edge_label(edge.rules, machine, colour, words),
    }


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

    italic_states = machine.name not in words.formal_machines
    ordinary, from_any = _edges(machine)
    # A target of a from-any rule that nothing else enters (ERROR) is drawn
    # apart, so that its edges do not cross the whole diagram.
    apart = {e.rules[0].target for e in from_any} - {
        t.target for t in machine.transitions if not t.from_any
    }
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
    for edge in _drawing_order(ordinary, main_path):
        source, target = edge.source, edge.target
        attrs = _edge_attrs(edge, machine, words)
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
            for edge in from_any:
                sub.edge(
                    f"{machine.name}_any",
                    edge.target,
                    style="dashed",
                    **_edge_attrs(edge, machine, words),
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
            if _sent_by_whom(trigger, machine, words):
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


_SVG_RUN = re.compile(
    rb'<text text-anchor="start" x="(?P<x>[^"]*)" y="(?P<y>[^"]*)"(?P<font>[^>]*)>(?P<text>[^<]*)</text>'
)


def _flow_runs(svg: bytes) -> bytes:
    """*svg* with each line of a label written as one ``<text>``.

    ``dot`` writes every run of one font as a ``<text>`` of its own, at the
    place where the run after the one before it ended, as measured by
    Graphviz. A browser draws the same words a little wider or narrower,
    and strips the spaces at the ends of each ``<text>``, so the runs of a
    line overlap or drift apart ("is upgrade_proposedor  both"). Here the
    runs of one line become ``<tspan>`` pieces of one ``<text>``, which the
    browser lays out one after the other itself, keeping their spaces.
    """
    out: list[bytes] = []
    line: list[re.Match[bytes]] = []

    def flush() -> None:
        if len(line) == 1:
            out.append(line[0].group(0))
        elif line:
            first = line[0]
            pieces = b"".join(b"<tspan%s>%s</tspan>" % (m["font"], m["text"]) for m in line)
            out.append(
                b'<text text-anchor="start" x="%s" y="%s" xml:space="preserve">%s</text>'
                % (first["x"], first["y"], pieces)
            )
        line.clear()

    for row in svg.split(b"\n"):
        match = _SVG_RUN.fullmatch(row)
        if match is None or (line and match["y"] != line[0]["y"]):
            flush()
        if match is None:
            out.append(row)
        else:
            line.append(match)
    flush()
    return b"\n".join(out)


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
                image = graph.pipe(format=fmt)
                files[outdir / f"{machine.name}.{fmt}"] = _flow_runs(image) if fmt == "svg" else image
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
