"""A real Prometheus (Debian's server) scrapes `/metrics` of `loket serve` with two gunicorn
workers in multiprocess mode; after a submission, the submission counter and the registers'
latency histogram have moved, as read from Prometheus' own HTTP API (issue #19)."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.faults.conftest import (
    Browser,
    Process,
    Server,
    free_port,
    is_case_page,
    loket_environment,
    prepare_draft,
    submit,
)

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(shutil.which("prometheus") is None, reason="no prometheus binary here"),
]
TOKEN = "scrape-token-of-the-faults-test"


@pytest.fixture
def prometheus(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The Prometheus server, started once the target is known; its address and config file."""
    port = free_port()
    config = tmp_path / "prometheus.yml"
    started: list[subprocess.Popen[bytes]] = []

    def start(target: str) -> str:
        config.write_text(
            "global: {scrape_interval: 1s}\n"
            "scrape_configs:\n"
            "  - job_name: loket\n"
            f"    authorization: {{type: Bearer, credentials: {TOKEN}}}\n"
            f"    static_configs: [{{targets: ['{target}']}}]\n"
        )
        started.append(
            subprocess.Popen(
                [
                    "prometheus",
                    f"--config.file={config}",
                    f"--storage.tsdb.path={tmp_path}/tsdb",
                    f"--web.listen-address=127.0.0.1:{port}",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        return f"http://127.0.0.1:{port}"

    yield start  # type: ignore[misc]
    for process in started:
        process.terminate()
        process.wait(timeout=20)


def query(base: str, expression: str) -> float:
    answer = requests.get(f"{base}/api/v1/query", params={"query": expression}, timeout=5).json()
    result = answer["data"]["result"]
    return float(result[0]["value"][1]) if result else 0.0


def wait_until(base: str, expression: str, above: float, within: float = 60) -> float:
    deadline = time.monotonic() + within
    seen = 0.0
    while time.monotonic() < deadline:
        try:
            seen = query(base, expression)
        except requests.RequestException:
            seen = 0.0
        if seen > above:
            return seen
        time.sleep(0.5)
    pytest.fail(f"{expression} stayed at {seen} (not above {above}) for {within} s")


def test_prometheus_scrapes_two_workers_and_sees_a_submission_and_register_reads(
    database: str, var_dir: Path, processes: list[Process], prometheus: object
) -> None:
    metrics_dir = var_dir / "prometheus"
    metrics_dir.mkdir()
    environment = loket_environment(
        database, var_dir, LOKET_METRICS_TOKEN=TOKEN, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir)
    )
    server = Server(environment, workers=2)
    processes.append(server)
    server.start()
    assert requests.get(f"{server.url}/metrics", timeout=5).status_code == 401
    base = prometheus(f"127.0.0.1:{server.port}")  # type: ignore[operator]
    wait_until(base, 'up{job="loket"}', above=0)
    submissions = 'sum(loket_submissions_total{procedure="household-composition"})'
    reads = 'sum(loket_register_latency_seconds_count{source="population"})'
    before_submissions, before_reads = query(base, submissions), query(base, reads)

    browser = Browser(server.url, "resident")
    browser.log_in()
    key = prepare_draft(browser, "household-composition")
    assert is_case_page(submit(browser, "household-composition", key))

    assert wait_until(base, submissions, above=before_submissions) == before_submissions + 1
    wait_until(base, reads, above=before_reads)
    # The requests went to two processes; the scrape adds up what both counted.
    assert len(list(metrics_dir.glob("counter_*.db"))) >= 2
    wait_until(base, 'sum(loket_http_responses_total{route="web:apply-check"})', above=0)
