"""The public introspection API, ``python -m h11sm.machines``, and packaging."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

import h11sm
import h11sm.machines as m
from h11sm import CLIENT, CLOSED, DONE, ERROR, IDLE, MUST_CLOSE, SEND_BODY, SEND_RESPONSE, SERVER

ROOT = Path(__file__).resolve().parent.parent


def test_machine_names_and_initial_states() -> None:
    assert sorted(m.MACHINES) == [
        "client", "expect_continue", "keep_alive", "request_version", "server", "switch_protocol"
    ]
    assert m.initial_states() == {
        "client": IDLE,
        "server": IDLE,
        "keep_alive": h11sm._sentinels.Sentinel.named("enabled"),
        "switch_protocol": h11sm._sentinels.Sentinel.named("no_proposal"),
        "request_version": h11sm._sentinels.Sentinel.named("http_1_1"),
        "expect_continue": h11sm._sentinels.Sentinel.named("not_waiting"),
    }


def test_machines_are_read_only() -> None:
    with pytest.raises(TypeError):
        m.MACHINES["client"] = m.MACHINES["server"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        m.MACHINES["client"].initial = DONE  # type: ignore[misc]
    with pytest.raises(AttributeError):
        m.MACHINES["client"].transitions[0].target = DONE  # type: ignore[misc]


def test_transition_fields() -> None:
    client = m.MACHINES["client"]
    assert client.role is CLIENT
    request = next(t for t in client.transitions if t.trigger is not None and t.trigger.name == "Request")
    assert (request.source, request.target, request.kind, dict(request.guard)) == (IDLE, SEND_BODY, "event", {})
    assert request.trigger is not None and request.trigger.role is CLIENT
    coupling = [t for t in client.transitions if t.kind == "state" and t.source is DONE and t.target is MUST_CLOSE]
    assert sorted(tuple(sorted((k, sorted(s.name for s in v)) for k, v in t.guard.items())) for t in coupling) == [
        (("keep_alive", ["disabled"]),),
        (("server", ["CLOSED"]),),
        (("server", ["ERROR"]),),
    ]
    reuse = [t for t in client.transitions if t.kind == "method"]
    assert [(t.source, t.target) for t in reuse] == [(DONE, IDLE)]
    errors = [t for t in client.transitions if t.target is ERROR]
    assert {t.source for t in errors} == set(client.states)
    assert all(t.from_any for t in errors)


def test_every_state_can_reach_error() -> None:
    for name in ("client", "server"):
        machine = m.MACHINES[name]
        sources = {t.source for t in machine.transitions if t.target is ERROR}
        assert sources == set(machine.states)


def test_next_states_answers_without_a_connection() -> None:
    after = m.next_states(m.initial_states(), "Request", by="client")
    assert (after["client"], after["server"]) == (SEND_BODY, SEND_RESPONSE)
    after = m.next_states({"client": "DONE", "server": "DONE", "keep_alive": "disabled"}, "ConnectionClosed", by=SERVER)
    assert (after["client"], after["server"]) == (MUST_CLOSE, CLOSED)
    assert m.next_states({"client": DONE, "server": DONE}, "prepare_to_reuse")["client"] is IDLE


def test_next_states_for_an_unreachable_combination_uses_the_tables() -> None:
    after = m.next_states({"client": "CLOSED", "server": "SEND_RESPONSE", "keep_alive": "enabled",
                           "switch_protocol": "switched"}, "Response", by="server")
    assert after["server"] is SEND_BODY


def test_next_states_refuses_what_the_tables_refuse() -> None:
    with pytest.raises(h11sm.ProtocolError, match="SERVER can't send Response while SERVER is in state DONE"):
        m.next_states({"client": "DONE", "server": "DONE"}, "Response")


@pytest.mark.parametrize(
    ("states", "trigger", "by", "message"),
    [
        ({"proxy": "IDLE"}, "Request", None, "unknown machine"),
        ({"client": "SEND_RESPONSE"}, "Request", None, "is not a state of machine 'client'"),
        ({}, "Teleport", None, "no trigger 'Teleport'"),
        ({}, "Data", None, "pass by='client' or by='server'"),
    ],
)
def test_next_states_argument_errors(states: dict[str, str], trigger: str, by: str | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        m.next_states(states, trigger, by=by)


def test_triggers_lists_every_declared_trigger() -> None:
    names = {(t.kind, t.name, t.role) for t in m.triggers()}
    assert ("event", "Request", CLIENT) in names
    assert ("signal", "connection_close", None) in names
    assert ("method", "prepare_to_reuse", None) in names
    assert ("event", "Request", SERVER) not in names


def test_text_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert m.main(["keep_alive"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "keep_alive (keep_alive.toml), initial state enabled"
    assert out[2:4] == [
        "enabled --[Connection: close seen]--> disabled",
        "      Either party sent the `close` connection option: this is the last exchange (RFC 9112 §9.6).",
    ]
    with pytest.raises(SystemExit):
        m.main(["nope"])
    assert "unknown machine 'nope'" in capsys.readouterr().err


def test_text_table_collapses_any_state_rules() -> None:
    text = m.format_machine(m.MACHINES["server"])
    assert sum("ProtocolError" in line for line in text.splitlines()) == 1
    assert "(any state) --[ProtocolError]--> ERROR" in text
    assert "IDLE --[Request by CLIENT]--> SEND_RESPONSE" in text
    assert "DONE --[call prepare_to_reuse()]--> IDLE" in text
    assert "(priority 1)" in m.format_machine(m.MACHINES["client"])


@pytest.mark.parametrize("width", [60, 100])
def test_text_table_fits_the_width(width: int) -> None:
    for machine in m.MACHINES.values():
        text = m.format_machine(machine, width=width)
        assert max(len(line) for line in text.splitlines()[2:]) <= width
        # Nothing is lost by the wrapping: every reason is there, word for word.
        assert all(" ".join(t.why.split()) in " ".join(text.split()) for t in machine.transitions)


def test_python_dash_m_prints_all_tables() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "h11sm.machines"], capture_output=True, text=True, check=True, cwd=ROOT
    )
    for name in m.MACHINES:
        assert f"{name} ({name}.toml), initial state" in result.stdout


@dataclass
class Installed:
    wheel: Path
    python: Path
    elsewhere: Path


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """A wheel built from a copy of the checkout, installed (without extras)
    into a fresh venv; the commands run from a directory outside both."""
    if os.environ.get("H11SM_SKIP_INSTALL_TEST") == "1":
        pytest.skip("explicitly skipped")
    tmp_path = tmp_path_factory.mktemp("install")
    source = tmp_path / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "__pycache__", "docs", ".*cache"),
    )
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(source)],
        check=True,
        capture_output=True,
    )
    [wheel] = dist.glob("h11sm-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    return Installed(wheel, python, elsewhere)


def test_tables_ship_inside_the_installed_package(installed: Installed) -> None:
    """pip install the wheel into a fresh venv, then import from another directory."""
    python, elsewhere = installed.python, installed.elsewhere
    result = subprocess.run(
        [python, "-c", "import h11sm.machines as m; print(sorted(m.MACHINES))"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == (
        "['client', 'expect_continue', 'keep_alive', 'request_version', 'server', 'switch_protocol']"
    )
    where = subprocess.run(
        [python, "-c", "import h11sm._tables as t; print(t.default_tables_dir())"],
        cwd=elsewhere, capture_output=True, text=True, check=True,
    )
    assert str(python.parent.parent) in where.stdout


def test_the_wheel_carries_the_license_and_the_metadata(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = wheel.namelist()
        [metadata_name] = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = wheel.read(metadata_name).decode()
        [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        scripts = wheel.read(entry_points).decode()
        license_files = [n for n in names if n.endswith("/LICENSE")]
        assert len(license_files) == 1
        assert wheel.read(license_files[0]) == (ROOT / "LICENSE").read_bytes()
    assert "h11sm/_diagrams.py" in names and "h11sm/__main__.py" in names
    assert "License-Expression: MIT" in metadata and "License-File: LICENSE" in metadata
    assert "Project-URL: Source, https://github.com/h11sm/h11sm" in metadata
    assert "Provides-Extra: diagrams" in metadata
    assert "h11sm = h11sm._cli:main" in scripts


def test_installed_users_draw_the_diagrams_outside_the_source_tree(installed: Installed) -> None:
    command = installed.python.parent / "h11sm"
    out = installed.elsewhere / "out"
    help_text = subprocess.run([command, "--help"], capture_output=True, text=True, check=True).stdout
    assert "diagrams" in help_text
    # Without the extra: one line saying what to install.
    missing = subprocess.run(
        [command, "diagrams", str(out)], cwd=installed.elsewhere, capture_output=True, text=True, check=False
    )
    assert (missing.returncode, missing.stdout) == (1, "")
    assert missing.stderr == (
        "h11sm diagrams: drawing the diagrams needs the graphviz package: "
        "pip install 'h11sm[diagrams]' (the Python graphviz package)\n"
    )
    subprocess.run(
        [installed.python, "-m", "pip", "install", "--quiet", f"{installed.wheel}[diagrams]"],
        check=True,
        capture_output=True,
    )
    formats = "svg,png,dot" if shutil.which("dot") else "dot"
    drawn = subprocess.run(
        [command, "diagrams", str(out), "--format", formats],
        cwd=installed.elsewhere,
        capture_output=True,
        text=True,
        check=False,
    )
    assert drawn.returncode == 0, drawn.stderr
    for name in m.MACHINES:
        assert (out / f"{name}.dot").read_text(encoding="utf-8").startswith(f"// {name}: drawn from {name}.toml")
        if formats != "dot":
            assert (out / f"{name}.svg").stat().st_size > 0
            assert (out / f"{name}.png").read_bytes().startswith(b"\x89PNG")


def test_load_machines_reads_another_table_set(tmp_path: Path) -> None:
    tables = tmp_path / "tables"
    shutil.copytree(ROOT / "tables", tables)
    for name in ("keep_alive.toml", "client.toml", "server.toml"):
        text = (tables / name).read_text()
        (tables / name).write_text(text.replace('"disabled"', '"off"'))
    loaded = m.load_machines(tables)
    assert sorted(loaded) == sorted(m.MACHINES)
    assert [s.name for s in loaded["keep_alive"].states] == ["enabled", "enabled_http_1_0", "off"]
    assert [s.name for s in m.MACHINES["keep_alive"].states] == ["enabled", "enabled_http_1_0", "disabled"]


def test_load_machines_names_the_faulty_file(tmp_path: Path) -> None:
    tables = tmp_path / "tables"
    shutil.copytree(ROOT / "tables", tables)
    (tables / "server.toml").write_text("[machine\n")
    with pytest.raises(m.TableError, match=r"^server\.toml"):
        m.load_machines(tables)
