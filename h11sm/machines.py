"""The HTTP/1.1 connection machines, read-only, for inspection from Python.

h11sm keeps every rule of the connection lifecycle in four tables shipped
with the package (``client``, ``server``, ``keep_alive`` and
``switch_protocol``). This module exposes exactly what the
:class:`~h11sm.Connection` runs on::

    >>> import h11sm.machines as m
    >>> sorted(m.MACHINES)
    ['client', 'keep_alive', 'server', 'switch_protocol']
    >>> m.MACHINES["client"].initial
    IDLE
    >>> m.next_states(m.initial_states(), "Request", by="client")["server"]
    SEND_RESPONSE

Run ``python -m h11sm.machines`` to print every table as text.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from ._compiled import AUTOMATON
from ._engine import Automaton, TriggerRefused
from ._sentinels import Sentinel
from ._tables import Machine, TableError, Transition, Trigger, describe_guard

__all__ = [
    "MACHINES",
    "Machine",
    "TableError",
    "Transition",
    "Trigger",
    "TriggerRefused",
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


def _find_trigger(name: str, by: Sentinel | str | None) -> Trigger:
    role = by if isinstance(by, Sentinel) or by is None else Sentinel.named(by.upper())
    candidates = [t for t in _AUTOMATON.vocabulary.by_name(name) if role is None or t.role is role]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        known = sorted({t.name for t in _AUTOMATON.iter_triggers()})
        raise ValueError(f"no trigger {name!r} sent by {role!r}; known triggers: {', '.join(known)}")
    raise ValueError(f"{name!r} is sent by more than one role: pass by='client' or by='server'")


def next_states(
    states: Mapping[str, Sentinel | str], trigger: str, *, by: Sentinel | str | None = None
) -> dict[str, Sentinel]:
    """Answer "from these states, where does this trigger lead?" without a
    Connection.

    *states* maps machine names to states (sentinels or their names); machines
    left out are taken to be in their initial state. *trigger* is an event,
    signal or method name from :func:`triggers`; *by* says which role sends
    an event (needed when both could). Raises :class:`TriggerRefused` (a
    :class:`~h11sm.ProtocolError`) when the tables do not allow the trigger.
    """
    unknown = set(states) - set(MACHINES)
    if unknown:
        raise ValueError(f"unknown machine(s): {', '.join(sorted(unknown))}")
    full = initial_states()
    for name, state in states.items():
        resolved = state if isinstance(state, Sentinel) else Sentinel.named(state)
        if resolved not in MACHINES[name].states:
            raise ValueError(f"{resolved!r} is not a state of machine {name!r}")
        full[name] = resolved
    found = _find_trigger(trigger, by)
    compiled = _AUTOMATON.lookup(full)
    if compiled is not None:
        return dict(zip(_AUTOMATON.names, _AUTOMATON.fire(compiled, found).states, strict=True))
    from ._engine import interpret

    return interpret(_AUTOMATON.machines, full, found)


def format_machine(machine: Machine) -> str:
    """A machine as an aligned plain-text table."""
    rows = [("from", "on", "to", "why")]
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
        rows.append(("(any)" if t.from_any else t.source.name, on, t.target.name, t.why))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    title = f"{machine.name} ({machine.file}), initial state {machine.initial!r}"
    lines = [title, "=" * len(title)]
    for row in rows:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[3])
    return "\n".join(line.rstrip() for line in lines)


def main(argv: list[str] | None = None) -> int:
    """Print the tables (all, or the machines named on the command line)."""
    names = (sys.argv[1:] if argv is None else argv) or list(MACHINES)
    for name in names:
        if name not in MACHINES:
            print(f"unknown machine {name!r}; choose from {', '.join(MACHINES)}", file=sys.stderr)
            return 2
    print("\n\n".join(format_machine(MACHINES[name]) for name in names))
    return 0


if __name__ == "__main__":  # pragma: no cover - exercised through a subprocess test
    raise SystemExit(main())
