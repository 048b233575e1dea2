"""tools/bench.py works, with or without the reference libraries installed.

Not a timing test: the iteration counts are tiny and no figure is asserted,
only that every workload runs, checks its own work and is reported.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH_PATH = Path(__file__).resolve().parent.parent / "tools" / "bench.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("h11sm_bench", BENCH_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _without_references(monkeypatch: pytest.MonkeyPatch, bench: ModuleType) -> None:
    """Make every reference library look uninstalled."""
    real_import = importlib.import_module

    def refuse(name: str, package: str | None = None) -> ModuleType:
        if name in {module for _, module in bench.REFERENCES}:
            raise ImportError(f"pretend {name} is not installed")
        return real_import(name, package)

    monkeypatch.setattr(bench.importlib, "import_module", refuse)


def test_every_workload_runs_for_h11sm_alone(bench: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    _without_references(monkeypatch, bench)
    config = bench.Config(repetitions=1, seconds=0.0001, body_size=1 << 20)
    result = bench.run(config)
    assert result["missing"] == ["h11", "h11-mypyc", "httptools"]
    keys = [row["key"] for row in result["rows"]]
    assert keys == [
        "server_cycle",
        "client_cycle",
        "keep_alive",
        "pipelined",
        "body_content_length",
        "body_chunked",
        "trickle_4k",
        "trickle_64k",
        "whole_64k",
        "whole_16k",
        "worst_16k",
        "empty_fields_16k",
    ]
    for row in result["rows"]:
        assert list(row["figures"]) == ["h11sm"]
        assert row["figures"]["h11sm"] > 0
        assert list(row["page_faults"]) == ["h11sm"]
    # Without references only the linearity target can be judged.
    assert [item["target"] for item in result["targets"]] == ["trickle: per-byte cost 64 KiB / 4 KiB <= 1.5"]
    table = bench.format_table(result)
    assert "not installed, skipped: h11, h11-mypyc, httptools" in table
    assert "1. server cycle" in table


def test_command_line_writes_json(bench: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _without_references(monkeypatch, bench)
    out = tmp_path / "result.json"
    assert bench.main(["--quick", "--only", "server_cycle", "--json", str(out)]) == 0
    saved = json.loads(out.read_text())
    assert [row["key"] for row in saved["rows"]] == ["server_cycle"]
    assert saved["config"]["repetitions"] == 3
    assert saved["server"] is None  # the uvicorn workload runs only when selected


def test_the_workload_inputs_are_what_the_issue_describes(bench: ModuleType) -> None:
    assert len(bench.trickle_head(4096)) == 4096
    assert len(bench.trickle_head(65536)) == 65536
    assert bench.BROWSER_GET.count(b"\r\n") == 10  # request line, 8 fields, empty line
    cookie = next(line for line in bench.BROWSER_GET.split(b"\r\n") if line.startswith(b"Cookie: "))
    assert len(cookie) - len(b"Cookie: ") == 200
    assert len(bench.RESPONSE_HEADERS) == 9
    # The worst-case head is the plain one with the last byte of every
    # field line (a value byte) turned into a space.
    worst, plain = bench.worst_case_head(16384), bench.trickle_head(16384)
    assert len(worst) == len(plain) == 16384
    worst_lines, plain_lines = worst.split(b"\r\n")[1:-2], plain.split(b"\r\n")[1:-2]
    assert [line[:-1] for line in worst_lines] == [line[:-1] for line in plain_lines]
    assert all(line.endswith(b" ") for line in worst_lines)
    empty = bench.empty_fields_head(16384)
    assert 16380 <= len(empty) <= 16384 and empty.count(b"\r\na:") == 4089
    reads, head = bench._large_body_stream(1 << 20, chunked=True)
    assert all(len(piece) == bench.READ_SIZE for piece in reads[:-1])
    assert head.endswith(b"Transfer-Encoding: chunked\r\n\r\n")


def test_bench_ab_compares_the_checkout_with_a_commit() -> None:
    # The A/B tool extracts HEAD's package with git and times both in turns;
    # here only that it runs and reports, with tiny counts.
    script = BENCH_PATH.parent / "bench_ab.py"
    completed = subprocess.run(
        [sys.executable, str(script), "HEAD", "--only", "client_cycle", "--repetitions", "1", "--seconds", "0.001"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0].split() == ["workload", "checkout", "HEAD", "speedup"]
    assert len(lines) == 2 and lines[1].startswith("client_cycle ") and lines[1].endswith("x")


def test_the_uvicorn_workload_runs_three_ways(bench: ModuleType) -> None:
    # uvicorn and h11 come with the interop extra, httptools with
    # tools/bench-requirements.txt, wrk from the system (CI installs it).
    ways, missing = bench.server_ways_available()
    config = bench.ServerConfig(rounds=1, duration=1, connections=4)
    result = bench.run_server_workload(config)
    assert result["missing"] == missing
    if "uvicorn" in missing or "wrk" in missing:
        assert (ways, result["ways"], result["ratios"]) == ([], {}, {})
        return
    assert {"h11sm", "h11"} <= set(ways)
    assert list(result["ways"]) == ways
    for figures in result["ways"].values():
        assert figures["requests_per_second"] > 0
        assert figures["errors"] == 0
        assert len(figures["samples"]) == 1
    assert set(result["ratios"]) == set(ways) - {"h11sm"}
    ours = result["ways"]["h11sm"]["requests_per_second"]
    assert result["ratios"]["h11"] == ours / result["ways"]["h11"]["requests_per_second"]
    table = bench.format_server(result)
    assert table.startswith("uvicorn_echo: uvicorn ")
    assert "h11sm (face), --http h11" in table


def test_the_uvicorn_workload_names_what_is_missing(bench: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec

    def without_uvicorn(name: str, package: str | None = None) -> object:
        return None if name in {"uvicorn", "httptools"} else real_find_spec(name, package)

    monkeypatch.setattr(bench.importlib.util, "find_spec", without_uvicorn)
    assert bench.server_ways_available()[1][0] == "uvicorn"
    result = bench.run_server_workload(bench.ServerConfig())
    assert (result["ways"], result["ratios"]) == ({}, {})
    assert "not available, skipped: uvicorn" in bench.format_server(result)


def test_the_uvicorn_commands(bench: ModuleType) -> None:
    face, h11, httptools = (bench.uvicorn_command(way, 8000) for way in ("h11sm", "h11", "httptools"))
    assert face[:5] == [sys.executable, "-m", "h11sm.h11", "-m", "uvicorn"]
    assert face[3:] == h11[1:]
    assert h11[h11.index("--http") + 1] == "h11"
    assert httptools[httptools.index("--http") + 1] == "httptools"


def test_the_compiled_build_gets_its_own_column_and_targets(bench: ModuleType) -> None:
    # Figures made up for the layout: the compiled build twice as fast as
    # the pure one on the server cycle, h11-mypyc in between.
    figures = {"h11sm": 50_000.0, "h11": 16_000.0, "h11-mypyc": 34_000.0, "httptools": 450_000.0}
    row = bench.Row("server_cycle", "1. server cycle", "cycles/s", False, {**figures, bench.COMPILED: 100_000.0})
    targets = bench.check_targets([row])
    compiled = {item["target"]: item for item in targets if item["target"].startswith("compiled")}
    assert compiled["compiled server_cycle: x h11-mypyc"]["value"] == round(100_000 / 34_000, 3)
    assert compiled["compiled server_cycle: x h11-mypyc"]["met"] is True  # 2.94 >= 2
    assert compiled["compiled server_cycle: x h11"]["met"] is True  # 6.25 >= 6
    line = bench.format_row(row)
    assert line.split()[-3:] == ["6.25x", "2.94x", "2.00x"]  # vs h11, vs h11-mypyc, vs the pure build
    # Without the compiled build, no such column or target.
    plain = bench.Row("server_cycle", "1. server cycle", "cycles/s", False, figures)
    assert not [item for item in bench.check_targets([plain]) if item["target"].startswith("compiled")]
    assert bench.format_row(plain).split()[-2:] == ["3.12x", "1.47x"]


def test_compiled_builds_load_only_into_a_fresh_process(bench: ModuleType, tmp_path: Path) -> None:
    # Both builds are imported into a fresh process (tools/bench.py itself),
    # never into one that already has an h11sm.
    import zipfile

    import h11sm

    assert sys.modules["h11sm"] is h11sm
    wheel = tmp_path / "h11sm-0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("h11sm/__init__.py", "")
    with pytest.raises(SystemExit, match="has not imported h11sm yet"):
        bench.load_both_builds(wheel, tmp_path / "unpacked")
    assert not (tmp_path / "unpacked").exists()
