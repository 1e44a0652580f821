"""Resident memory of each process a deployment runs: gunicorn workers and the task worker.

`loket serve` (2 workers) and `loket worker` run against a fresh database (``
LOKET_BENCH_DATABASE_URL``, default postgresql://postgres@127.0.0.1:5432/loket_bench, 3,000
residents). The workers are warmed up with the pages people open (anonymous and logged in, each
several times, so every worker has loaded templates, translations and the catalogue) and the
task worker with the notifications the demo history queued; then VmRSS is read from
/proc/<pid>/status. Baseline: a bare Python interpreter in the same run. Target: under 150 MB.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.common import HOST, free_port, fresh_database, logged_in_session, result

URL = os.environ.get("LOKET_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/loket_bench")
TARGET_MB = 150
PATHS = [
    "/en/",
    "/en/procedures/",
    "/en/procedures/residents-parking-card/",
    "/en/search/?q=parking",
    "/en/my-cases/",
    "/en/my-data/",
    "/fr/",
    "/nl/procedures/",
]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(child) for child in text.split()]


def session_cookie() -> str:
    """A logged-in session of the demo resident, made the way a login makes it."""
    from loket.core.models import User

    return f"sessionid={logged_in_session(User.objects.get(username='demo-resident'))}"


def get(port: int, path: str, cookie: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Host": f"{HOST}:{port}", "Cookie": cookie})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def wait_for(port: int) -> None:
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("loket serve did not start")


def main() -> None:
    fresh_database(URL, residents=3000)
    cookie = session_cookie()
    port = free_port()
    environment = {
        **os.environ, "LOKET_ENV": "test", "LOKET_TEST_DATABASE_URL": URL,
        "LOKET_WORKERS": "2", "LOKET_BIND": f"127.0.0.1:{port}",
    }  # fmt: skip
    loket = str(Path(sys.executable).parent / "loket")
    server = subprocess.Popen([loket, "serve"], env=environment, stdout=subprocess.DEVNULL)
    worker = subprocess.Popen([loket, "worker"], env=environment, stdout=subprocess.DEVNULL)
    bare = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        wait_for(port)
        statuses = [get(port, path, cookie) for _ in range(10) for path in PATHS]
        failed = [s for s in statuses if s >= 400]
        time.sleep(3)  # the task worker polls the queue and sends the queued notifications
        baseline = rss_mb(bare.pid)
        workers = children(server.pid)
        print(f"baseline: bare Python interpreter {baseline:.0f} MB")
        print(f"gunicorn master: {rss_mb(server.pid):.0f} MB ({len(statuses)} warm-up requests,"
              f" {len(failed)} answered >= 400)")  # fmt: skip
        for number, pid in enumerate(workers, 1):
            rss = rss_mb(pid)
            print(f"gunicorn worker {number}: {rss:.0f} MB (target < {TARGET_MB} MB)")
            result(
                f"RSS gunicorn worker {number}", rss, "MB",
                baseline=f"bare Python {baseline:.0f} MB", ratio=round(rss / baseline, 1),
                target=f"< {TARGET_MB} MB",
            )  # fmt: skip
        rss = rss_mb(worker.pid)
        print(f"task worker (`loket worker`): {rss:.0f} MB (target < {TARGET_MB} MB)")
        result("RSS task worker", rss, "MB", baseline=f"bare Python {baseline:.0f} MB",
               ratio=round(rss / baseline, 1), target=f"< {TARGET_MB} MB")  # fmt: skip
    finally:
        for process in (server, worker, bare):
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
