"""Fixtures for the interop tests: real peers on loopback, one per test.

Each fixture starts its peer for the test that asks for it and stops it
afterwards. The logs of the peers a test used are attached to its report
when it fails ("peer log: ..." sections).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from embedders import AsgiServer, AsgiServerPool
from peers import EXAMPLES, ExampleProcess, Nginx, RegisterLog

# The example client is imported, not only run, so tests can look at what it
# saw (status, framing, which connection) rather than parse its output.
sys.path.insert(0, str(EXAMPLES))

PEER_LOGS = pytest.StashKey[list[tuple[str, Path]]]()
LOG_TAIL = 20_000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        for name, path in item.stash.get(PEER_LOGS, []):
            text = path.read_text(errors="replace") if path.exists() else "(no log written)"
            report.sections.append((f"peer log: {name}", text[-LOG_TAIL:]))
    return report


@pytest.fixture
def register_log(request: pytest.FixtureRequest) -> RegisterLog:
    """Call with (name, path) to have the file shown if the test fails."""
    logs = request.node.stash.setdefault(PEER_LOGS, [])

    def register(name: str, path: Path) -> None:
        logs.append((name, path))

    return register


@pytest.fixture
def docroot(tmp_path: Path) -> Path:
    """Files for the servers to serve: small text, a 1 MiB binary, an index."""
    root = tmp_path / "www"
    root.mkdir()
    (root / "hello.txt").write_bytes(b"hello, interop\n")
    (root / "index.html").write_bytes(b"<!doctype html><title>h11sm</title><p>index</p>\n")
    (root / "big.bin").write_bytes(os.urandom(1024 * 1024))
    (root / "lines.txt").write_bytes(b"".join(b"line %d of a compressible text\n" % n for n in range(20_000)))
    return root


@pytest.fixture
def example_server(tmp_path: Path, docroot: Path, register_log: RegisterLog) -> Iterator[ExampleProcess]:
    """docs/examples/server.py serving *docroot*, one line logged per request."""
    server = ExampleProcess("server.py", ["--root", str(docroot), "-v", "--timeout", "10"], tmp_path, register_log)
    try:
        yield server
    finally:
        server.stop()
    server.check_no_crash()


@pytest.fixture
def nginx(tmp_path: Path, docroot: Path, register_log: RegisterLog) -> Iterator[Nginx]:
    server = Nginx(docroot, tmp_path, register_log)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def example_proxy(tmp_path: Path, register_log: RegisterLog) -> Iterator[ExampleProcess]:
    """docs/examples/proxy.py, one line logged per request and tunnel."""
    proxy = ExampleProcess("proxy.py", ["-v", "--timeout", "10"], tmp_path, register_log)
    try:
        yield proxy
    finally:
        proxy.stop()
    proxy.check_no_crash()


# -- the programs written for h11 0.16, on h11sm (issue 11; see embedders.py) --
#
# One uvicorn and one hypercorn serve the whole session (starting a server
# takes about a second); every test that uses one gets its log attached and
# checks afterwards that it is still running.


@pytest.fixture(scope="session")
def asgi_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AsgiServerPool]:
    pool = AsgiServerPool(tmp_path_factory.mktemp("asgi-servers"))
    try:
        yield pool
    finally:
        pool.stop()


@pytest.fixture(params=["uvicorn", "hypercorn"])
def asgi_server(
    request: pytest.FixtureRequest, asgi_servers: AsgiServerPool, register_log: RegisterLog
) -> Iterator[AsgiServer]:
    """uvicorn (--http h11) or hypercorn serving tests/interop/asgi_app.py on
    the chosen engine; shared by the session, restarted if a test killed it."""
    server = asgi_servers.get(request.param)
    server.register(register_log)
    yield server
    assert server.alive(), f"{server.name} died during the test:\n{server.log()[-LOG_TAIL:]}"
