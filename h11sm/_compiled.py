"""The package's own tables, compiled once at import into the automaton that
every :class:`~h11sm.Connection` runs on.

It lives apart from :mod:`h11sm.machines` so that importing :mod:`h11sm` does
not import the public inspection module (which can then also run as
``python -m h11sm.machines`` without being imported twice).
"""

from __future__ import annotations

from typing import Final

from ._engine import Automaton

__all__ = ["AUTOMATON"]

AUTOMATON: Final = Automaton.from_directory()
