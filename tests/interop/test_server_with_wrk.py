"""docs/examples/server.py under a bounded load from wrk: 50 keep-alive
connections for 5 seconds, with no socket error and no error status; in one
run every write carries 8 pipelined requests, which must be answered in order
(wrk counts an answer it cannot match as an error)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from peers import ExampleProcess, RegisterLog, assert_clean_wrk_run, require_program, run_command

pytestmark = pytest.mark.interop

DURATION_SECONDS = 5
CONNECTIONS = 50


@pytest.fixture
def quiet_server(tmp_path: Path, docroot: Path, register_log: RegisterLog) -> Iterator[ExampleProcess]:
    """The example server without a line per request (that would measure the log)."""
    server = ExampleProcess("server.py", ["--root", str(docroot)], tmp_path, register_log)
    try:
        yield server
    finally:
        server.stop()
    server.check_no_crash()


#: wrk's Lua hook: every write carries this many requests, pipelined.
PIPELINE_SCRIPT = """
local depth = 8
local batch = {}
init = function(args)
    for i = 1, depth do batch[i] = wrk.format("GET", i % 2 == 0 and "/stream?lines=3" or "/hello.txt") end
    batch = table.concat(batch)
end
request = function() return batch end
"""


@pytest.mark.parametrize(
    ("path", "pipelined"),
    [("/hello.txt", False), ("/stream?lines=5", False), ("/", True)],
    ids=["content-length", "chunked", "pipelined"],
)
def test_wrk_load_without_errors(quiet_server: ExampleProcess, tmp_path: Path, path: str, pipelined: bool) -> None:
    wrk = require_program("wrk")
    script: list[str] = []
    if pipelined:
        (tmp_path / "pipeline.lua").write_text(PIPELINE_SCRIPT)
        script = ["--script", str(tmp_path / "pipeline.lua")]
    result = run_command(
        [wrk, "--threads", "2", "--connections", str(CONNECTIONS), "--duration", f"{DURATION_SECONDS}s",
         "--timeout", "5s", *script, f"{quiet_server.url.rstrip('/')}{path}"],
        timeout=DURATION_SECONDS + 30,
    )
    assert_clean_wrk_run(result, at_least=100 * DURATION_SECONDS + 1)
