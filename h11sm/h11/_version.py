"""The version of the h11 0.16 face: the h11 API it speaks, then h11sm's own
version as a local label (PEP 440), so that version checks written for h11
0.16 pass and the engine is still visible."""

from __future__ import annotations

from .._version import __version__ as _h11sm_version

__version__ = f"0.16.0+h11sm.{_h11sm_version}"
