"""``make test`` on a contributor's machine without the real peers: their
tests are skipped and the run ends with a loud line naming what is missing;
under ``CI=true`` (as ``.ci/run`` sets it) a missing peer fails the run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ONE_CURL_TEST = "tests/interop/test_server_with_curl.py::test_keep_alive_serves_several_urls_on_one_connection"


def run_without_programs(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    empty = tmp_path / "no-programs"
    empty.mkdir(exist_ok=True)
    environment = {key: value for key, value in os.environ.items() if key != "CI"}
    environment.update(PATH=str(empty), **env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", ONE_CURL_TEST],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.skipif(not (ROOT / ONE_CURL_TEST.partition("::")[0]).exists(), reason="no interop tests")
def test_a_missing_peer_is_skipped_loudly(tmp_path: Path) -> None:
    result = run_without_programs(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    summary = [line.strip("! ") for line in result.stdout.splitlines() if "interop tests SKIPPED" in line]
    assert summary == [
        "1 interop tests SKIPPED: curl not installed (apt-get install curl nginx-light wrk; "
        "with CI=true this is a failure)"
    ], result.stdout


@pytest.mark.skipif(not (ROOT / ONE_CURL_TEST.partition("::")[0]).exists(), reason="no interop tests")
def test_under_ci_a_missing_peer_fails(tmp_path: Path) -> None:
    result = run_without_programs(tmp_path, CI="true")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed" in result.stdout
    assert "curl is not installed, and the interop tests need it as a real peer: apt-get install curl " in (
        result.stdout
    )
    assert "(CI=true: a missing peer is a failure)" in result.stdout
    assert "interop tests SKIPPED" not in result.stdout
