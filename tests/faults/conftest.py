"""Fault tests: real `loket serve` and `loket worker` on real PostgreSQL, broken on purpose.

Nothing here imports Loket's own code to drive it: the tests start the processes the way an
operator does, talk to them over HTTP like a browser, kill them with signals, and look at what
the database holds afterwards with plain SQL. They are slow (seconds each), so they run only with
``-m faults`` (``make faults``), never in the default ``make test``.

Each scenario gets its own database, copied from a template that ``loket migrate`` and
``loket seed`` filled once per run (``CREATE DATABASE … TEMPLATE``: the same content, in a
fraction of the time of seeding it again), and dropped at the end.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests

BIN = Path(sys.executable).parent
LOKET = str(BIN / "loket")
SERVER_URL = os.environ.get(
    "LOKET_FAULTS_SERVER_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
RESIDENTS = 300


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark everything here ``faults`` and leave it out unless ``-m faults`` asked for it."""
    wanted = "faults" in (config.getoption("markexpr") or "")
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        if "/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.faults)
            (kept if wanted else dropped).append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


# -- ports, databases ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url(name: str, server: str = SERVER_URL) -> str:
    return server.rsplit("/", 1)[0] + f"/{name}"


def admin(sql: str, server: str = SERVER_URL) -> None:
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(sql)


def query(url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True) as connection:
        return connection.execute(sql, params).fetchall()


def loket_environment(db_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a Loket process: the test settings (demo login, demo registers) on
    ``db_url``; the runner's own test database variable would override it, so it is dropped."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("LOKET_") and key != "DJANGO_SETTINGS_MODULE"
    }
    environment.update(
        LOKET_ENV="test",
        LOKET_DATABASE_URL=db_url,
        LOKET_VAR_DIR=str(var_dir),
        LOKET_MEDIA_ROOT=str(var_dir / "media"),
        LOKET_EMAIL_URL="console://",
        PYTHONUNBUFFERED="1",
    )
    environment.update(extra)
    return environment


def run_loket(arguments: Sequence[str], environment: dict[str, str], timeout: float = 300) -> str:
    """Run a `loket` command to its end; fail the test with its output if it fails."""
    done = subprocess.run(
        [LOKET, *arguments], env=environment, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        pytest.fail(f"loket {' '.join(arguments)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def migrate_and_seed(db_url: str, var_dir: Path) -> None:
    environment = loket_environment(db_url, var_dir)
    run_loket(["migrate", "-v0"], environment)
    run_loket(["seed", "--residents", str(RESIDENTS)], environment)
    # The demo history queues its notices' e-mails: send them (to the console) now, so that each
    # scenario starts with an empty queue and sees only the tasks it caused.
    run_loket(["worker", "--once"], environment)


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    name = f"loket_faults_template_{os.getpid()}"
    admin(f'DROP DATABASE IF EXISTS "{name}"')
    admin(f'CREATE DATABASE "{name}"')
    try:
        migrate_and_seed(database_url(name), tmp_path_factory.mktemp("template"))
        yield name
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database(template_database: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, seeded database of this scenario; its URL."""
    scenario = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:30]
    name = f"loket_faults_{scenario}_{os.getpid()}"
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
    try:
        yield database_url(name)
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- processes -------------------------------------------------------------------------------------


@dataclass
class Process:
    """A `loket` process in its own process group (gunicorn's master and its workers together),
    its output collected in memory so that a test can read what operators would see."""

    arguments: list[str]
    environment: dict[str, str]
    preexec: Callable[[], None] | None = None
    popen: subprocess.Popen[str] | None = None
    output: list[str] = field(default_factory=list)

    def start(self) -> Process:
        self.popen = subprocess.Popen(
            [LOKET, *self.arguments], env=self.environment, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=self.preexec,
        )  # fmt: skip
        threading.Thread(target=self._drain, args=(self.popen,), daemon=True).start()
        return self

    def _drain(self, popen: subprocess.Popen[str]) -> None:
        assert popen.stdout is not None
        for line in popen.stdout:
            self.output.append(line)

    def kill(self) -> None:
        """SIGKILL the whole group: no handler runs, no transaction is finished, like a crash."""
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return "".join(self.output)


class Server(Process):
    """`loket serve` (gunicorn) on a free port of the loopback."""

    def __init__(
        self,
        environment: dict[str, str],
        port: int | None = None,
        workers: int = 2,
        preexec: Callable[[], None] | None = None,
    ) -> None:
        self.port = port or free_port()
        super().__init__(
            ["serve"],
            {**environment, "LOKET_BIND": f"127.0.0.1:{self.port}", "LOKET_WORKERS": str(workers)},
            preexec,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: bool = True) -> Server:
        super().start()
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.popen is not None
            if self.popen.poll() is not None:
                pytest.fail(f"loket serve exited:\n{self.log()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        pytest.fail(f"loket serve did not answer within {timeout} s:\n{self.log()}")


def worker(environment: dict[str, str]) -> Process:
    return Process(["worker", "--idle", "0.2"], environment)


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    """Every process a test starts goes here, so that none outlives it."""
    started: list[Process] = []
    yield started
    for process in started:
        process.kill()
        # Shown by pytest only when the test failed: what the operators would have seen.
        print(f"--- loket {' '.join(process.arguments)} ---\n{process.log()[-6000:]}")


@pytest.fixture
def var_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="loket-faults-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


# -- a resident in a browser -----------------------------------------------------------------------

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
IDEMPOTENCY = re.compile(r'name="idempotency_key" value="([0-9a-f-]{36})"')


class Unanswered(Exception):
    """The server gave no usable answer (connection refused or reset, or a 5xx)."""


class Browser:
    """A logged-in person, as a browser would be: cookies, CSRF token, redirects not followed so
    that the test sees where each answer leads."""

    def __init__(self, base: str, identity: str) -> None:
        self.base = base
        self.identity = identity
        self.session = requests.Session()

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self._answered(
            self.session.get(self.base + path, allow_redirects=False, timeout=30, **kwargs)
        )

    def post(self, path: str, data: dict[str, str], **kwargs: Any) -> requests.Response:
        token = self.session.cookies.get("csrftoken") or ""
        data = {"csrfmiddlewaretoken": token, **data}
        return self._answered(
            self.session.post(
                self.base + path,
                data=data,
                allow_redirects=False,
                timeout=30,
                headers={"Referer": self.base + path},
                **kwargs,
            )
        )

    def _answered(self, response: requests.Response) -> requests.Response:
        if response.status_code >= 500:
            raise Unanswered(f"{response.status_code} {response.request.method} {response.url}")
        return response

    def log_in(self) -> requests.Response:
        page = self.get("/en/demo-login/")
        assert page.status_code == 200, page.status_code
        answer = self.post("/en/demo-login/", {"identity": self.identity})
        assert answer.status_code == 302, f"demo login of {self.identity}: {answer.status_code}"
        return answer


RETRIES: list[str] = []  # every request ``patiently`` had to repeat, and why


def patiently(step: Callable[[], requests.Response], within: float = 90) -> requests.Response:
    """Do ``step`` again, as a person would press reload, until the server answers (it may be
    down and restarting); a refused connection or a 5xx is not an answer."""
    deadline = time.monotonic() + within
    while True:
        try:
            return step()
        except (requests.ConnectionError, requests.Timeout, Unanswered) as problem:
            RETRIES.append(type(problem).__name__)
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


# The simple procedures used below: every page and the answers a resident gives.
ANSWERS: dict[str, list[tuple[str, dict[str, str]]]] = {
    "household-composition": [
        ("purpose", {"purpose": "benefits"}),
        ("language", {"document_language": "fr"}),
    ],
    "residence-certificate": [
        ("period", {"period": "full"}),
        ("purpose", {"purpose": "pension", "document_language": "nl"}),
    ],
}


def prepare_draft(browser: Browser, procedure: str) -> str:
    """Go through a procedure up to "check your answers"; the draft's idempotency key."""
    base = f"/en/procedures/{procedure}/apply/"
    patiently(lambda: browser.get(base))
    answer = patiently(lambda: browser.post(base, {"use_registers": "yes"}))
    assert answer.status_code == 302, answer.status_code
    for page, data in ANSWERS[procedure]:
        answer = patiently(lambda p=page, d=data: browser.post(f"{base}q/{p}/", d))  # type: ignore[misc]
        assert answer.status_code == 302, (page, answer.status_code)
    check = patiently(lambda: browser.get(f"{base}check/"))
    assert check.status_code == 200, check.status_code
    found = IDEMPOTENCY.search(check.text)
    assert found, "no idempotency key on the check page"
    return found.group(1)


def submit(browser: Browser, procedure: str, key: str) -> requests.Response:
    """Press "Submit" once; a success is a redirect to the case."""
    return browser.post(f"/en/procedures/{procedure}/apply/check/", {"idempotency_key": key})


def is_case_page(response: requests.Response) -> bool:
    return response.status_code == 302 and "/my-cases/" in response.headers.get("Location", "")


def wait_for(condition: Callable[[], object], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")
