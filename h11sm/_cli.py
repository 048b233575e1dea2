"""The ``h11sm`` command (also ``python -m h11sm``): the machines from a shell.

Three questions, one subcommand each, all answered from the tables of the
installed package:

* ``h11sm machines [NAME ...]``: print the tables (text that fits 100
  columns, or ``--json``, or ``--dot``);
* ``h11sm next [MACHINE=STATE ...]``: what may happen from these states, and
  where each trigger leads;
* ``h11sm diagrams OUTDIR``: draw the diagrams (SVG, PNG, DOT), which needs
  the optional extra ``pip install 'h11sm[diagrams]'`` and Graphviz's ``dot``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import machines as m
from ._sentinels import Sentinel
from ._tables import Machine, Transition, Trigger
from ._version import __version__

__all__ = ["main"]

#: Exit statuses: 0 done, 1 could not do it (a missing tool, a refused
#: trigger), 2 a mistake on the command line (argparse's own convention).
OK, FAILED, USAGE = 0, 1, 2


# -- machines -----------------------------------------------------------------


def _trigger_json(trigger: Trigger | None) -> dict[str, Any] | None:
    if trigger is None:
        return None
    return {
        "kind": trigger.kind,
        "name": trigger.name,
        "by": None if trigger.role is None else trigger.role.name.lower(),
        "label": trigger.label,
    }


def _transition_json(t: Transition) -> dict[str, Any]:
    return {
        "from": "*" if t.from_any else t.source.name,
        "trigger": _trigger_json(t.trigger),
        "to": t.target.name,
        "kind": t.kind,
        "guard": {name: sorted(s.name for s in states) for name, states in t.guard.items()},
        "priority": t.priority,
        "why": t.why,
        "where": t.where,
    }


def machine_json(machine: Machine) -> dict[str, Any]:
    """A machine as plain JSON data (a ``from = "*"`` rule appears once)."""
    seen: set[str] = set()
    transitions = []
    for t in machine.transitions:
        if t.from_any and t.where in seen:
            continue
        seen.add(t.where)
        transitions.append(_transition_json(t))
    return {
        "name": machine.name,
        "file": machine.file,
        "role": None if machine.role is None else machine.role.name.lower(),
        "initial": machine.initial.name,
        "states": [s.name for s in machine.states],
        "transitions": transitions,
        "receive": {state.name: mode for state, mode in machine.receive.items()},
        "send": {state.name: mode for state, mode in machine.send.items()},
        "announce": {state.name: option for state, option in machine.announce.items()},
    }


def _machine_name(text: str) -> str:
    if text not in m.MACHINES:
        raise argparse.ArgumentTypeError(f"unknown machine {text!r}; choose from {', '.join(m.MACHINES)}")
    return text


def _machines(args: argparse.Namespace) -> int:
    chosen = [m.MACHINES[name] for name in args.names] or list(m.MACHINES.values())
    if args.json:
        print(json.dumps([machine_json(machine) for machine in chosen], indent=2, ensure_ascii=False))
    elif args.dot:
        from . import _diagrams

        try:
            sources = [_diagrams.dot_source(machine) for machine in chosen]
        except _diagrams.DiagramsUnavailable as exc:
            print(f"h11sm machines: {exc}", file=sys.stderr)
            return FAILED
        print("\n".join(sources), end="")
    else:
        print("\n\n".join(m.format_machine(machine) for machine in chosen))
    return OK


# -- next ---------------------------------------------------------------------


def _parse_assignment(text: str) -> tuple[str, str]:
    name, equals, state = text.partition("=")
    if not equals or not name or not state:
        raise argparse.ArgumentTypeError(f"expected MACHINE=STATE (such as client=DONE), not {text!r}")
    return name, state


def _describe_change(before: dict[str, Sentinel], after: dict[str, Sentinel]) -> str:
    changes = [f"{name} {state!r}" for name, state in after.items() if before[name] is not state]
    return ", ".join(changes) or "(no change)"


def _trigger_name(trigger: Trigger) -> str:
    by = f" by {trigger.role.name.lower()}" if trigger.role is not None else ""
    return f"{trigger.name}{by}"


def _next(args: argparse.Namespace) -> int:
    states = dict(args.states)
    try:
        start = m.complete_states(states)
        if args.trigger is not None:
            allowed = {m.find_trigger(args.trigger, args.by): m.next_states(states, args.trigger, by=args.by)}
        else:
            allowed = m.allowed_triggers(states, by=args.by)
    except m.TriggerRefused as refused:
        print(f"refused: {refused}", file=sys.stderr)
        return FAILED
    except ValueError as exc:
        print(f"h11sm next: {exc}", file=sys.stderr)
        return USAGE
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "trigger": _trigger_json(trigger),
                        "to": {name: state.name for name, state in after.items()},
                    }
                    for trigger, after in allowed.items()
                ],
                indent=2,
            )
        )
        return OK
    print("from " + " ".join(f"{name}={state!r}" for name, state in start.items()) + ":")
    width = max((len(_trigger_name(t)) for t in allowed), default=0)
    for trigger, after in allowed.items():
        print(f"  {_trigger_name(trigger):{width}}  -> {_describe_change(start, after)}")
    return OK


# -- diagrams -----------------------------------------------------------------


def _diagrams_command(args: argparse.Namespace) -> int:
    from . import _diagrams

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = [f for f in formats if f not in (*_diagrams.FORMATS, "dot")]
    if unknown:
        print(f"h11sm diagrams: unknown format(s) {', '.join(unknown)}; choose from svg, png, dot", file=sys.stderr)
        return USAGE
    images = [f for f in formats if f != "dot"]
    try:
        result = _diagrams.write_all(args.outdir, tables=args.tables, formats=images)
    except _diagrams.DiagramsUnavailable as exc:
        print(f"h11sm diagrams: {exc}", file=sys.stderr)
        return FAILED
    except m.TableError as exc:
        print(f"h11sm diagrams: {exc}", file=sys.stderr)
        return FAILED
    drawn = len([p for p in result.written if p.suffix == ".dot"])
    if result.dot_missing and images:
        print(
            f"h11sm diagrams: Graphviz's 'dot' program was not found, so only the DOT files of {drawn} machines "
            f"were written to {args.outdir}; {_diagrams.INSTALL_HINT}",
            file=sys.stderr,
        )
        return FAILED
    print(f"drew {drawn} machines into {args.outdir} ({', '.join(['dot', *images])})")
    return OK


# -- the parser ----------------------------------------------------------------


_MACHINES_DESCRIPTION = "Print the machine tables (all, or those named)."


def _add_machines_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", type=_machine_name, metavar="NAME", help=f"any of: {', '.join(m.MACHINES)}")
    style = parser.add_mutually_exclusive_group()
    style.add_argument("--json", action="store_true", help="print JSON data instead of text")
    style.add_argument("--dot", action="store_true", help="print the Graphviz source (needs h11sm[diagrams])")
    parser.set_defaults(handler=_machines)


def build_machines_parser(prog: str) -> argparse.ArgumentParser:
    """The ``machines`` command on its own (``python -m h11sm.machines``)."""
    parser = argparse.ArgumentParser(prog=prog, description=_MACHINES_DESCRIPTION)
    _add_machines_arguments(parser)
    return parser


def build_parser(prog: str = "h11sm") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Ask the HTTP/1.1 connection machines of h11sm questions, from the installed tables.",
        epilog=f"'{prog} COMMAND --help' describes each command.",
    )
    parser.add_argument("--version", action="version", version=f"h11sm {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    _add_machines_arguments(
        commands.add_parser("machines", help="print the machine tables", description=_MACHINES_DESCRIPTION)
    )

    after = commands.add_parser(
        "next",
        help="what can happen from given states, and where it leads",
        description=(
            "List every trigger the tables allow from the given states (machines not named start in their "
            "initial state) and the states each one leads to. Example: next client=DONE server=SEND_RESPONSE"
        ),
    )
    after.add_argument("states", nargs="*", type=_parse_assignment, metavar="MACHINE=STATE")
    after.add_argument("--by", choices=["client", "server"], help="only the events this role may send")
    after.add_argument("--trigger", help="ask about this one trigger only (it may be refused)")
    after.add_argument("--json", action="store_true", help="print JSON data instead of text")
    after.set_defaults(handler=_next)

    diagrams = commands.add_parser(
        "diagrams",
        help="draw the state diagrams (SVG, PNG, DOT)",
        description=(
            "Draw every machine into OUTDIR: NAME.dot, the rendered images and NAME_table.rst. Needs "
            "pip install 'h11sm[diagrams]' and, for SVG and PNG, Graphviz's dot program."
        ),
    )
    diagrams.add_argument("outdir", type=Path, metavar="OUTDIR", help="where to write the files (created if needed)")
    diagrams.add_argument("--format", default="svg,png,dot", help="comma-separated: svg, png, dot (default: all)")
    diagrams.add_argument("--tables", type=Path, help="draw the table files in this directory instead")
    diagrams.set_defaults(handler=_diagrams_command)
    return parser


def _quiet_on_closed_pipe() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush does not
    report the pipe our reader closed (``h11sm machines | head``)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def main(argv: Sequence[str] | None = None, *, prog: str = "h11sm") -> int:
    """Run the command line; return the exit status."""
    return run(build_parser(prog), argv)


def run(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    """Parse *argv* with *parser* and run the chosen command."""
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        status = handler(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader has all it wanted: that is not an error of ours.
        _quiet_on_closed_pipe()
        return OK
    return status
