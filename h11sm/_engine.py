"""The generic engine: applies triggers to the machines read from ``tables/``.

Two ways of answering "what happens if this trigger fires now?" live here:

* :func:`interpret` walks the tables rule by rule. It is slow and obviously
  right, and serves as the reference.
* :class:`Automaton` compiles all machines into one joint automaton at import:
  every reachable combination of machine states is a :class:`JointState`
  whose ``next`` dict maps each allowed trigger straight to the next settled
  joint state. Firing a trigger at run time is one dict lookup.

The semantics, shared by both:

1. *Trigger-driven rules* (events, signals, methods) fire against the joint
   state as it was before the trigger. A machine that has a matching rule
   moves. A machine without one stays put, except that a machine with a role
   refuses (the trigger is illegal) when the trigger is an event its own role
   sends, or a trigger the machine mentions anywhere in its table.
2. *State-triggered rules* then settle the result: machines are visited in
   table order, each taking its highest-priority rule whose guard holds, until
   a full pass changes nothing. Coming back to a joint state already seen in
   the same settling is a cycle, which the engine reports as a table error.

Nothing in this module knows about HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import product
from pathlib import Path

from ._errors import LocalProtocolError
from ._sentinels import Sentinel
from ._tables import Machine, TableError, Transition, Trigger, Vocabulary, load_tables

__all__ = ["Automaton", "JointState", "TriggerRefused", "interpret"]

States = dict[str, Sentinel]


class TriggerRefused(LocalProtocolError):
    """A trigger is not allowed in the current joint state. Met while
    receiving, the connection reports it as a
    :exc:`~h11sm.RemoteProtocolError`: the peer's event was the one refused."""


# Shown where users meet it: tracebacks and reprs name the public module.
TriggerRefused.__module__ = "h11sm.machines"


def _refusal(machine: Machine, state: Sentinel, trigger: Trigger, states: Mapping[str, Sentinel]) -> TriggerRefused:
    near_misses = [
        t for t in machine.transitions if t.source is state and t.trigger is trigger and not t.guard_holds(states)
    ]
    if trigger.kind == "method":
        what = f"can't call {trigger.label}"
    elif trigger.role is not None and trigger.role is not machine.role:
        what = f"{machine.role!r} can't accept {trigger.label} from {trigger.role!r}"
    else:
        what = f"{trigger.role!r} can't send {trigger.label}"
    message = f"{what} while {machine.role!r} is in state {state!r}"
    if near_misses:
        others = " or ".join(
            ", ".join(f"{name} is {states[name]!r}" for name in t.guard) for t in near_misses
        )
        message += f" ({others})"
    # A user calling a method at the wrong time has not corrupted anything;
    # everything else is a protocol violation.
    return TriggerRefused(message)


def _must_accept(machine: Machine, trigger: Trigger) -> bool:
    if machine.role is None:
        return False
    return trigger.role is machine.role or machine.mentions(trigger)


def _settle(machines: tuple[Machine, ...], states: States) -> States:
    seen: list[tuple[Sentinel, ...]] = [tuple(states.values())]
    while True:
        changed = False
        for machine in machines:
            current = states[machine.name]
            best: Transition | None = None
            for rule in machine.transitions:
                applies = rule.kind == "state" and rule.source is current and rule.guard_holds(states)
                if applies and (best is None or rule.priority > best.priority):
                    best = rule
            if best is not None and best.target is not current:
                states[machine.name] = best.target
                changed = True
        if not changed:
            return states
        snapshot = tuple(states.values())
        if snapshot in seen:
            loop = " -> ".join(
                ", ".join(f"{name}={state!r}" for name, state in zip(states, s, strict=True))
                for s in [*seen[seen.index(snapshot) :], snapshot]
            )
            raise TableError(f"state-triggered rules never settle; they cycle through: {loop}")
        seen.append(snapshot)


def interpret(machines: tuple[Machine, ...], states: Mapping[str, Sentinel], trigger: Trigger) -> States:
    """Apply *trigger* to *states* by reading the tables rule by rule.

    Returns the new, settled states of every machine, or raises
    :class:`TriggerRefused` if a machine refuses the trigger.
    """
    before = dict(states)
    after = dict(states)
    for machine in machines:
        current = before[machine.name]
        matching = [
            t
            for t in machine.transitions
            if t.trigger is trigger and t.source is current and t.guard_holds(before)
        ]
        if matching:
            after[machine.name] = matching[0].target
        elif _must_accept(machine, trigger):
            raise _refusal(machine, current, trigger, before)
    return _settle(machines, after)


class JointState:
    """One combination of machine states, with its compiled successors.

    ``states`` holds one state per machine, in the vocabulary's machine order;
    ``next`` maps every trigger allowed here to the joint state it leads to.
    """

    __slots__ = ("next", "states")

    def __init__(self, states: tuple[Sentinel, ...]) -> None:
        self.states = states
        self.next: dict[Trigger, JointState] = {}

    def __repr__(self) -> str:
        return f"JointState{self.states!r}"


class Automaton:
    """All machines compiled into one joint automaton.

    Only joint states reachable from the initial one are compiled; their
    number is small (a few dozen), so the whole map is built at import.
    """

    def __init__(self, vocabulary: Vocabulary, machines: tuple[Machine, ...]) -> None:
        self.vocabulary = vocabulary
        self.machines = machines
        self.names = tuple(m.name for m in machines)
        self.position = {name: i for i, name in enumerate(self.names)}
        self._index = self._build_index()
        self._check_settling_terminates()
        initial = self._settle_fast(tuple(m.initial for m in machines))
        self.joint_states: dict[tuple[Sentinel, ...], JointState] = {}
        self.initial = self._compile(initial)

    @classmethod
    def from_directory(cls, directory: Path | None = None) -> Automaton:
        """Load, validate and compile the tables in *directory*."""
        vocabulary, machines = load_tables(directory)
        return cls(vocabulary, machines)

    # -- compilation ---------------------------------------------------------

    def _build_index(
        self,
    ) -> list[tuple[dict[tuple[Sentinel, Trigger], list[Transition]], dict[Sentinel, list[Transition]]]]:
        """Per machine: trigger-driven rules by (source, trigger), and
        state-triggered rules by source, highest priority first."""
        index = []
        for machine in self.machines:
            by_trigger: dict[tuple[Sentinel, Trigger], list[Transition]] = {}
            by_state: dict[Sentinel, list[Transition]] = {}
            for rule in machine.transitions:
                if rule.trigger is None:
                    by_state.setdefault(rule.source, []).append(rule)
                else:
                    by_trigger.setdefault((rule.source, rule.trigger), []).append(rule)
            for rules in by_state.values():
                rules.sort(key=lambda r: -r.priority)
            index.append((by_trigger, by_state))
        return index

    def _as_mapping(self, states: tuple[Sentinel, ...]) -> States:
        return dict(zip(self.names, states, strict=True))

    def _settle_fast(self, states: tuple[Sentinel, ...]) -> tuple[Sentinel, ...]:
        current = list(states)
        while True:
            changed = False
            for i, (_, by_state) in enumerate(self._index):
                view = self._as_mapping(tuple(current))
                for rule in by_state.get(current[i], ()):
                    if rule.guard_holds(view):
                        # The loader refuses state rules that lead back to
                        # their own source, so a rule that holds moves.
                        current[i] = rule.target
                        changed = True
                        break
            if not changed:
                return tuple(current)

    def _check_settling_terminates(self) -> None:
        """Settle every combination of states once, so that a cycle among
        state-triggered rules is found at load time, not in production."""
        for combo in product(*(m.states for m in self.machines)):
            _settle(self.machines, self._as_mapping(combo))

    def _fire_fast(self, states: tuple[Sentinel, ...], trigger: Trigger) -> tuple[Sentinel, ...] | None:
        before = self._as_mapping(states)
        after = list(states)
        for i, machine in enumerate(self.machines):
            rules = self._index[i][0].get((states[i], trigger), ())
            for rule in rules:
                if rule.guard_holds(before):
                    after[i] = rule.target
                    break
            else:
                if _must_accept(machine, trigger):
                    return None
        return self._settle_fast(tuple(after))

    def _compile(self, initial: tuple[Sentinel, ...]) -> JointState:
        triggers = list(self.vocabulary.triggers.values())
        start = JointState(initial)
        self.joint_states[initial] = start
        frontier = [start]
        while frontier:
            joint = frontier.pop()
            for trigger in triggers:
                successor = self._fire_fast(joint.states, trigger)
                if successor is None:
                    continue
                target = self.joint_states.get(successor)
                if target is None:
                    target = self.joint_states[successor] = JointState(successor)
                    frontier.append(target)
                joint.next[trigger] = target
        return start

    # -- run time -----------------------------------------------------------

    def fire(self, joint: JointState, trigger: Trigger) -> JointState:
        """The joint state after *trigger*, or :class:`TriggerRefused`."""
        try:
            return joint.next[trigger]
        except KeyError:
            raise self.explain(joint.states, trigger) from None

    def explain(self, states: tuple[Sentinel, ...], trigger: Trigger) -> TriggerRefused:
        """The error describing why *trigger* is refused in *states*."""
        try:
            interpret(self.machines, self._as_mapping(states), trigger)
        except TriggerRefused as refused:
            return refused
        raise AssertionError(f"compiled automaton refused {trigger!r} that the tables allow")

    def lookup(self, states: Mapping[str, Sentinel]) -> JointState | None:
        """The compiled joint state for *states*, if it is reachable."""
        return self.joint_states.get(tuple(states[name] for name in self.names))

    def iter_triggers(self) -> Iterator[Trigger]:
        """Every declared trigger."""
        return iter(self.vocabulary.triggers.values())
