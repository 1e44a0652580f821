"""PostgreSQL restarted under load: a quick, clear 503 while it is down, 200 again without a
restart of Loket once it is back.

The scenario runs its own PostgreSQL cluster (initdb into a temporary directory, on a free port)
so that the shared server other tests use is never restarted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.faults.conftest import (
    Browser,
    Process,
    Server,
    database_url,
    free_port,
    loket_environment,
    migrate_and_seed,
)

pytestmark = pytest.mark.faults

PG_BIN = Path(os.environ.get("LOKET_FAULTS_PG_BIN", "/usr/lib/postgresql/15/bin"))
PAGES = ("/en/", "/en/procedures/", "/en/my-cases/", "/healthz")
QUICK = 5.0  # seconds: an answer while the database is down must come at least this fast


class Cluster:
    """A private PostgreSQL cluster; as root, it runs as the ``postgres`` user, as it must."""

    def __init__(self) -> None:
        if not (PG_BIN / "initdb").exists():
            pytest.skip(f"PostgreSQL server binaries not found in {PG_BIN}")
        self.root = Path(tempfile.mkdtemp(prefix="loket-faults-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]

    def _run(self, *arguments: str) -> None:
        subprocess.run(
            [*self.as_postgres, *arguments], check=True, capture_output=True, timeout=120
        )

    def init(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--no-sync")  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"),
                  "-o", options, "-w", "-t", "60", "start")  # fmt: skip

    def stop(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    cluster = Cluster()
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


def timed_get(browser: Browser, path: str) -> tuple[int, float, requests.Response]:
    started = time.monotonic()
    response = browser.session.get(browser.base + path, allow_redirects=False, timeout=30)
    return response.status_code, time.monotonic() - started, response


def test_a_database_restart_gives_a_quick_503_page_and_loket_recovers_by_itself(
    cluster: Cluster, var_dir: Path, processes: list[Process]
) -> None:
    subprocess.run(
        [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres",
         "loket"], check=True, timeout=60,
    )  # fmt: skip
    db_url = database_url("loket", cluster.url)
    migrate_and_seed(db_url, var_dir)
    server = Server(loket_environment(db_url, var_dir), workers=2)
    processes.append(server.start())
    browser = Browser(server.url, "resident")
    browser.log_in()
    for path in PAGES:
        assert timed_get(browser, path)[0] == 200, path

    # Load from a few clients during the whole restart: every answer is a 200 or a quick 503.
    seen: list[tuple[str, int, float]] = []
    stop = threading.Event()

    def hammer() -> None:
        client = Browser(server.url, "resident")  # the same person, in another tab
        client.session.cookies.update(browser.session.cookies)
        while not stop.is_set():
            for path in PAGES:
                try:
                    status, took, _response = timed_get(client, path)
                except requests.RequestException:
                    status, took = 0, 0.0  # no answer at all: counted, and fails the test
                seen.append((path, status, took))

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    try:
        under_restart(cluster, browser, server)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    statuses = {status for _path, status, _took in seen}
    assert statuses <= {200, 503}, statuses
    assert 503 in statuses and 200 in statuses
    assert max(took for _path, _status, took in seen) < QUICK
    assert server.popen is not None and server.popen.poll() is None  # the same process


def under_restart(cluster: Cluster, browser: Browser, server: Server) -> None:
    """Stop PostgreSQL, check the answers while it is down, start it, check Loket is back."""
    cluster.stop()
    try:
        time.sleep(1)
        for path in PAGES:
            status, took, response = timed_get(browser, path)
            assert status == 503, (path, status)
            assert took < QUICK, (path, took)
            if path == "/healthz":
                assert response.json()["database"] == "down"
                continue
            assert response.headers["Retry-After"].isdigit()
            assert response.headers["Content-Type"].startswith("text/html")
            assert "The service is briefly unavailable" in response.text
            assert "Traceback" not in response.text and "OperationalError" not in response.text
        # The visitor's language is kept.
        french = browser.session.get(server.url + "/fr/procedures/", timeout=30)
        assert french.status_code == 503 and '<html lang="fr">' in french.text
    finally:
        cluster.start()

    # Back without restarting Loket: the very next requests succeed (connections are checked
    # before reuse, so a connection to the old server is not used again).
    for path in PAGES:
        assert timed_get(browser, path)[0] == 200, path
    time.sleep(0.5)  # the other clients see it back too
