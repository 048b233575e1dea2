"""``python -m h11sm.h11``: run a program with h11sm in h11's place.

    python -m h11sm.h11 -m uvicorn app:app --http h11
    python -m h11sm.h11 client.py --verbose
    python -m h11sm.h11 -c "import h11; print(h11.__version__)"

The face is installed (see :func:`h11sm.h11.install`) before the program
starts, and in every Python the program starts in turn. The program then runs
as ``python -m MODULE``, ``python SCRIPT`` or ``python -c CODE`` would run
it, with the arguments that follow.
"""

from __future__ import annotations

import os
import runpy
import sys

from ._install import install, install_in_children

USAGE = """\
usage: python -m h11sm.h11 -m MODULE [ARG ...]
       python -m h11sm.h11 SCRIPT [ARG ...]
       python -m h11sm.h11 -c CODE [ARG ...]

Runs a program written for h11 0.16 on h11sm: `import h11` in it gives
h11sm.h11, and so it does in every Python the program starts (worker
processes, reloaders), through a sitecustomize module put on PYTHONPATH.
"""


def main(argv: list[str]) -> int:
    """Run the program *argv* names (``sys.argv[1:]``); return the exit
    status for a usage error (a finished program exits by itself)."""
    if not argv or argv[0] in ("-h", "--help"):
        stream = sys.stdout if argv else sys.stderr
        stream.write(USAGE)
        return 0 if argv else 2
    option, rest = argv[0], argv[1:]
    if option in ("-m", "-c") and not rest:
        sys.stderr.write(f"python -m h11sm.h11: {option} needs an argument\n\n{USAGE}")
        return 2
    install()
    install_in_children()
    if option == "-m":
        # As `python -m` does: argv[0] becomes the module's file (runpy sets it).
        sys.argv = [rest[0], *rest[1:]]
        runpy.run_module(rest[0], run_name="__main__", alter_sys=True)
    elif option == "-c":
        sys.argv = ["-c", *rest[1:]]
        exec(compile(rest[0], "<string>", "exec"), {"__name__": "__main__"})
    else:
        # As `python SCRIPT` does: the script's folder comes first on the path.
        sys.argv = [option, *rest]
        sys.path.insert(0, os.path.dirname(os.path.abspath(option)))
        runpy.run_path(option, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))  # pragma: no cover - run in a subprocess by the tests
