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

# TriggerRefused lives with the other exceptions, which stay interpreted in
# the compiled build (see _errors.py); it is part of this module's interface.
from ._errors import TriggerRefused
from ._sentinels import Sentinel
from ._tables import Machine, TableError, Transition, Trigger, Vocabulary, describe_guard, load_tables

__all__ = [
    "Automaton",
    "Composite",
    "JointState",
    "SignalFacts",
    "TableError",
    "Trigger",
    "TriggerRefused",
    "interpret",
]

States = dict[str, Sentinel]


#: Signal trigger -> the role whose message raised it, as a connection saw
#: it (see :meth:`Automaton.explain`).
SignalFacts = Mapping[Trigger, Sentinel]


def _quote_why(rule: Transition) -> str:
    return f"[{rule.where}]: {rule.why}"


def _fact(rule: Transition, facts: SignalFacts | None) -> str | None:
    """What fired *rule*, in words, if the connection recorded it."""
    if facts is None or rule.trigger is None or rule.trigger not in facts:
        return None
    return f"{rule.trigger.label}, in a message from {facts[rule.trigger]!r}"


def _causes(
    machines: tuple[Machine, ...], states: Mapping[str, Sentinel], facts: SignalFacts | None, name: str
) -> tuple[list[str], list[Transition], list[str]]:
    """Why machine *name* is in its current state, following guards to the
    machines they name: lines of text, the rules, and the facts behind them.

    A state-triggered rule into the current state whose guard holds now
    explains it; so does a rule that applies in every state (a protocol
    error); a signal rule explains it when the connection recorded the
    signal (or, without a record, every signal rule into the state is a
    candidate). States reached by ordinary events need no explaining."""
    by_name = {m.name: m for m in machines}
    lines: list[str] = []
    rules: list[Transition] = []
    found_facts: list[str] = []
    seen: set[str] = set()

    def visit(machine_name: str) -> None:
        if machine_name in seen:
            return
        seen.add(machine_name)
        machine = by_name[machine_name]
        state = states[machine_name]
        if state is machine.initial:
            return
        shown: set[str] = set()
        # (Several rules may lead into the state on the same signal, from
        # different states: the signal explains it once.)
        signals_shown: set[Trigger] = set()
        for rule in machine.transitions:
            if rule.target is not state or rule.where in shown or rule.trigger in signals_shown:
                continue
            if rule.kind == "state":
                # A guard met by machines that have not moved yet (the
                # initial states) holds at every start: it explains nothing.
                if not rule.guard_holds(states) or all(
                    states[other] is by_name[other].initial for other in rule.guard
                ):
                    continue
                cause = "when " + describe_guard(rule.guard)
            elif rule.from_any:
                # (Only event rules are written for any state: they have a trigger.)
                cause = f"on {rule.trigger.label if rule.trigger is not None else ''}"
            elif rule.trigger is not None and rule.trigger.kind == "signal":
                fact = _fact(rule, facts)
                if facts is not None and fact is None:
                    continue
                if fact is None:  # nobody recorded the signals: name each one that could have
                    cause = f"perhaps on {rule.trigger.label}"
                else:
                    cause = f"on {fact}"
                    found_facts.append(fact)
            else:
                continue
            shown.add(rule.where)
            if rule.trigger is not None and rule.trigger.kind == "signal":
                signals_shown.add(rule.trigger)
            rules.append(rule)
            lines.append(f"{machine_name} is {state!r} {cause} {_quote_why(rule)}")
            for other in rule.guard:
                visit(other)

    visit(name)
    return lines, rules, found_facts


def _refusal(
    machines: tuple[Machine, ...],
    machine: Machine,
    state: Sentinel,
    trigger: Trigger,
    states: Mapping[str, Sentinel],
    facts: SignalFacts | None = None,
) -> TriggerRefused:
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
    # The rule: where the tables do allow this trigger for this machine.
    rules = tuple(t for t in machine.transitions if t.trigger is trigger)
    lines = [message]
    if rules:
        for rule in rules:
            when = f" if {describe_guard(rule.guard)}" if rule.guard else ""
            lines.append(f"  allowed from {rule.source!r}{when} {_quote_why(rule)}")
    else:
        lines.append(f"  no rule of {machine.file} allows it in any state")
    # The facts: why the machines are where they are.
    cause_lines, causes, found_facts = _causes(machines, states, facts, machine.name)
    lines += [f"  {line}" for line in cause_lines]
    # A user calling a method at the wrong time has not corrupted anything;
    # everything else is a protocol violation.
    return TriggerRefused(
        "\n".join(lines),
        trigger=trigger,
        machine=machine.name,
        state=state,
        rules=rules,
        causes=tuple(causes),
        facts=tuple(found_facts),
    )


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


def interpret(
    machines: tuple[Machine, ...],
    states: Mapping[str, Sentinel],
    trigger: Trigger,
    *,
    facts: SignalFacts | None = None,
) -> States:
    """Apply *trigger* to *states* by reading the tables rule by rule.

    Returns the new, settled states of every machine, or raises
    :class:`TriggerRefused` if a machine refuses the trigger (explained
    with *facts*, the signals a connection saw, when given).
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
            raise _refusal(machines, machine, current, trigger, before, facts)
    return _settle(machines, after)


class JointState:
    """One combination of machine states, with its compiled successors.

    ``states`` holds one state per machine, in the vocabulary's machine order;
    ``next`` maps every trigger allowed here to the joint state it leads to.
    """

    __slots__ = ("announce", "heads", "next", "receive", "send", "states")

    def __init__(
        self,
        states: tuple[Sentinel, ...],
        receive: tuple[str | None, ...] = (),
        send: tuple[str | None, ...] = (),
        announce: str | None = None,
    ) -> None:
        self.states = states
        self.next: dict[Trigger, JointState] = {}
        #: Per machine position: what the machine's role does with bytes in
        #: its current state (the tables' ``[receive]`` and ``[send]``
        #: words; None for a machine without them).
        self.receive = receive
        self.send = send
        #: The connection option every message head we send from here must
        #: carry (the ``[announce]`` word of whichever machine's state gives
        #: one; None when no state here announces anything).
        self.announce = announce
        #: Composite steps (several triggers fired in a row) already worked
        #: out from here, keyed by whoever asks (see :meth:`Automaton.compose`).
        self.heads: dict[object, Composite] = {}

    def __repr__(self) -> str:
        return f"JointState{self.states!r}"


#: What firing several triggers in a row gives (see :meth:`Automaton.compose`):
#: the joint state after all but the last, the triggers among those that
#: moved a machine, the joint state after the last (None if a trigger was
#: refused), and the last trigger fired or refused.
Composite = tuple[JointState, tuple[Trigger, ...], JointState | None, Trigger]


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
        # Per machine: the triggers it refuses where it has no rule for them.
        self._refusers = [
            frozenset(t for t in vocabulary.triggers.values() if _must_accept(m, t)) for m in machines
        ]
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
        view = self._as_mapping(states)
        while True:
            changed = False
            for i, (_, by_state) in enumerate(self._index):
                for rule in by_state.get(current[i], ()):
                    if rule.guard_holds(view):
                        # The loader refuses state rules that lead back to
                        # their own source, so a rule that holds moves.
                        current[i] = view[self.names[i]] = rule.target
                        changed = True
                        break
            if not changed:
                return tuple(current)

    def _check_settling_terminates(self) -> None:
        """Settle every combination of states once, so that a cycle among
        state-triggered rules is found at load time, not in production.

        Only the machines settling can involve vary: those with
        state-triggered rules and those their guards name. The others keep
        their initial state, which no settling rule looks at."""
        involved = set()
        for machine in self.machines:
            for rule in machine.transitions:
                if rule.kind == "state":
                    involved.add(machine.name)
                    involved.update(rule.guard)
        choices = [m.states if m.name in involved else (m.initial,) for m in self.machines]
        for combo in product(*choices):
            _settle(self.machines, self._as_mapping(combo))

    def _fire_fast(self, states: tuple[Sentinel, ...], trigger: Trigger) -> tuple[Sentinel, ...] | None:
        before = self._as_mapping(states)
        after = list(states)
        for i, refused in enumerate(self._refusers):
            rules = self._index[i][0].get((states[i], trigger), ())
            for rule in rules:
                if rule.guard_holds(before):
                    after[i] = rule.target
                    break
            else:
                if trigger in refused:
                    return None
        return self._settle_fast(tuple(after))

    def _compile(self, initial: tuple[Sentinel, ...]) -> JointState:
        triggers = list(self.vocabulary.triggers.values())
        start = self._joint(initial)
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
                    target = self.joint_states[successor] = self._joint(successor)
                    frontier.append(target)
                joint.next[trigger] = target
        return start

    def _joint(self, states: tuple[Sentinel, ...]) -> JointState:
        """A joint state with each machine's byte words compiled in, and the
        one connection option its states announce, if any."""
        announced = {
            m.name: m.announce[state]
            for m, state in zip(self.machines, states, strict=True)
            if state in m.announce
        }
        if len(set(announced.values())) > 1:
            # A head carries one announcement; which one wins is not
            # something the engine should guess.
            said = ", ".join(f"{name} announces {word!r}" for name, word in announced.items())
            raise TableError(f"[announce] sections disagree in the reachable joint state {states!r}: {said}")
        return JointState(
            states,
            tuple(m.receive.get(state) for m, state in zip(self.machines, states, strict=True)),
            tuple(m.send.get(state) for m, state in zip(self.machines, states, strict=True)),
            next(iter(announced.values()), None),
        )

    # -- run time -----------------------------------------------------------

    def compose(self, joint: JointState, preceding: tuple[Trigger, ...], last: Trigger) -> Composite:
        """Fire *preceding* (signals, say) and then *last* from *joint*, as
        :meth:`fire` would one by one; see :data:`Composite` for the answer.
        A caller keeps the answers in ``joint.heads`` so that the same
        sequence costs one lookup the next time."""
        current = joint
        moved: list[Trigger] = []
        for trigger in preceding:
            after = current.next.get(trigger)
            if after is None:
                return current, tuple(moved), None, trigger
            if after is not current:
                moved.append(trigger)
            current = after
        return current, tuple(moved), current.next.get(last), last

    def fire(self, joint: JointState, trigger: Trigger) -> JointState:
        """The joint state after *trigger*, or :class:`TriggerRefused`."""
        try:
            return joint.next[trigger]
        except KeyError:
            raise self.explain(joint.states, trigger) from None

    def explain(
        self, states: tuple[Sentinel, ...], trigger: Trigger, facts: SignalFacts | None = None
    ) -> TriggerRefused:
        """The error describing why *trigger* is refused in *states*: the
        rule, and the facts that led there. *facts* maps each signal a
        connection fired to the role whose message raised it; without it the
        explanation lists every signal that could have led there."""
        try:
            interpret(self.machines, self._as_mapping(states), trigger, facts=facts)
        except TriggerRefused as refused:
            return refused
        raise AssertionError(f"compiled automaton refused {trigger!r} that the tables allow")

    def lookup(self, states: Mapping[str, Sentinel]) -> JointState | None:
        """The compiled joint state for *states*, if it is reachable."""
        return self.joint_states.get(tuple(states[name] for name in self.names))

    def iter_triggers(self) -> Iterator[Trigger]:
        """Every declared trigger."""
        return iter(self.vocabulary.triggers.values())
