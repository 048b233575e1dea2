"""Build script: the pure-Python package by default; with ``H11SM_COMPILE=1``
in the environment, the same source with its core modules compiled to C
extensions by mypyc (``make wheel-compiled``; see docs/performance.rst).

Everything else about the package (name, metadata, the tables shipped as
data files inside it) is declared in pyproject.toml and is the same for
both builds. The compiled wheel still holds every ``.py`` file: a module
that is not compiled runs from its source, and a compiled one is imported
from its extension, which Python prefers when both are there.
"""

from __future__ import annotations

import os

from setuptools import setup

#: The environment variable that asks for the compiled build.
COMPILE_VARIABLE = "H11SM_COMPILE"

# The modules compiled by mypyc: the code every message runs through.
#
# Left interpreted, and why:
# * h11sm/__init__.py, h11sm/_version.py: imports and a constant, nothing to gain.
# * h11sm/machines.py, h11sm/__main__.py, h11sm/_cli.py, h11sm/_diagrams.py:
#   introspection, the command line and the diagram renderer run once, not
#   per message; and ``python -m h11sm.machines`` / ``python -m h11sm`` need
#   a module with Python code to run as __main__.
# * h11sm/h11/: the h11 0.16 face builds classes that are their own type
#   (a metaclass), which mypyc cannot compile; it is a thin translation over
#   the compiled core.
# * h11sm/_errors.py: compiles, but a compiled class ignores the
#   __module__ set in its body, and tracebacks would name the private
#   module instead of h11sm.LocalProtocolError and the like.
# * h11sm/_sentinels.py: compiles (and runs, once Sentinel.named makes its
#   objects inside __new__), but gains nothing (sentinels are compared by
#   identity) and would make mypyc check every argument annotated Sentinel
#   itself, ahead of the documented ValueError.
# docs/performance.rst says more.
COMPILED_MODULES = [
    "h11sm/_abnf.py",
    "h11sm/_codec/__init__.py",
    "h11sm/_codec/_bodies.py",
    "h11sm/_codec/_buffer.py",
    "h11sm/_codec/_facts.py",
    "h11sm/_codec/_fields.py",
    "h11sm/_codec/_framing.py",
    "h11sm/_codec/_heads.py",
    "h11sm/_codec/_limits.py",
    "h11sm/_codec/_writers.py",
    "h11sm/_compiled.py",
    "h11sm/_connection.py",
    "h11sm/_engine.py",
    "h11sm/_events.py",
    "h11sm/_head_step.py",
    "h11sm/_headers.py",
    "h11sm/_tables.py",
]


def compiled_extensions() -> list[object]:
    """The mypyc extensions, or none for the default (pure-Python) build."""
    if os.environ.get(COMPILE_VARIABLE, "") in ("", "0"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError as error:  # only when built without the backend's requirements
        raise SystemExit(
            f"{COMPILE_VARIABLE}=1 needs mypy (which provides mypyc) in the build environment: "
            "pip install mypy, or build with isolation (the default), which installs it"
        ) from error
    # The type checker's settings come from [tool.mypy] in pyproject.toml
    # (strict): the compiler sees the same types `make lint` checks.
    # group_name names the one shared library that holds the compiled code
    # (h11sm__mypyc.*.so, beside the package) instead of a hash.
    return list(mypycify(COMPILED_MODULES, group_name="h11sm", opt_level="3"))


if __name__ == "__main__":  # (as setuptools runs it; tests read COMPILED_MODULES without building)
    setup(ext_modules=compiled_extensions())
