import re
import sys
from pathlib import Path

import pytest

# Let tests import their shared helpers module.
sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say loudly, last thing, that interop tests were skipped for want of
    their real peers (see tests/interop/peers.py): a green run without them
    has not tested against curl, nginx or wrk."""
    from helpers import MISSING_PEER

    reasons = [
        str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
        for report in terminalreporter.stats.get("skipped", [])
    ]
    peers = re.compile(r"(\S+) " + re.escape(MISSING_PEER))
    missing = sorted({match[1] for reason in reasons if (match := peers.search(reason))})
    count = sum(MISSING_PEER in reason for reason in reasons)
    if count:
        terminalreporter.write_sep(
            "!",
            f"{count} interop tests SKIPPED: {', '.join(missing)} not installed "
            "(apt-get install curl nginx-light wrk; with CI=true this is a failure)",
            red=True,
            bold=True,
        )
