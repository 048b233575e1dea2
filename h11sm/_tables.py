"""Loading and validating the machine tables in ``tables/*.toml``.

This module turns TOML files into plain, immutable :class:`Machine` and
:class:`Transition` objects and refuses any table that is not well formed. It
knows nothing about HTTP: the words it accepts (events, signals, methods,
roles) come from ``vocabulary.toml`` itself. Every error names the file and
the record at fault, because the person reading it is editing a table, not
Python.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal

from ._sentinels import Sentinel

__all__ = [
    "ANY_STATE",
    "Machine",
    "TableError",
    "Transition",
    "Trigger",
    "Vocabulary",
    "default_tables_dir",
    "load_tables",
]

TransitionKind = Literal["event", "state", "method"]
TriggerKind = Literal["event", "signal", "method"]

#: The ``from`` value that stands for every state of the machine.
ANY_STATE: Final = "*"


class TableError(Exception):
    """A machine table is malformed. The message names the file and record."""


@dataclass(frozen=True, eq=False, slots=True)
class Trigger:
    """Something that can move the machines: an event sent by a role, a signal
    derived from an event, or a method call.

    Triggers are interned: :meth:`Vocabulary.trigger` hands out one object per
    (kind, name, role), so the engine can hash them by identity.
    """

    kind: TriggerKind
    name: str
    role: Sentinel | None
    label: str
    formal: bool

    def __repr__(self) -> str:
        by = f" by {self.role!r}" if self.role is not None else ""
        return f"<{self.kind} {self.name}{by}>"


Guard = Mapping[str, frozenset[Sentinel]]


@dataclass(frozen=True, slots=True)
class Transition:
    """One rule of one machine.

    ``kind`` is ``"event"`` (an event or a signal happened; see
    ``trigger.kind``), ``"state"`` (other machines reached the states named by
    ``guard``) or ``"method"`` (the user called a method such as
    ``prepare_to_reuse``). ``guard`` maps other machines' names to the states
    they must be in for the rule to apply; it is empty when the rule always
    applies. Among state-triggered rules that could fire together, the higher
    ``priority`` wins.
    """

    machine: str
    source: Sentinel
    trigger: Trigger | None
    target: Sentinel
    kind: TransitionKind
    guard: Guard
    priority: int
    why: str
    where: str = field(compare=False)
    #: True when the table wrote ``from = "*"``: the rule applies in every state.
    from_any: bool = False

    def __repr__(self) -> str:
        return f"<Transition {self.machine}: {self.describe()}>"

    def guard_holds(self, states: Mapping[str, Sentinel]) -> bool:
        """True if every machine named by the guard is in one of its states."""
        return all(states[name] in allowed for name, allowed in self.guard.items())

    def describe(self) -> str:
        """A one-line, human-readable form of the rule."""
        if self.trigger is None:
            cause = "when " + describe_guard(self.guard)
        else:
            cause = self.trigger.label
            if self.trigger.role is not None:
                cause += f" by {self.trigger.role!r}"
            if self.guard:
                cause += " if " + describe_guard(self.guard)
        return f"{self.source!r} --[{cause}]--> {self.target!r}"


def describe_guard(guard: Guard) -> str:
    """Readable text such as ``server is CLOSED and switch_protocol is one of
    both_proposed, upgrade_proposed``."""
    parts = []
    for name, allowed in guard.items():
        names = sorted(state.name for state in allowed)
        if len(names) == 1:
            parts.append(f"{name} is {names[0]}")
        else:
            parts.append(f"{name} is one of {', '.join(names)}")
    return " and ".join(parts)


@dataclass(frozen=True, slots=True)
class Machine:
    """One state machine as read from its table: read-only data."""

    name: str
    role: Sentinel | None
    initial: Sentinel
    states: tuple[Sentinel, ...]
    transitions: tuple[Transition, ...]
    render: Mapping[str, Any]
    file: str
    #: State -> what the connection does with the bytes of this machine's
    #: role while it is there (``[receive]`` in the table; empty for a
    #: machine without a role). The words are declared in vocabulary.toml.
    receive: Mapping[Sentinel, str] = field(default_factory=lambda: MappingProxyType({}))
    #: State -> what this machine's role may write while it is there (``[send]``).
    send: Mapping[Sentinel, str] = field(default_factory=lambda: MappingProxyType({}))
    #: State -> the connection option every message head we send must carry
    #: while this machine is there (``[announce]``; only the states that
    #: announce something are listed).
    announce: Mapping[Sentinel, str] = field(default_factory=lambda: MappingProxyType({}))

    def __repr__(self) -> str:
        # Short on purpose: the transitions are many; print them with
        # format_machine() or look at .transitions.
        return (
            f"<Machine {self.name} ({self.file}): {len(self.states)} states, "
            f"{len(self.transitions)} transitions, initial {self.initial!r}>"
        )

    def mentions(self, trigger: Trigger) -> bool:
        """True if any rule of this machine is driven by *trigger*."""
        return any(t.trigger is trigger for t in self.transitions)


@dataclass(frozen=True)
class Vocabulary:
    """The declared triggers and the order of the machines."""

    machine_names: tuple[str, ...]
    triggers: Mapping[tuple[str, str, Sentinel | None], Trigger]
    #: The words a table may use in its ``[receive]`` and ``[send]`` sections.
    receive_modes: frozenset[str] = frozenset()
    send_modes: frozenset[str] = frozenset()
    #: The connection options a table may name in its ``[announce]`` section.
    announce_options: frozenset[str] = frozenset()
    #: The declared response classification: ``(head, first status, last
    #: status, request method or None, trigger name)`` rows, in table order.
    responses: tuple[tuple[str, int, int, str | None, str], ...] = ()
    #: The facts a codec reports about a message head (``head_facts``).
    head_facts: tuple[str, ...] = ()
    #: Which head facts raise which signal, in the order the signals fire:
    #: ``(signal, head kinds (empty: any), facts all present, facts all absent)``.
    signal_rules: tuple[tuple[Trigger, frozenset[str], frozenset[str], frozenset[str]], ...] = ()

    def trigger(self, kind: str, name: str, role: Sentinel | None = None) -> Trigger:
        """The interned trigger; KeyError if it was never declared."""
        return self.triggers[(kind, name, role)]

    def by_name(self, name: str) -> list[Trigger]:
        """Every trigger with this name (one per sender for events)."""
        return [t for t in self.triggers.values() if t.name == name]


def default_tables_dir() -> Path:
    """Where the shipped tables live: inside the installed package, or next to
    the package in a source checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "tables"
    return installed if installed.is_dir() else here.parent / "tables"


def _role(name: object, where: str) -> Sentinel:
    if name not in ("client", "server"):
        raise TableError(f"{where}: unknown role {name!r} (expected 'client' or 'server')")
    return Sentinel.named(str(name).upper())


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise TableError(f"{path.name}: table file is missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise TableError(f"{path.name}: not valid TOML: {exc}") from None


def _require(record: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in record:
        raise TableError(f"{where}: missing key {key!r}")
    value = record[key]
    if not isinstance(value, kind):
        raise TableError(f"{where}: {key!r} must be a {kind.__name__}, not {value!r}")
    return value


def _check_keys(record: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(record) - allowed)
    if unknown:
        raise TableError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}")


def _load_vocabulary(path: Path) -> Vocabulary:
    data = _read(path)
    machine_names = _require(data, "machines", list, f"{path.name}")
    triggers: dict[tuple[str, str, Sentinel | None], Trigger] = {}
    seen_names: set[str] = set()
    head_facts = _require(data, "head_facts", list, path.name) if "head_facts" in data else []
    signal_rules: list[tuple[Trigger, frozenset[str], frozenset[str], frozenset[str]]] = []
    for kind in ("event", "signal", "method"):
        for index, record in enumerate(data.get(kind, []), start=1):
            where = f"{path.name}: {kind} #{index}"
            name = _require(record, "name", str, where)
            if name in seen_names:
                raise TableError(f"{where}: trigger {name!r} is declared twice")
            seen_names.add(name)
            label = record.get("label", name)
            formal = bool(record.get("formal", False))
            if kind == "event":
                senders = _require(record, "senders", list, where)
                for sender in senders:
                    role = _role(sender, where)
                    triggers[(kind, name, role)] = Trigger(kind, name, role, label, formal)
            else:
                trigger = triggers[(kind, name, None)] = Trigger(kind, name, None, label, formal)
                if kind == "signal" and "raised_by" in record:
                    signal_rules.append(_load_raised_by(trigger, record["raised_by"], head_facts, where))
    receive_modes = frozenset(sys.intern(str(m)) for m in data.get("receive_modes", []))
    send_modes = frozenset(sys.intern(str(m)) for m in data.get("send_modes", []))
    announce_options = frozenset(sys.intern(str(m)) for m in data.get("announce_options", []))
    responses = tuple(_load_response_row(record, index, path.name, triggers) for index, record in
                      enumerate(data.get("response", []), start=1))
    return Vocabulary(
        tuple(machine_names),
        MappingProxyType(triggers),
        receive_modes,
        send_modes,
        announce_options,
        responses,
        tuple(head_facts),
        tuple(signal_rules),
    )


def _load_raised_by(
    trigger: Trigger, raw: object, head_facts: list[str], where: str
) -> tuple[Trigger, frozenset[str], frozenset[str], frozenset[str]]:
    """A signal's ``raised_by``: the head kinds and facts that raise it."""
    if not isinstance(raw, dict):
        raise TableError(f"{where}: `raised_by` must be a table like {{ facts = [\"close_option\"] }}")
    _check_keys(raw, {"heads", "facts", "unless"}, f"{where} raised_by")
    parts = []
    for key in ("heads", "facts", "unless"):
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TableError(f"{where}: raised_by.{key} must be a list of names")
        if key != "heads":
            unknown = sorted(set(value) - set(head_facts))
            if unknown:
                raise TableError(f"{where}: raised_by names unknown head fact(s) {', '.join(unknown)}")
        parts.append(frozenset(value))
    return trigger, parts[0], parts[1], parts[2]


def _load_response_row(
    record: Mapping[str, Any], index: int, file: str, triggers: Mapping[tuple[str, str, Sentinel | None], Trigger]
) -> tuple[str, int, int, str | None, str]:
    """One ``[[response]]`` row: which trigger a response head fires."""
    where = f"{file}: response #{index}"
    _check_keys(record, {"head", "status", "request_method", "trigger", "why"}, where)
    head = _require(record, "head", str, where)
    status = _require(record, "status", list, where)
    if len(status) != 2 or not all(isinstance(s, int) for s in status) or status[0] > status[1]:
        raise TableError(f"{where}: status must be [first, last], such as [200, 299]")
    method = record.get("request_method")
    trigger = _require(record, "trigger", str, where)
    _require(record, "why", str, where)
    for name in (head, trigger):
        if not any(key[0] == "event" and key[1] == name for key in triggers):
            raise TableError(f"{where}: unknown event {name!r} (not declared in vocabulary.toml)")
    return (head, status[0], status[1], None if method is None else str(method), trigger)


_RECORD_KINDS: Final[dict[str, tuple[TransitionKind, str | None]]] = {
    "on_event": ("event", "event"),
    "on_signal": ("event", "signal"),
    "on_method": ("method", "method"),
    "on_state": ("state", None),
}


def _load_machine(path: Path, vocabulary: Vocabulary) -> Machine:
    data = _read(path)
    header = _require(data, "machine", dict, path.name)
    where = f"{path.name}: [machine]"
    _check_keys(header, {"name", "role", "initial", "states"}, where)
    name = _require(header, "name", str, where)
    if name != path.stem:
        raise TableError(f"{where}: name {name!r} does not match the file name {path.stem!r}")
    role = _role(header["role"], where) if "role" in header else None
    state_names = _require(header, "states", list, where)
    if len(set(state_names)) != len(state_names):
        raise TableError(f"{where}: a state is listed twice")
    states = tuple(Sentinel.named(s) for s in state_names)
    initial_name = _require(header, "initial", str, where)
    if initial_name not in state_names:
        raise TableError(f"{where}: initial state {initial_name!r} is not in states")

    def state(value: object, where: str) -> Sentinel:
        if value not in state_names:
            raise TableError(f"{where}: unknown state {value!r} in machine {name!r}")
        return Sentinel.named(str(value))

    transitions: list[Transition] = []
    for record_kind, (kind, trigger_key) in _RECORD_KINDS.items():
        for index, record in enumerate(data.get(record_kind, []), start=1):
            rwhere = f"{path.name}: {record_kind} #{index}"
            allowed = {"from", "to", "when", "why", "priority", "by"}
            if trigger_key is not None:
                allowed.add(trigger_key)
            _check_keys(record, allowed, rwhere)
            trigger: Trigger | None = None
            if trigger_key is not None:
                trigger_name = _require(record, trigger_key, str, rwhere)
                rwhere = f"{rwhere} ({trigger_name})"
                sender: Sentinel | None = None
                if trigger_key == "event":
                    if "by" in record:
                        sender = _role(record["by"], rwhere)
                    elif role is not None:
                        sender = role
                    else:
                        raise TableError(f"{rwhere}: an event record needs `by` in a machine without a role")
                elif "by" in record:
                    raise TableError(f"{rwhere}: `by` only applies to events")
                try:
                    trigger = vocabulary.trigger(trigger_key, trigger_name, sender)
                except KeyError:
                    raise TableError(
                        f"{rwhere}: unknown {trigger_key} {trigger_name!r}"
                        + (f" sent by {sender!r}" if sender is not None else "")
                        + " (not declared in vocabulary.toml)"
                    ) from None
            guard = _parse_guard(record.get("when", {}), name, rwhere)
            if kind == "state" and not guard:
                raise TableError(f"{rwhere}: a state-triggered rule needs a `when` guard")
            priority = record.get("priority", 0)
            if not isinstance(priority, int):
                raise TableError(f"{rwhere}: priority must be an integer")
            why = _require(record, "why", str, rwhere)
            target = state(_require(record, "to", str, rwhere), rwhere)
            source_name = _require(record, "from", str, rwhere)
            sources = states if source_name == ANY_STATE else (state(source_name, rwhere),)
            if kind == "state" and target in sources:
                # It would hold forever once its guard did: the settling
                # loop could never tell "nothing changed" from "fired".
                raise TableError(f"{rwhere}: a state-triggered rule must lead to another state")
            for source in sources:
                transitions.append(
                    Transition(
                        name,
                        source,
                        trigger,
                        target,
                        kind,
                        guard,
                        priority,
                        why,
                        rwhere,
                        from_any=source_name == ANY_STATE,
                    )
                )
    render = data.get("render", {})
    _check_keys(data, {"machine", "render", "receive", "send", "announce", *_RECORD_KINDS}, path.name)
    return Machine(
        name,
        role,
        Sentinel.named(initial_name),
        states,
        tuple(transitions),
        MappingProxyType(dict(render)),
        path.name,
        _state_modes(data, "receive", state_names, vocabulary.receive_modes, path.name),
        _state_modes(data, "send", state_names, vocabulary.send_modes, path.name),
        _state_modes(
            data, "announce", state_names, vocabulary.announce_options, path.name,
            declared_as="announce_options", every_state=False,
        ),
    )


def _state_modes(
    data: Mapping[str, Any],
    section: str,
    state_names: list[str],
    modes: frozenset[str],
    file: str,
    *,
    declared_as: str | None = None,
    every_state: bool = True,
) -> Mapping[Sentinel, str]:
    """A section of one declared word per state: ``[receive]`` and
    ``[send]`` give one for every state (a state the connection would not
    know how to treat is a table error, not a surprise at run time);
    ``[announce]`` (``every_state=False``) only for the states that
    announce something."""
    raw = data.get(section)
    if raw is None:
        return MappingProxyType({})
    where = f"{file}: [{section}]"
    declared_as = f"{section}_modes" if declared_as is None else declared_as
    if not isinstance(raw, dict):
        raise TableError(f"{where} must be a table of state = {'mode' if every_state else 'word'}")
    unknown = sorted(set(raw) - set(state_names))
    if unknown:
        raise TableError(f"{where}: unknown state(s) {', '.join(unknown)}")
    missing = [s for s in state_names if s not in raw]
    if missing and every_state:
        raise TableError(f"{where}: no mode for state(s) {', '.join(missing)}")
    result: dict[Sentinel, str] = {}
    for name in state_names:
        if name not in raw:
            continue
        mode = raw[name]
        if not isinstance(mode, str) or mode not in modes:
            raise TableError(
                f"{where}: {name} = {mode!r} is not one of the declared {declared_as} ({', '.join(sorted(modes))})"
            )
        result[Sentinel.named(name)] = sys.intern(str(mode))
    return MappingProxyType(result)


def _parse_guard(raw: object, own_name: str, where: str) -> Guard:
    if not isinstance(raw, dict):
        raise TableError(f"{where}: `when` must be a table like {{ server = [\"CLOSED\"] }}")
    guard: dict[str, frozenset[Sentinel]] = {}
    for other, allowed in raw.items():
        if other == own_name:
            raise TableError(f"{where}: a guard cannot test the machine's own state")
        if isinstance(allowed, str):
            allowed = [allowed]
        if not isinstance(allowed, list) or not allowed:
            raise TableError(f"{where}: guard on {other!r} must list one or more states")
        guard[other] = frozenset(Sentinel.named(str(s)) for s in allowed)
    return MappingProxyType(guard)


def _check_guards_name_real_states(machines: dict[str, Machine]) -> None:
    for machine in machines.values():
        for t in machine.transitions:
            for other, allowed in t.guard.items():
                if other not in machines:
                    raise TableError(f"{t.where}: guard names unknown machine {other!r}")
                unknown = sorted(s.name for s in allowed - set(machines[other].states))
                if unknown:
                    raise TableError(
                        f"{t.where}: guard names unknown state(s) {', '.join(unknown)} "
                        f"of machine {other!r}"
                    )


def _guards_overlap(a: Guard, b: Guard) -> bool:
    """Could both guards hold at once? Only if every shared machine has a
    state both allow (machines named by one guard alone never conflict)."""
    return all(a[name] & b[name] for name in a.keys() & b.keys())


def _check_no_ambiguity(machine: Machine) -> None:
    """Two rules from the same state on the same trigger must never both apply;
    two state-triggered rules that may fire together need distinct priorities
    unless they agree on the target."""
    rules = machine.transitions
    for i, first in enumerate(rules):
        for second in rules[i + 1 :]:
            if first.source is not second.source or first.kind != second.kind:
                continue
            if not _guards_overlap(first.guard, second.guard):
                continue
            if first.kind == "state":
                if first.target is not second.target and first.priority == second.priority:
                    raise TableError(
                        f"{second.where}: may fire together with {first.where} from "
                        f"{first.source!r} with a different target; give one a higher priority"
                    )
            elif first.trigger is second.trigger:
                raise TableError(
                    f"{second.where}: duplicate trigger: {first.where} already handles "
                    f"{first.trigger!r} from {first.source!r}"
                )


def _check_reachable(machine: Machine) -> None:
    reached = {machine.initial}
    frontier = [machine.initial]
    while frontier:
        current = frontier.pop()
        for t in machine.transitions:
            if t.source is current and t.target not in reached:
                reached.add(t.target)
                frontier.append(t.target)
    missing = [s.name for s in machine.states if s not in reached]
    if missing:
        raise TableError(
            f"{machine.file}: state(s) {', '.join(missing)} cannot be reached from "
            f"{machine.initial!r}"
        )


def load_tables(directory: Path | None = None) -> tuple[Vocabulary, tuple[Machine, ...]]:
    """Read ``vocabulary.toml`` and every machine table it lists, validate them
    all, and return them in the vocabulary's machine order."""
    directory = default_tables_dir() if directory is None else directory
    vocabulary = _load_vocabulary(directory / "vocabulary.toml")
    machines: dict[str, Machine] = {}
    for name in vocabulary.machine_names:
        machines[name] = _load_machine(directory / f"{name}.toml", vocabulary)
    _check_guards_name_real_states(machines)
    for machine in machines.values():
        _check_no_ambiguity(machine)
        _check_reachable(machine)
    return vocabulary, tuple(machines.values())
