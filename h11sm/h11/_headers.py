"""The header sequence of the h11 0.16 face: h11sm's :class:`~h11sm.Headers`
(``raw_items()`` gives the names in the case they were given or received)."""

from __future__ import annotations

from .._headers import Headers

__all__ = ["Headers"]
