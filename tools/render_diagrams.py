#!/usr/bin/env python3
"""Draw the connection machines as state diagrams (a checkout's shortcut).

The renderer lives in the package (``h11sm/_diagrams.py``), so that an
installed h11sm can draw its own tables with ``h11sm diagrams OUTDIR``; this
script runs that command from a source checkout without installing it.

Usage::

    python tools/render_diagrams.py OUTDIR [--tables DIR] [--format svg,png,dot]
"""

from __future__ import annotations

import sys
from pathlib import Path

try:
    import h11sm  # noqa: F401 - only checks that the package is importable
except ImportError:  # run from a checkout without installing: use the checkout's package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from h11sm._cli import main

if __name__ == "__main__":
    raise SystemExit(main(["diagrams", *sys.argv[1:]], prog="render_diagrams.py"))
