"""No module of the package reads another module's private names.

Each module keeps its own underscored names (slots, helpers, private
methods) to itself; other modules go through what it offers without an
underscore (``special_fields(headers)``, ``buf.data``, ``Data.extensions``).
That keeps a change inside one module from breaking another silently.

The check reads the source: it gathers the private names each module defines
(assigned, declared in ``__slots__``, defined as functions, methods or
classes), then looks at every ``something._name`` outside ``self`` and
``cls``: a name that only *other* modules define is a read across the
boundary. The one exception is the events' and headers' ``_from_wire``
constructors, the documented way the codec builds values it has already
checked (see ``h11sm/_events.py``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "h11sm"
# The unchecked constructors the codec is meant to call.
SHARED_BY_DESIGN = frozenset({"_from_wire", "_from_wire_chunk"})


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _defined_names(tree: ast.Module) -> set[str]:
    """The private names a module defines for itself."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # __slots__ entries (and other strings: a name only counts when
            # some module reads it as an attribute, below).
            names.add(node.value)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return {name for name in names if _private(name)}


def _reads(tree: ast.Module) -> list[tuple[int, str]]:
    """Every ``expr._name`` read where expr is not ``self`` or ``cls``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr) and isinstance(node.ctx, ast.Load):
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                continue
            found.append((node.lineno, node.attr))
    return found


MODULES = {
    path.relative_to(PACKAGE.parent).as_posix(): ast.parse(path.read_text(encoding="utf-8"))
    for path in sorted(PACKAGE.rglob("*.py"))
}
DEFINED = {module: _defined_names(tree) for module, tree in MODULES.items()}


def _crossings(module: str, tree: ast.Module) -> list[str]:
    own = DEFINED[module]
    others = set().union(*(names for other, names in DEFINED.items() if other != module))
    return [
        f"{module}:{line}: reads {name}, which only another module defines"
        for line, name in _reads(tree)
        if name not in own and name in others and name not in SHARED_BY_DESIGN
    ]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_reads_another_modules_private_names(module: str) -> None:
    assert _crossings(module, MODULES[module]) == []


def test_the_check_finds_a_read_across_the_boundary() -> None:
    # A module reading the Headers class's private slot is caught.
    tree = ast.parse("def f(headers):\n    return headers._special\n")
    DEFINED["probe.py"] = _defined_names(tree)
    try:
        assert _crossings("probe.py", tree) == ["probe.py:2: reads _special, which only another module defines"]
    finally:
        del DEFINED["probe.py"]
