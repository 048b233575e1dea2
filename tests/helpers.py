"""Small tools the connection tests share."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from h11sm import CLIENT, SERVER, Connection
from h11sm._events import Event

#: Whether the package under test is the mypyc-compiled build (make
#: test-compiled), where a few errors come from the compiler's own checks.
COMPILED = str(sys.modules[Connection.__module__].__file__).endswith(".so")


def compiled_type_error(expected: str, value: object) -> str:
    """The message of the TypeError with which compiled code refuses *value*
    for an argument annotated *expected*, as a pattern for pytest.raises.

    mypyc checks every argument against its annotation on entry, before the
    function's own check can give h11sm's message, which names the argument.
    It is still a TypeError, and nothing has changed when it is raised.
    """
    got = "None" if value is None else type(value).__name__
    return f"^{expected} object expected; got {got}$"

#: In the reason of every interop test skipped for want of a real peer
#: (tests/interop/peers.py), so that the run's summary can count them
#: (tests/conftest.py).
MISSING_PEER = "is not installed, and the interop tests need it as a real peer"


def pair() -> tuple[Connection, Connection]:
    """A client and a server connection, to be wired together by hand."""
    return Connection(CLIENT), Connection(SERVER)


def deliver(sender: Connection, receiver: Connection, *events: Event) -> list[Event]:
    """Send *events* from one side and return what the other side receives."""
    received: list[Event] = []
    for event in events:
        data = sender.send(event)
        if data is None:
            received += receiver.receive_data(b"")
        elif data:
            received += receiver.receive_data(data)
    return received


def normalize_data(events: list[Event]) -> list[Event]:
    """Merge consecutive Data events: how a body is split depends on arrival."""
    from h11sm import Data

    merged: list[Event] = []
    for event in events:
        if type(event) is Data and merged and type(merged[-1]) is Data:
            merged[-1] = Data(data=bytes(merged[-1].data) + bytes(event.data))  # type: ignore[attr-defined]
        else:
            merged.append(event)
    return merged


def fuzz_tool() -> ModuleType:
    """``tools/fuzz.py``, loaded once for every test module that uses it:
    the one home of the stream generators, the damage and the checks that
    the fuzzer runs, so the tests run exactly what ``make fuzz`` runs."""
    name = "h11sm_fuzz_tool"
    if name not in sys.modules:
        path = Path(__file__).resolve().parent.parent / "tools" / "fuzz.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[name]
