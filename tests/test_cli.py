"""The ``h11sm`` command (``python -m h11sm``): every subcommand, in process
(for coverage) and as a real program (for the exit status, the console
script and a reader that closes the pipe early)."""

from __future__ import annotations

import builtins
import importlib
import json
import os
import runpy
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import h11sm
import h11sm._cli as cli
import h11sm._diagrams as diagrams
import h11sm.machines as m
from h11sm._tables import default_tables_dir

HAVE_DOT = shutil.which("dot") is not None


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def program(*argv: str, env: dict[str, str] | None = None, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "h11sm", *argv], capture_output=True, text=True, env=env, check=False, **kwargs
    )


# -- machines --------------------------------------------------------------------


def test_machines_prints_every_table_within_100_columns(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "machines")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    titles = [line for line in lines if " initial state " in line]
    assert titles == [
        "client (client.toml), initial state IDLE",
        "server (server.toml), initial state IDLE",
        "keep_alive (keep_alive.toml), initial state enabled",
        "switch_protocol (switch_protocol.toml), initial state no_proposal",
        "request_version (request_version.toml), initial state http_1_1",
        "expect_continue (expect_continue.toml), initial state not_waiting",
    ]


def test_machines_text_is_one_line_per_rule_with_its_reason_below(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "machines", "keep_alive")
    assert status == 0
    lines = out.splitlines()
    assert lines[:4] == [
        "keep_alive (keep_alive.toml), initial state enabled",
        "===================================================",
        "enabled --[Connection: close seen]--> disabled",
        "      Either party sent the `close` connection option: this is the last exchange (RFC 9112 §9.6).",
    ]
    # A from-any rule is printed once, as such.
    client = m.format_machine(m.MACHINES["client"])
    assert client.count("(any state) --[ProtocolError]--> ERROR") == 1
    assert "(priority 1)" in client
    assert "Request by CLIENT --" not in m.format_machine(m.MACHINES["server"])


def test_machines_json_is_the_tables_as_data(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "machines", "--json", "client", "keep_alive")
    assert status == 0
    data = json.loads(out)
    assert [machine["name"] for machine in data] == ["client", "keep_alive"]
    client = data[0]
    assert (client["role"], client["initial"], client["states"][0]) == ("client", "IDLE", "IDLE")
    assert data[1]["role"] is None
    assert client["transitions"][0] == {
        "from": "IDLE",
        "trigger": {"kind": "event", "name": "Request", "by": "client", "label": "Request"},
        "to": "SEND_BODY",
        "kind": "event",
        "guard": {},
        "priority": 0,
        "why": m.MACHINES["client"].transitions[0].why,
        "where": "client.toml: on_event #1 (Request)",
    }
    errors = [t for t in client["transitions"] if t["to"] == "ERROR"]
    assert len(errors) == 1 and errors[0]["from"] == "*"
    state_rule = next(t for t in client["transitions"] if t["kind"] == "state")
    assert state_rule["trigger"] is None and state_rule["guard"]


def test_machines_dot_is_the_diagram_source(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "machines", "--dot", "switch_protocol")
    assert status == 0
    assert out == diagrams.dot_source(m.MACHINES["switch_protocol"])


def test_machines_refuses_an_unknown_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["machines", "proxy"])
    assert exit_info.value.code == 2
    assert "unknown machine 'proxy'; choose from client, server, keep_alive, switch_protocol" in (
        capsys.readouterr().err
    )


def test_python_m_h11sm_machines_is_an_alias(capsys: pytest.CaptureFixture[str]) -> None:
    assert m.main(["keep_alive"]) == 0
    assert capsys.readouterr().out.startswith("keep_alive (keep_alive.toml), initial state enabled\n")
    with pytest.raises(SystemExit) as exit_info:
        m.main(["--help"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("usage: python -m h11sm.machines [-h] [--json | --dot] [NAME ...]")


# -- next -------------------------------------------------------------------------


def test_next_lists_what_may_happen_and_where_it_leads(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "next", "client=DONE", "server=SEND_RESPONSE", "--by", "server")
    assert status == 0
    assert out.splitlines() == [
        "from client=DONE server=SEND_RESPONSE keep_alive=enabled switch_protocol=no_proposal "
        "request_version=http_1_1 expect_continue=not_waiting:",
        "  InformationalResponse by server  -> (no change)",
        "  Response by server               -> server SEND_BODY",
        "  ProtocolError by server          -> client MUST_CLOSE, server ERROR",
    ]


def test_next_without_states_starts_from_the_initial_ones(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "next", "--json")
    assert status == 0
    data = json.loads(out)
    names = [(item["trigger"]["name"], item["trigger"]["by"]) for item in data]
    assert ("Request", "client") in names and ("prepare_to_reuse", None) not in names
    request = data[names.index(("Request", "client"))]
    assert request["to"] == {
        "client": "SEND_BODY",
        "server": "SEND_RESPONSE",
        "keep_alive": "enabled",
        "switch_protocol": "no_proposal",
        "request_version": "http_1_1",
        "expect_continue": "not_waiting",
    }


def test_next_with_one_trigger(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "next", "client=DONE", "server=DONE", "--trigger", "prepare_to_reuse")
    assert status == 0
    assert out.splitlines()[1] == "  prepare_to_reuse  -> client IDLE, server IDLE"


def test_next_explains_a_refused_trigger(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys, "next", "client=MUST_CLOSE", "server=MUST_CLOSE", "keep_alive=disabled", "--trigger", "prepare_to_reuse"
    )
    assert (status, out) == (1, "")
    assert err.startswith("refused: can't call prepare_to_reuse() while CLIENT is in state MUST_CLOSE\n")
    assert "keep_alive is disabled perhaps on Connection: close seen [keep_alive.toml: on_signal #1" in err
    status, _, err = run(capsys, "next", "--trigger", "Response", "--by", "client")
    assert (status, err) == (1, "refused: CLIENT can't send Response: only SERVER does\n")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["next", "proxy=IDLE"], "h11sm next: unknown machine(s): proxy;"),
        (["next", "client=SEND_RESPONSE"], "h11sm next: SEND_RESPONSE is not a state of machine 'client'"),
        (["next", "--trigger", "Teleport"], "h11sm next: no trigger 'Teleport'; known triggers: "),
    ],
)
def test_next_reports_mistakes(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert err.startswith(message)


def test_next_refuses_a_malformed_assignment(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["next", "client"])
    assert exit_info.value.code == 2
    assert "expected MACHINE=STATE (such as client=DONE), not 'client'" in capsys.readouterr().err


# -- diagrams -----------------------------------------------------------------------


@pytest.mark.skipif(not HAVE_DOT, reason="Graphviz's dot is not installed (apt-get install graphviz)")
def test_diagrams_draws_every_machine(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    status, out, err = run(capsys, "diagrams", str(out_dir))
    assert (status, err) == (0, "")
    assert out == f"drew 6 machines into {out_dir} (dot, svg, png)\n"
    for name in m.MACHINES:
        assert (out_dir / f"{name}.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        assert (out_dir / f"{name}.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
        assert (out_dir / f"{name}.dot").read_text(encoding="utf-8") == diagrams.dot_source(m.MACHINES[name])


def test_diagrams_dot_only(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, _ = run(capsys, "diagrams", str(tmp_path), "--format", "dot")
    assert status == 0 and out.endswith("(dot)\n")
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".dot"] * 6 + [".rst"] * 6


def test_diagrams_refuses_an_unknown_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = run(capsys, "diagrams", str(tmp_path), "--format", "svg,gif")
    assert status == 2
    assert err == "h11sm diagrams: unknown format(s) gif; choose from svg, png, dot\n"
    assert not list(tmp_path.iterdir())


def test_diagrams_says_what_to_install_without_dot(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "no-programs"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    status, out, err = run(capsys, "diagrams", str(tmp_path / "out"))
    assert (status, out) == (1, "")
    assert err.count("\n") == 1
    assert "Graphviz's 'dot' program was not found, so only the DOT files of 6 machines were written" in err
    assert "apt-get install graphviz" in err
    assert len(list((tmp_path / "out").glob("*.dot"))) == 6


def test_diagrams_says_what_to_install_without_the_graphviz_package(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_import = builtins.__import__

    def no_graphviz(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "graphviz":
            raise ImportError("No module named 'graphviz'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_graphviz)
    status, out, err = run(capsys, "diagrams", str(tmp_path))
    assert (status, out) == (1, "")
    assert err == (
        "h11sm diagrams: drawing the diagrams needs the graphviz package: "
        "pip install 'h11sm[diagrams]' (the Python graphviz package)\n"
    )
    status, out, err = run(capsys, "machines", "--dot")
    assert (status, out) == (1, "")
    assert err.startswith("h11sm machines: drawing the diagrams needs the graphviz package: ")


def test_diagrams_reports_a_broken_table_set(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    tables = tmp_path / "tables"
    # (The shipped tables wherever they are: beside the package in a
    # checkout, inside it when installed, as in the compiled test run.)
    shutil.copytree(default_tables_dir(), tables)
    (tables / "client.toml").write_text("not toml [", encoding="utf-8")
    status, _, err = run(capsys, "diagrams", str(tmp_path / "out"), "--tables", str(tables))
    assert status == 1
    assert err.startswith("h11sm diagrams: client.toml: not valid TOML")


# -- the program itself ---------------------------------------------------------------


def test_help_lists_the_commands() -> None:
    result = program("--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m h11sm [-h] [--version] COMMAND ...")
    for command in ("machines", "next", "diagrams"):
        assert f"    {command} " in result.stdout
    assert program("--version").stdout == f"h11sm {h11sm.__version__}\n"
    missing = program()
    assert missing.returncode == 2 and "the following arguments are required: COMMAND" in missing.stderr


def test_python_m_h11sm_in_process(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["h11sm", "machines", "keep_alive"])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_module("h11sm", run_name="__main__")
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("keep_alive (keep_alive.toml)")


def test_importing_h11sm_main_runs_nothing() -> None:
    module = importlib.import_module("h11sm.__main__")
    assert module.main is cli.main


def test_python_m_h11sm_machines_has_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "h11sm.machines", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m h11sm.machines")


def test_a_reader_that_stops_early_gets_no_traceback() -> None:
    # `h11sm machines --json | head -1`: the pipe closes long before the end.
    reader = subprocess.Popen(["head", "-c", "1"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    writer = subprocess.run(
        [sys.executable, "-m", "h11sm", "machines", "--json", "client", "server", "client", "server"],
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert reader.stdin is not None
    reader.stdin.close()
    reader.wait()
    assert (writer.returncode, writer.stderr) == (0, "")


def test_a_closed_pipe_in_process_points_stdout_at_devnull(monkeypatch: pytest.MonkeyPatch) -> None:
    redirected: list[int] = []
    monkeypatch.setattr(cli.os, "dup2", lambda fd, fd2: redirected.append(fd2))
    monkeypatch.setattr(cli.sys.stdout, "fileno", lambda: 1, raising=False)

    def closed_pipe(args: object) -> int:
        raise BrokenPipeError

    monkeypatch.setattr(cli, "_machines", closed_pipe)
    assert cli.main(["machines"]) == 0
    assert redirected == [1]


@pytest.mark.skipif(shutil.which("h11sm", path=str(Path(sys.executable).parent)) is None, reason="not installed")
def test_the_console_script() -> None:
    script = shutil.which("h11sm", path=str(Path(sys.executable).parent))
    assert script is not None
    result = subprocess.run([script, "machines", "keep_alive"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("keep_alive (keep_alive.toml)")
