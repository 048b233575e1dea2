"""The HTTP/1.1 connection machines, read-only, for inspection from Python.

h11sm keeps every rule of the connection lifecycle in tables shipped with
the package: six machines (``client``, ``server``, ``keep_alive``,
``switch_protocol``, ``request_version`` and ``expect_continue``) and the
vocabulary they speak, including which response fires which trigger
(:data:`RESPONSE_CLASSES`) and which head facts raise which signal
(:data:`SIGNAL_SOURCES`). This module exposes exactly what the
:class:`~h11sm.Connection` runs on::

    >>> import h11sm.machines as m
    >>> sorted(m.MACHINES)
    ['client', 'expect_continue', 'keep_alive', 'request_version', 'server', 'switch_protocol']
    >>> m.MACHINES["client"].initial
    IDLE
    >>> m.next_states(m.initial_states(), "Request", by="client")["server"]
    SEND_RESPONSE

Run ``python -m h11sm machines`` (or the ``h11sm`` command) to print every
table as text; ``--help`` lists the other questions it answers.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from ._compiled import AUTOMATON
from ._engine import Automaton, TriggerRefused, interpret
from ._sentinels import Sentinel
from ._tables import Machine, TableError, Transition, Trigger, describe_guard

__all__ = [
    "MACHINES",
    "RESPONSE_CLASSES",
    "SIGNAL_SOURCES",
    "Machine",
    "TableError",
    "Transition",
    "Trigger",
    "TriggerRefused",
    "allowed_triggers",
    "complete_states",
    "find_trigger",
    "format_machine",
    "initial_states",
    "load_machines",
    "main",
    "next_states",
    "triggers",
]

#: The compiled automaton the Connection runs on (private: use the names below).
_AUTOMATON = AUTOMATON

#: Machine name -> :class:`Machine`, in the order the engine visits them.
MACHINES: Mapping[str, Machine] = MappingProxyType({m.name: m for m in _AUTOMATON.machines})

#: How a response head is classified (``[[response]]`` in vocabulary.toml):
#: ``(head class name, first status, last status, request method or None,
#: trigger name)`` rows; the first that matches wins, and a response no row
#: matches fires the event of its own class.
RESPONSE_CLASSES: tuple[tuple[str, int, int, str | None, str], ...] = _AUTOMATON.vocabulary.responses

#: Which head facts raise which signal (``raised_by`` in vocabulary.toml),
#: in the order the signals fire: ``(signal, head kinds (empty: any), facts
#: that must be present, facts that must be absent)``.
SIGNAL_SOURCES: tuple[tuple[Trigger, frozenset[str], frozenset[str], frozenset[str]], ...] = (
    _AUTOMATON.vocabulary.signal_rules
)


def load_machines(directory: str | Path) -> Mapping[str, Machine]:
    """Load and validate another set of table files (a directory holding
    ``vocabulary.toml`` and one file per machine), for example to draw or
    check an edited copy of the tables. Raises :class:`TableError` naming the
    file and entry at fault. The connection always runs on the package's own
    tables: this does not change :data:`MACHINES`."""
    machines = Automaton.from_directory(Path(directory)).machines
    return MappingProxyType({m.name: m for m in machines})


def initial_states() -> dict[str, Sentinel]:
    """The state of every machine when a connection starts (settled)."""
    return dict(zip(_AUTOMATON.names, _AUTOMATON.initial.states, strict=True))


def triggers() -> list[Trigger]:
    """Every trigger the tables declare: events (one per sender), signals and
    methods."""
    return list(_AUTOMATON.iter_triggers())


#: What may name a trigger: its name (``"Response"``), the event class
#: (``h11sm.Response``) or the :class:`Trigger` itself.
TriggerLike = str | type | Trigger


def _role_of(by: Sentinel | str | None) -> Sentinel | None:
    if by is None or isinstance(by, Sentinel):
        return by
    if by.upper() not in ("CLIENT", "SERVER"):
        raise ValueError(f"by must be 'client' or 'server', not {by!r}")
    return Sentinel.named(by.upper())


def find_trigger(trigger: TriggerLike, by: Sentinel | str | None = None) -> Trigger:
    """The :class:`Trigger` that *trigger* stands for: a name from
    :func:`triggers`, an event class such as ``h11sm.Response``, or a
    :class:`Trigger` (returned as it is). *by* says which role sends an
    event, when both could::

        >>> import h11sm.machines as m
        >>> m.find_trigger("EndOfMessage", by="server")
        <event EndOfMessage by SERVER>

    Raises :exc:`ValueError` for an unknown name, or a name several roles
    send without *by*; :class:`TriggerRefused` for an event the role *by*
    never sends.
    """
    if isinstance(trigger, Trigger):
        return trigger
    if isinstance(trigger, type):
        # An event class stands for the event of the same name (h11sm.Response).
        name = trigger.__name__
    elif isinstance(trigger, str):
        name = trigger
    else:
        raise TypeError(f"a trigger is a name, an event class or a Trigger, not {type(trigger).__name__}")
    role = _role_of(by)
    named = _AUTOMATON.vocabulary.by_name(name)
    if not named:
        known = sorted({t.name for t in _AUTOMATON.iter_triggers()})
        raise ValueError(f"no trigger {name!r}; known triggers: {', '.join(known)}")
    if role is not None and named[0].kind != "event":
        raise ValueError(f"{name!r} is a {named[0].kind}, not an event: nobody sends it, so leave out by=")
    candidates = [t for t in named if role is None or t.role is role]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        # The tables never let this role send it: a refusal like any other.
        senders = " or ".join(repr(t.role) for t in named)
        raise TriggerRefused(f"{role!r} can't send {name}: only {senders} does", trigger=named[0])
    raise ValueError(f"{name!r} is sent by more than one role: pass by='client' or by='server'")


def complete_states(states: Mapping[str, Sentinel | str] | None = None) -> dict[str, Sentinel]:
    """The state of every machine, given the states of some: *states* maps
    machine names to states (sentinels or their names); the machines left
    out are in their initial state (all of them for ``None``)::

        >>> import h11sm.machines as m
        >>> m.complete_states({"client": "DONE"})["server"]
        IDLE

    Raises :exc:`ValueError` for an unknown machine or a state the machine
    does not have.
    """
    full = initial_states()
    if states is None:
        return full
    unknown = set(states) - set(MACHINES)
    if unknown:
        raise ValueError(f"unknown machine(s): {', '.join(sorted(unknown))}; the machines are {', '.join(MACHINES)}")
    for name, state in states.items():
        resolved = state if isinstance(state, Sentinel) else Sentinel.named(state)
        if resolved not in MACHINES[name].states:
            raise ValueError(f"{resolved!r} is not a state of machine {name!r}")
        full[name] = resolved
    return full


def _fire(full: dict[str, Sentinel], trigger: Trigger) -> dict[str, Sentinel]:
    compiled = _AUTOMATON.lookup(full)
    if compiled is not None:
        return dict(zip(_AUTOMATON.names, _AUTOMATON.fire(compiled, trigger).states, strict=True))
    # A combination no connection reaches: ask the tables rule by rule.
    return interpret(_AUTOMATON.machines, full, trigger)


def next_states(
    states: Mapping[str, Sentinel | str], trigger: TriggerLike, *, by: Sentinel | str | None = None
) -> dict[str, Sentinel]:
    """Answer "from these states, where does this trigger lead?" without a
    Connection.

    *states* maps machine names to states (sentinels or their names); machines
    left out are taken to be in their initial state. *trigger* is an event,
    signal or method name from :func:`triggers`, an event class such as
    ``h11sm.Response``, or a :class:`Trigger`; *by* says which role sends an
    event (needed when both could). Raises :class:`TriggerRefused` (a
    :class:`~h11sm.ProtocolError`) when the tables do not allow the trigger,
    including an event the role *by* never sends.
    """
    full = complete_states(states)
    return _fire(full, find_trigger(trigger, by))


def allowed_triggers(
    states: Mapping[str, Sentinel | str] | None = None, *, by: Sentinel | str | None = None
) -> dict[Trigger, dict[str, Sentinel]]:
    """Answer "from these states, what may happen, and where does each lead?"

    Returns every trigger the tables allow from *states* (as for
    :func:`next_states`; ``None`` means the initial states), mapped to the
    states it leads to, in the vocabulary's order. With *by*, only the events
    that role may send::

        >>> import h11sm.machines as m
        >>> for trigger, after in m.allowed_triggers({"client": "DONE", "server": "SEND_RESPONSE"},
        ...                                           by="server").items():
        ...     print(f"{trigger.name:22} -> server {after['server']!r}")
        InformationalResponse  -> server SEND_RESPONSE
        Response               -> server SEND_BODY
        ProtocolError          -> server ERROR
    """
    full = complete_states(states)
    role = _role_of(by)
    allowed: dict[Trigger, dict[str, Sentinel]] = {}
    for trigger in _AUTOMATON.iter_triggers():
        if role is not None and trigger.role is not role:
            continue
        try:
            allowed[trigger] = _fire(dict(full), trigger)
        except TriggerRefused:
            continue
    return allowed


#: The width the text form of a table fits in (``python -m h11sm machines``).
TEXT_WIDTH = 100


def format_machine(machine: Machine, width: int = TEXT_WIDTH) -> str:
    """A machine as plain text that fits *width* columns: one line per rule
    (``FROM --[trigger]--> TO``), its reason indented below it."""
    import textwrap

    title = f"{machine.name} ({machine.file}), initial state {machine.initial!r}"
    lines = [title, "=" * len(title)]
    shown_any: set[str] = set()
    for t in machine.transitions:
        if t.from_any:
            if t.where in shown_any:
                continue
            shown_any.add(t.where)
        if t.trigger is None:
            on = "when " + describe_guard(t.guard)
        else:
            sender = t.trigger.role
            on = t.trigger.label + (f" by {sender!r}" if sender not in (None, machine.role) else "")
            if t.guard:
                on += " if " + describe_guard(t.guard)
            if t.kind == "method":
                on = "call " + on
        if t.priority:
            on += f" (priority {t.priority})"
        source = "(any state)" if t.from_any else t.source.name
        rule = f"{source} --[{on}]--> {t.target.name}"
        lines += textwrap.wrap(rule, width, subsequent_indent="    ", break_on_hyphens=False)
        indent = " " * 6
        lines += textwrap.wrap(t.why, width, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False)
    for section, modes in (("receive", machine.receive), ("send", machine.send), ("announce", machine.announce)):
        if modes:
            words = ", ".join(f"{state.name} = {mode}" for state, mode in modes.items())
            lines += textwrap.wrap(
                f"[{section}] {words}", width, subsequent_indent="    ", break_on_hyphens=False
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m h11sm.machines``: the same as ``python -m h11sm machines``
    (print the tables; ``--help`` for the options)."""
    from ._cli import build_machines_parser, run

    return run(build_machines_parser("python -m h11sm.machines"), sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":  # pragma: no cover - exercised through a subprocess test
    raise SystemExit(main())
