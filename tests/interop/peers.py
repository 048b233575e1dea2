"""Starting and stopping the real peers of the interop tests.

Every peer runs on 127.0.0.1, writes its log to a file under the test's
tmp_path, and is registered with the test so that a failing test shows the
log (see conftest.py). Every wait has a deadline.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from helpers import MISSING_PEER

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
CERTS = Path(__file__).resolve().parent / "certs"
CERT_FILE = CERTS / "localhost.crt"
KEY_FILE = CERTS / "localhost.key"

STARTUP_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0
#: Upper bound for one run of a command-line peer such as curl.
COMMAND_TIMEOUT = 30.0

#: Debian package that provides each program (for the failure message).
PACKAGES = {"curl": "curl", "nginx": "nginx-light", "wrk": "wrk", "ab": "apache2-utils"}

RegisterLog = Callable[[str, Path], None]


#: Set by CI (``.ci/run`` exports ``CI=true``): there every peer must be present.
STRICT = os.environ.get("CI", "").lower() in ("true", "1", "yes")



def require_program(name: str) -> str:
    """The path of *name*. If it is missing, the test is skipped on a
    contributor's machine (and the run ends with a loud line saying so), but
    fails under CI=true, where every peer must be installed."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin:/sbin")
    if found is not None:
        return found
    message = f"{name} {MISSING_PEER}: apt-get install {PACKAGES.get(name, name)}"
    if STRICT:
        pytest.fail(f"{message} (CI=true: a missing peer is a failure)", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for peers that
    cannot be told to pick one themselves)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT)


class ExampleProcess:
    """One of the docs/examples scripts, run as a child process.

    Its standard output and error go to ``<name>.log``; the script prints
    ``listening on http://HOST:PORT/`` once it is ready, which gives the port
    it was handed by the system (we pass ``--port 0``).
    """

    def __init__(self, script: str, args: Sequence[str], tmp_path: Path, register_log: RegisterLog) -> None:
        self.log_path = tmp_path / f"{Path(script).stem}.log"
        register_log(f"docs/examples/{script}", self.log_path)
        self.log_file = self.log_path.open("wb")
        command = [sys.executable, "-u", str(EXAMPLES / script), "--port", "0", *args]
        self.process = subprocess.Popen(command, stdout=self.log_file, stderr=subprocess.STDOUT, cwd=tmp_path)
        self.url = self._wait_for_url()
        self.port = int(self.url.rstrip("/").rpartition(":")[2])

    def _wait_for_url(self) -> str:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            for line in self.log().splitlines():
                if "listening on http://" in line:
                    return line.split()[-1]
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"{self.log_path.name}: the example did not start:\n{self.log()}")
            time.sleep(0.05)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        stop_process(self.process)
        self.log_file.close()

    def check_no_crash(self) -> None:
        """An example must turn every failure into a clean answer or close."""
        if "Traceback" in self.log():
            pytest.fail(f"{self.log_path.name} shows an uncaught exception:\n{self.log()}")


NGINX_CONFIG = """\
daemon off;
master_process off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
events {{ worker_connections 512; }}
http {{
    # Which connection carried each request, and its number on it.
    log_format with_connection '$remote_addr conn=$connection req=$connection_requests "$request" $status';
    access_log {prefix}/access.log with_connection;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    types {{ text/plain txt; text/html html; application/octet-stream bin; }}
    default_type application/octet-stream;
    keepalive_timeout 30s;
    keepalive_requests 1000;
    server {{
        listen 127.0.0.1:{port};
        listen 127.0.0.1:{tls_port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        root {docroot};
        # Which connection, and which request on it, served a response: the
        # tests read these to prove keep-alive reuse.
        add_header X-Connection $connection always;
        add_header X-Connection-Requests $connection_requests always;
        # Compressing on the fly gives a body of unknown length: chunked...
        # (gzip_proxied: compress for requests carrying Via, as the proxy's do)
        location /gzip/ {{
            alias {docroot}/;
            gzip on; gzip_types *; gzip_min_length 0; gzip_proxied any;
            add_trailer X-Trailer-Test "sent after the body";
        }}
        # ...or, with chunking turned off, delimited by closing the connection.
        location /close/ {{
            alias {docroot}/;
            gzip on; gzip_types *; gzip_min_length 0; gzip_proxied any;
            chunked_transfer_encoding off;
        }}
        location /upload/ {{
            dav_methods PUT;
            create_full_put_path on;
            client_max_body_size 64m;
        }}
        # Refuses larger bodies with 413, before asking for them.
        location /tiny/ {{
            dav_methods PUT;
            client_max_body_size 1k;
        }}
    }}
}}
"""


class Nginx:
    """nginx from the system, with a configuration written for one test:
    static files from *docroot*, plain HTTP on ``port`` and TLS (with the
    test certificate) on ``tls_port``."""

    def __init__(self, docroot: Path, tmp_path: Path, register_log: RegisterLog) -> None:
        self.binary = require_program("nginx")
        self.docroot = docroot
        self.prefix = tmp_path / "nginx"
        self.prefix.mkdir()
        self.error_log = self.prefix / "error.log"
        register_log("nginx error.log", self.error_log)
        register_log("nginx access.log", self.prefix / "access.log")
        # The ports are probed free, then bound by nginx: another process
        # could take one in between, so a failed start is retried.
        for _attempt in range(3):
            self.port, self.tls_port = free_port(), free_port()
            if self.port != self.tls_port and self._start():
                return
        pytest.fail(f"nginx did not start:\n{self.log()}")

    def _start(self) -> bool:
        config = self.prefix / "nginx.conf"
        config.write_text(
            NGINX_CONFIG.format(
                prefix=self.prefix,
                port=self.port,
                tls_port=self.tls_port,
                cert=CERT_FILE,
                key=KEY_FILE,
                docroot=self.docroot,
            )
        )
        self.output = (self.prefix / "stderr.log").open("wb")
        self.process = subprocess.Popen(
            [self.binary, "-p", str(self.prefix), "-c", str(config)], stdout=self.output, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.output.close()
                return False  # most likely a port taken meanwhile; the log says
            try:
                for port in (self.port, self.tls_port):
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.05)
        self.stop()
        return False

    def access_log(self) -> list[str]:
        return (self.prefix / "access.log").read_text().splitlines()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def tls_url(self) -> str:
        return f"https://127.0.0.1:{self.tls_port}"

    def log(self) -> str:
        parts = []
        for name in ("stderr.log", "error.log"):
            path = self.prefix / name
            if path.exists():
                parts.append(f"--- {name}\n{path.read_text(errors='replace')}")
        return "\n".join(parts)

    def stop(self) -> None:
        stop_process(self.process)
        self.output.close()


def run_command(args: Sequence[str], *, timeout: float = COMMAND_TIMEOUT, stdin: bytes | None = None) -> (
    subprocess.CompletedProcess[bytes]
):
    """Run a command-line peer to completion, with a deadline."""
    return subprocess.run(list(args), input=stdin, capture_output=True, timeout=timeout, check=False)


def describe(result: subprocess.CompletedProcess[bytes]) -> str:
    """A failed command, for an assertion message."""
    return (
        f"command: {' '.join(map(str, result.args))}\nexit status: {result.returncode}\n"
        f"stdout:\n{result.stdout[-4000:].decode(errors='replace')}\n"
        f"stderr:\n{result.stderr[-4000:].decode(errors='replace')}"
    )


def assert_clean_wrk_run(result: subprocess.CompletedProcess[bytes], at_least: int) -> None:
    """wrk exited cleanly, reported no socket error and no non-2xx/3xx
    answer (it prints those lines only when something went wrong), and
    completed at least *at_least* requests: a sanity floor far below any
    real figure, to show the load really ran."""
    report = result.stdout.decode()
    assert result.returncode == 0, describe(result)
    assert "Socket errors" not in report, describe(result)
    assert "Non-2xx or 3xx responses" not in report, describe(result)
    completed = re.search(r"^\s*(\d+) requests in ", report, re.MULTILINE)
    assert completed is not None, describe(result)
    assert int(completed.group(1)) >= at_least, describe(result)
