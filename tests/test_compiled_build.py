"""The compiled build (``make wheel-compiled``, issue 13) is what a compiled
test run really imports.

``make test-compiled`` (and so ``.ci/run``) installs the mypyc-compiled
wheel into a fresh venv and runs this suite against it with
``H11SM_EXPECT_COMPILED=1``; a suite that silently picked up the source
tree's ``h11sm/`` instead would pass without testing the compiled code, so
here that is a failure. In the ordinary run the same check proves the
opposite: the modules are the interpreted sources.
"""

from __future__ import annotations

import ast
import importlib
import os
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXPECT_COMPILED = os.environ.get("H11SM_EXPECT_COMPILED") == "1"


def _setup_py_globals() -> dict[str, object]:
    """setup.py's module-level names, without running setup() (the default
    pure build asks for no extensions, so nothing is built)."""
    return runpy.run_path(str(ROOT / "setup.py"), run_name="h11sm_setup_listing_only")


def _compiled_module_names() -> list[str]:
    paths = _setup_py_globals()["COMPILED_MODULES"]
    assert isinstance(paths, list)
    names = []
    for path in paths:
        parts = Path(path).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_the_listed_modules_exist_and_the_hot_path_is_listed() -> None:
    names = _compiled_module_names()
    for path in _setup_py_globals()["COMPILED_MODULES"]:  # type: ignore[attr-defined]
        assert (ROOT / path).is_file(), path
    for needed in ("h11sm._connection", "h11sm._codec._heads", "h11sm._codec._bodies", "h11sm._codec._fields"):
        assert needed in names


@pytest.mark.parametrize("name", _compiled_module_names())
def test_each_listed_module_is_compiled_exactly_when_expected(name: str) -> None:
    module = importlib.import_module(name)
    where = str(module.__file__)
    if EXPECT_COMPILED:
        assert where.endswith(".so"), f"{name} came from {where}, not from the compiled wheel"
        assert not where.startswith(str(ROOT / "h11sm")), f"{name} came from the source tree"
    else:
        assert where.endswith(".py"), where


def test_the_tables_load_from_data_files_in_the_package() -> None:
    from h11sm._tables import default_tables_dir

    tables = default_tables_dir()
    assert sorted(path.name for path in tables.glob("*.toml")) == [
        "client.toml",
        "expect_continue.toml",
        "keep_alive.toml",
        "request_version.toml",
        "server.toml",
        "switch_protocol.toml",
        "vocabulary.toml",
    ]
    if EXPECT_COMPILED:  # inside the installed package, beside the extensions
        assert tables.parent == Path(importlib.import_module("h11sm").__file__ or "").parent


# Module-level names of the compiled modules that are not constants: type
# aliases (mypyc treats them as types, not values) and the one flag that
# changes once.
NOT_CONSTANTS = {
    "h11sm/_codec/_bodies.py": {"ChunkFields", "BodyReader"},
    "h11sm/_codec/_facts.py": {"HeadFacts"},
    "h11sm/_codec/_writers.py": {"BodyWriter"},
    "h11sm/_engine.py": {"States", "SignalFacts", "Composite"},
    "h11sm/_events.py": {"BytesLike", "ChunkExtensions", "_sealed"},
    "h11sm/_headers.py": {"_Field"},
    "h11sm/_tables.py": {"TransitionKind", "TriggerKind", "Guard"},
}


def _is_final(annotation: ast.expr) -> bool:
    if isinstance(annotation, ast.Subscript):
        annotation = annotation.value
    return isinstance(annotation, ast.Name) and annotation.id == "Final"


@pytest.mark.parametrize("path", _setup_py_globals()["COMPILED_MODULES"])  # type: ignore[arg-type]
def test_module_constants_of_compiled_modules_are_final(path: str) -> None:
    # Compiled code reads a Final from a C variable, and any other
    # module-level name from the module's dictionary on every use: a lookup
    # that cost the compiled server cycle about 7 % when the codec's
    # patterns were plain assignments.
    tree = ast.parse((ROOT / path).read_text())
    plain = set()
    for node in tree.body:
        if isinstance(node, ast.Assign):
            plain |= {target.id for target in node.targets if isinstance(target, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and not _is_final(node.annotation):
            plain.add(node.target.id)
    assert plain - {"__all__"} - NOT_CONSTANTS.get(path, set()) == set()
