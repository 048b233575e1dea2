"""Putting the face in h11's place: after :func:`install`, ``import h11``
(and the private modules of h11 that embedders import) gives this package.

It works through ``sys.modules``, the table the import system consults first,
so it affects the current interpreter only, and only imports made after it.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Final

__all__ = ["BOOT_FOLDER", "install", "install_at_startup", "uninstall"]

#: The folder whose ``sitecustomize`` installs the face when Python starts.
BOOT_FOLDER: Final = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_boot")

# h11's module names -> the modules of this face that stand in for them.
# Besides the package, the private modules programs are known to import:
# uvicorn reads h11._connection.DEFAULT_MAX_INCOMPLETE_EVENT_SIZE, others
# h11._headers.Headers or the error classes from h11._util.
_STAND_INS: Final = {
    "h11": "h11sm.h11",
    "h11._connection": "h11sm.h11._connection",
    "h11._events": "h11sm.h11._events",
    "h11._headers": "h11sm.h11._headers",
    "h11._state": "h11sm.h11._state",
    "h11._util": "h11sm.h11._util",
    "h11._version": "h11sm.h11._version",
}


def install() -> None:
    """Make ``import h11`` in this interpreter give :mod:`h11sm.h11`.

    Call it before anything imports ``h11``: a module that already holds
    the real h11 would keep it. If the real h11 was imported already, this
    raises :exc:`RuntimeError` rather than leave two engines side by side.
    Calling it again is harmless.
    """
    face = importlib.import_module("h11sm.h11")
    current = sys.modules.get("h11")
    if current is not None and current is not face:
        raise RuntimeError(
            "the real h11 is already imported: call h11sm.h11.install() before importing h11 "
            "or any library that uses it (or start the program with python -m h11sm.h11)"
        )
    for name, stand_in in _STAND_INS.items():
        sys.modules[name] = importlib.import_module(stand_in)


def uninstall() -> None:
    """Undo :func:`install`: later imports of ``h11`` find the real package
    again (if it is installed). Modules that imported h11 meanwhile keep
    the face."""
    for name, stand_in in _STAND_INS.items():
        module = sys.modules.get(name)
        if module is not None and module.__name__ == stand_in:
            del sys.modules[name]


def install_in_children() -> None:
    """Make every Python this process starts install the face at startup:
    put :data:`BOOT_FOLDER` first on ``PYTHONPATH`` in our environment,
    which child processes inherit. (Servers start their workers and
    reloaders as new interpreters, which :func:`install` alone would not
    reach.)"""
    inherited = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = BOOT_FOLDER if not inherited else BOOT_FOLDER + os.pathsep + inherited


def install_at_startup(boot_module_file: str) -> None:
    """What the boot folder's ``sitecustomize`` does: :func:`install`, then
    run the ``sitecustomize`` module that ours hides on ``sys.path`` (a
    distribution's or a virtual environment's), as Python would have."""
    install()
    ours = sys.modules.pop("sitecustomize", None)
    folder = os.path.dirname(os.path.abspath(boot_module_file))
    hidden_path = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != folder]
    saved_path = sys.path[:]
    sys.path[:] = hidden_path
    try:
        importlib.import_module("sitecustomize")
    except ImportError:
        if ours is not None:
            sys.modules["sitecustomize"] = ours
    finally:
        sys.path[:] = saved_path
