"""Compare the speed of this checkout's h11sm with another commit's, A/B.

``tools/bench.py`` compares h11sm with other libraries; this compares h11sm
with itself. The package (and its tables) at *BASE* is extracted with
``git archive`` into a temporary directory and imported under another name,
next to the checkout's own, in one process. The two then take turns on the
same workloads as ``bench.py`` (the message workloads by default), and the
best CPU time per operation of each is reported with the speedup.

Taking turns in one process is what makes changes of a few per cent
visible on a shared machine, where separate runs drift by more than that.
Even so, an A/A comparison (``BASE`` = ``HEAD`` with a clean tree) shows
how much the figures lean one way by chance (on the project's machine,
up to about 3 %); read the speedups against it::

    .venv/bin/python tools/bench_ab.py HEAD~3
    .venv/bin/python tools/bench_ab.py HEAD --only client_cycle --repetitions 21

This is a tool, not a test: nothing in the test suite depends on timings.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tools"):
    if str(path) not in sys.path:  # run from a checkout without installing
        sys.path.insert(0, str(path))

import bench  # noqa: E402

# The workloads where per-message overhead shows; the others take longer
# and move less.
DEFAULT_WORKLOADS = ("server_cycle", "client_cycle", "keep_alive", "pipelined")
BASE_NAME = "h11sm_base"


def extract(base: str, into: Path) -> Path:
    """Write the package and tables of commit *base* under *into*; return
    the package directory."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", base, "h11sm", "tables"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):  # (Python 3.11.4 and later)
            tar.extraction_filter = tarfile.data_filter
        tar.extractall(into)
    return into / "h11sm"


def compare(base_package: ModuleType, keys: Sequence[str], repetitions: int, seconds: float) -> list[dict[str, object]]:
    """Time each workload for the checkout and for *base_package*, in turns,
    and return the best seconds per operation of each and the speedup."""
    ours = bench.H11smKit()
    theirs = bench.H11smKit()
    theirs.h = base_package
    results = []
    for workload in bench.make_workloads(1 << 20):
        if workload.key not in keys:
            continue
        new, old = workload.build(ours), workload.build(theirs)
        if workload.summarise(new()) != workload.summarise(old()):
            raise AssertionError(f"{workload.key}: the two versions did different work")
        best = {"new": float("inf"), "base": float("inf")}
        counts: dict[str, int | None] = {"new": None, "base": None}
        for repetition in range(repetitions):
            # Alternate which goes first, so neither always runs warm.
            order = [("new", new), ("base", old)] if repetition % 2 else [("base", old), ("new", new)]
            for name, operation in order:
                per_op, counts[name], _ = bench.time_operation(operation, seconds, counts[name])
                best[name] = min(best[name], per_op)
        results.append(
            {"key": workload.key, "new": best["new"], "base": best["base"], "speedup": best["base"] / best["new"]}
        )
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="the commit to compare with (anything git understands: HEAD~1, a hash...)")
    parser.add_argument("--only", action="append", metavar="KEY", help="run only this workload (repeatable)")
    parser.add_argument("--repetitions", type=int, default=15, help="turns per library (default 15)")
    parser.add_argument("--seconds", type=float, default=0.1, help="CPU seconds per turn (default 0.1)")
    args = parser.parse_args(argv)
    keys = tuple(args.only) if args.only else DEFAULT_WORKLOADS
    with tempfile.TemporaryDirectory() as temporary:
        base_package = bench.import_package(BASE_NAME, extract(args.base, Path(temporary)))
        results = compare(base_package, keys, args.repetitions, args.seconds)
    print(f"{'workload':16s} {'checkout':>12s} {args.base[:12]:>12s}  speedup")
    for row in results:
        print(f"{row['key']:16s} {row['new'] * 1e6:10.2f}µs {row['base'] * 1e6:10.2f}µs  {row['speedup']:.3f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
