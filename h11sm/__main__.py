"""``python -m h11sm``: the ``h11sm`` command (see :mod:`h11sm._cli`)."""

from __future__ import annotations

from ._cli import main

if __name__ == "__main__":
    raise SystemExit(main(prog="python -m h11sm"))
