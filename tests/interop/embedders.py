"""Running the real programs written for h11 0.16 (uvicorn, hypercorn, httpx,
wsproto) in child processes, on h11sm's h11 face or on h11 itself.

Which one is the *engine* switch: ``H11SM_INTEROP_ENGINE=h11sm`` (the
default) starts every such program through ``python -m h11sm.h11``, which
makes ``import h11`` resolve to :mod:`h11sm.h11` in that process;
``H11SM_INTEROP_ENGINE=h11`` starts them plainly, on the h11 release
installed next to them, to tell a difference of h11sm from a quirk of the
program. Tests never take the engine on trust: each asks the process which
module ``import h11`` gave it (see :func:`expected_engine`).

Why child processes: the face has to be installed before the program first
imports h11, and installing it in the pytest process would change what
``import h11`` means for every later test (tools/bench.py compares h11sm
with the real h11 in-process, for one). A child process starts clean, runs
exactly the documented command, and is killed at a deadline.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from helpers import MISSING_PEER
from peers import STARTUP_TIMEOUT, STRICT, RegisterLog, free_port, stop_process

HERE = Path(__file__).resolve().parent
ENGINES = ("h11sm", "h11")
ENGINE = os.environ.get("H11SM_INTEROP_ENGINE", "h11sm")
if ENGINE not in ENGINES:
    raise RuntimeError(f"H11SM_INTEROP_ENGINE must be one of {ENGINES}, not {ENGINE!r}")

#: Upper bound for one run of a client script in a child process.
CLIENT_TIMEOUT = 60.0


def require_modules(*names: str) -> None:
    """Check that the programs a test runs are installed. They come with the
    project's ``interop`` extra, which ``make test`` installs; a missing one
    is treated like a missing system peer (see peers.require_program):
    skipped on a contributor's machine, a failure under CI=true."""
    for name in names:
        if importlib.util.find_spec(name) is None:
            message = f"{name} {MISSING_PEER}: pip install -e '.[interop]' (make test installs it)"
            if STRICT:
                pytest.fail(f"{message} (CI=true: a missing peer is a failure)", pytrace=False)
            pytest.skip(message)


def expected_engine() -> str:
    """The ``__name__`` that ``import h11`` must give a child process."""
    return "h11sm.h11" if ENGINE == "h11sm" else "h11"


def python_command(*args: str) -> list[str]:
    """``python ARGS`` on the chosen engine: with h11sm, through
    ``python -m h11sm.h11``, which takes a script or ``-m MODULE`` the way
    ``python`` itself does."""
    if ENGINE == "h11sm":
        return [sys.executable, "-m", "h11sm.h11", *args]
    return [sys.executable, *args]


def child_environment() -> dict[str, str]:
    """The environment of a child: the test app and scripts importable, and
    output not buffered (a log must be complete when a test reads it)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def server_command(server: str, port: int, log_dir: Path) -> list[str]:
    """The command line serving asgi_app:app with *server* on *port*
    (``hypercorn-raw``: hypercorn passing header names in the case they
    were received, through h11's ``Headers.raw_items()``)."""
    if server == "uvicorn":
        # --http h11 / --ws wsproto: the h11 and wsproto protocol classes,
        # whichever faster alternatives happen to be installed.
        return python_command(
            "-m", "uvicorn", "asgi_app:app", "--host", "127.0.0.1", "--port", str(port),
            "--http", "h11", "--ws", "wsproto", "--lifespan", "on", "--no-access-log",
            "--timeout-graceful-shutdown", "2",
        )
    if server in ("hypercorn", "hypercorn-raw"):
        config = []
        if server == "hypercorn-raw":
            (log_dir / "raw.toml").write_text("h11_pass_raw_headers = true\n")
            config = ["--config", str(log_dir / "raw.toml")]
        # Hypercorn serves from a worker process it spawns as a new
        # interpreter: the app's /engine report shows the face reached it.
        return python_command(
            "-m", "hypercorn", "asgi_app:app", *config, "--bind", f"127.0.0.1:{port}", "--log-level", "info",
            "--graceful-timeout", "2",
        )
    raise ValueError(f"unknown server {server!r}")


class AsgiServer:
    """uvicorn or hypercorn serving tests/interop/asgi_app.py on 127.0.0.1.

    The port is probed free and then bound by the server; another process
    could take it in between, so a failed start is retried.
    """

    def __init__(self, name: str, log_dir: Path) -> None:
        require_modules(name.partition("-")[0], "wsproto")
        self.name = name
        self.log_dir = log_dir
        self.log_path = log_dir / f"{name}.log"
        for _attempt in range(3):
            self.port = free_port()
            if self._start():
                return
        pytest.fail(f"{name} did not start:\n{self.log()}")

    def _start(self) -> bool:
        self.log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(
            server_command(self.name, self.port, self.log_dir),
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=child_environment(),
            cwd=HERE,
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log_file.close()
                return False
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.05)
        self.stop()
        return False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def connect(self, timeout: float = 10.0) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        stop_process(self.process)
        self.log_file.close()

    def register(self, register_log: RegisterLog) -> None:
        register_log(f"{self.name} (on {ENGINE})", self.log_path)


def run_client_script(
    script: str, args: Sequence[str], log_dir: Path, register_log: RegisterLog, timeout: float = CLIENT_TIMEOUT
) -> Any:
    """Run tests/interop/SCRIPT on the chosen engine; it prints one JSON
    document on its last line of output, which is returned. Its whole output
    is shown if the test fails."""
    require_modules("httpx", "wsproto")
    log_path = log_dir / f"{Path(script).stem}.log"
    register_log(f"{script} (on {ENGINE})", log_path)
    result = subprocess.run(
        python_command(str(HERE / script), *args),
        capture_output=True,
        timeout=timeout,
        env=child_environment(),
        stdin=subprocess.DEVNULL,
        check=False,
    )
    output = result.stdout.decode(errors="replace")
    log_path.write_text(f"{output}\n--- stderr\n{result.stderr.decode(errors='replace')}")
    assert result.returncode == 0, f"{script} failed (exit {result.returncode}):\n{log_path.read_text()}"
    return json.loads(output.strip().splitlines()[-1])


class AsgiServerPool:
    """uvicorn and hypercorn for a whole test session, each started on first
    use (a start takes about a second) and again if a test killed it."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.servers: dict[str, AsgiServer] = {}

    def get(self, name: str) -> AsgiServer:
        server = self.servers.get(name)
        if server is None or not server.alive():
            log_dir = self.log_dir / f"{name}-{len(self.servers)}"
            log_dir.mkdir()
            server = self.servers[name] = AsgiServer(name, log_dir)
        return server

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()
