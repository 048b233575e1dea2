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


# -- the compiled build (make test-compiled, issue 13) ------------------------------
#
# Tests that reach into the interpreted code in a way compiled code cannot
# honour; skipped (with the reason) only when the suite runs against the
# mypyc-compiled wheel. Everything they check is a property of the shared
# source, which the interpreted run (make test) proves.
_PATCHES_MODULE_FUNCTIONS = (
    "they patch module-level functions or patterns, which compiled code calls directly, not through the module"
)
NOT_FOR_THE_COMPILED_BUILD = {
    ("test_codec_properties.py", "test_fast_and_careful_field_parsers_agree"): _PATCHES_MODULE_FUNCTIONS,
    # The scan counters replace the codec's patterns and buffers: compiled
    # code would not be counted, so the linear-time bounds would hold vacuously.
    ("test_hostile_properties.py", "test_byte_at_a_time_costs_a_small_constant_times_whole"): _PATCHES_MODULE_FUNCTIONS,
    ("test_hostile_properties.py", "test_the_count_would_catch_rescanning_from_the_start"): _PATCHES_MODULE_FUNCTIONS,
    ("test_hostile_properties.py", "test_any_piece_size_stays_linear"): _PATCHES_MODULE_FUNCTIONS,
    # These replace the field-line patterns or the careful parser with stand-ins
    # that fail when used: compiled code would never use the stand-ins.
    ("test_hostile_round_two.py", "test_field_count_enforced_before_the_lines_are_parsed"): _PATCHES_MODULE_FUNCTIONS,
    ("test_hostile_round_two.py", "test_trailing_whitespace_takes_the_fast_path"): _PATCHES_MODULE_FUNCTIONS,
    ("test_headers.py", "test_headers_objects_take_no_new_attributes"): (
        "Headers keeps collections.abc.Sequence as its base (so that type checkers see a Sequence), and a "
        "class compiled by mypyc with a Python base gives its objects a __dict__"
    ),
    ("test_errors.py", "test_an_unexpected_failure_while_sending_a_head_still_breaks_our_side"): (
        "it makes an event without fields with object.__new__, which a class compiled by mypyc refuses"
    ),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    import os

    if os.environ.get("H11SM_EXPECT_COMPILED") != "1":
        return
    for item in items:
        function = getattr(item, "originalname", item.name)
        reason = NOT_FOR_THE_COMPILED_BUILD.get((item.path.name, function))
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=f"compiled build: {reason}"))
