"""/metrics: refused without the bearer token (and logged), and once scraped, the counts of a
parking-card application (routes, registers, the submission, the demo payment) and the gauges
of the task queue and the access log, with no personal data in any label. The alert rules that
ship in ops/prometheus pass ``promtool check rules``. (tests/faults/test_metrics_scrape.py has
a real Prometheus scrape a gunicorn with two workers.)"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.parser import text_string_to_metric_families

import loket
from loket.config import BASE_DIR
from loket.observe import metrics as observe_metrics
from loket.observe import multiprocess
from loket.observe.metrics import multiprocess_warning
from loket.tasks.models import Task
from tests.conftest import demo_user
from tests.test_cases import apply_for_parking_card

TOKEN = "scrape-token-for-the-tests-0123"


def scrape(client: Client) -> dict[str, list[tuple[dict[str, str], float]]]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    families: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            families.setdefault(sample.name, []).append((sample.labels, sample.value))
    return families


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.django_db
def test_metrics_refuse_without_a_configured_token_and_log_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with override_settings(LOKET_METRICS_TOKEN=""), caplog.at_level(logging.WARNING):
        response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 403
    assert "LOKET_METRICS_TOKEN is not set" in caplog.text


@pytest.mark.django_db
@override_settings(LOKET_METRICS_TOKEN=TOKEN)
@pytest.mark.parametrize("authorization", ["", f"Bearer {TOKEN}x", TOKEN, f"Basic {TOKEN}"])
def test_metrics_refuse_a_missing_or_wrong_token_and_log_it(
    authorization: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="loket.security"):
        response = Client().get("/metrics", HTTP_AUTHORIZATION=authorization)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"loket_" not in response.content
    assert "metrics refused" in caplog.text


@pytest.mark.django_db
@override_settings(LOKET_METRICS_TOKEN=TOKEN)
def test_an_application_moves_the_counts_and_no_label_holds_personal_data(
    django_capture_on_commit_callbacks: Any,
) -> None:
    before = {
        "submitted": value("loket_submissions_total", procedure="residents-parking-card",
                           channel="online"),
        "population": value("loket_register_latency_seconds_count", source="population"),
        "paid": value("loket_payments_total", provider="demo", event="completed"),
    }  # fmt: skip
    client = Client()
    assert client.post("/en/demo-login/", {"identity": "resident"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):  # counted when committed
        case = apply_for_parking_card(client)

    assert (
        value("loket_submissions_total", procedure="residents-parking-card", channel="online")
        == before["submitted"] + 1
    )
    read = value("loket_register_latency_seconds_count", source="population")
    assert read > before["population"]
    assert value("loket_payments_total", provider="demo", event="completed") > before["paid"]

    families = scrape(client)
    routes = {labels["route"] for labels, _ in families["loket_http_responses_total"]}
    assert {"web:apply-check", "payments:pay"} <= routes, routes
    assert all(not route.startswith("/") for route in routes), "a raw path became a label"
    assert ({"source": "population"}, read) in families["loket_register_latency_seconds_count"]
    assert families["loket_access_log_entries"][0][1] >= 3  # identity, address, vehicles
    assert "loket_access_log_seconds_since_signed_head" in families

    resident = demo_user("resident")
    personal = {resident.national_number, resident.first_name, resident.last_name,
                resident.email, case.reference, case.answers["plate"]}  # fmt: skip
    labels_text = repr([labels for samples in families.values() for labels, _ in samples])
    assert [value for value in personal if value and value in labels_text] == []


@pytest.mark.django_db
@override_settings(LOKET_METRICS_TOKEN=TOKEN)
def test_the_queue_gauges_show_depth_and_the_age_of_the_oldest_due_task_per_type() -> None:
    due = timezone.now() - timedelta(minutes=20)
    Task.objects.create(name="tests.stuck", payload={}, run_after=due)
    Task.objects.create(name="tests.stuck", payload={}, run_after=timezone.now())
    Task.objects.create(name="tests.done", payload={}, run_after=due, state=Task.State.DONE)
    families = scrape(Client())
    waiting = dict((labels["task"], v) for labels, v in families["loket_tasks_waiting"])
    ages = dict((labels["task"], v) for labels, v in families["loket_tasks_oldest_due_age_seconds"])
    assert waiting["tests.stuck"] == 2
    assert 20 * 60 <= ages["tests.stuck"] < 30 * 60
    assert "tests.done" not in waiting


@pytest.mark.django_db
@override_settings(LOKET_METRICS_TOKEN=TOKEN)
def test_tasks_failed_for_good_are_counted_per_type_and_every_known_type_has_a_series() -> None:
    now = timezone.now()
    for state in (Task.State.FAILED, Task.State.FAILED, Task.State.QUEUED):
        Task.objects.create(name="tests.broken", payload={}, state=state, run_after=now)
    failed = {labels["task"]: v for labels, v in scrape(Client())["loket_tasks_failed"]}
    assert failed["tests.broken"] == 2
    assert failed["tasks.prune"] == 0  # no failure yet: a series all the same


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian: prometheus) absent")
def test_the_shipped_alert_rules_pass_promtool() -> None:
    rules = BASE_DIR / "ops" / "prometheus" / "alerts.yml"
    result = subprocess.run(
        ["promtool", "check", "rules", str(rules)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 9 rules found" in result.stdout


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian: prometheus) absent")
def test_the_alerts_fire_on_a_scrape_failure_a_database_outage_and_a_new_failed_task() -> None:
    tests = BASE_DIR / "ops" / "prometheus" / "alerts_test.yml"
    result = subprocess.run(
        ["promtool", "test", "rules", tests.name], cwd=tests.parent,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_serving_several_workers_without_a_shared_directory_is_warned_about(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    assert "PROMETHEUS_MULTIPROC_DIR" in multiprocess_warning(3, metrics_on=True)
    assert multiprocess_warning(1, metrics_on=True) == ""
    assert multiprocess_warning(3, metrics_on=False) == ""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert multiprocess_warning(3, metrics_on=True) == ""


SCRAPE_WITH_DATABASE_DOWN = f"""
import django, json
django.setup()
from django.test import Client, override_settings
with override_settings(LOKET_METRICS_TOKEN={TOKEN!r}):
    response = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer {TOKEN}")
print(json.dumps({{"status": response.status_code, "type": response["Content-Type"],
                  "body": response.content.decode()}}))
"""


def test_metrics_answer_during_a_database_outage_with_the_database_down() -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"},
        "LOKET_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "loket.settings",
        # Nothing listens on port 9 of the loopback: the connection is refused at once.
        "LOKET_TEST_DATABASE_URL": "postgres://postgres@127.0.0.1:9/loket",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRAPE_WITH_DATABASE_DOWN],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 200, answer["body"][:500]
    assert answer["type"].startswith("text/plain")
    samples = {
        sample.name: sample.value
        for family in text_string_to_metric_families(answer["body"])
        for sample in family.samples
    }
    assert samples["loket_database_up"] == 0
    assert "loket_access_log_entries" not in samples


@pytest.mark.django_db
@override_settings(LOKET_METRICS_TOKEN=TOKEN)
def test_metrics_say_the_database_is_up_when_it_answers() -> None:
    assert scrape(Client())["loket_database_up"] == [({}, 1.0)]


def loket_command(arguments: list[str], **environ: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOKET_", "PROMETHEUS_"))}
    env.update(LOKET_ENV="test", LOKET_DATABASE_URL="postgres://postgres@127.0.0.1:9/loket")
    return subprocess.run(
        [sys.executable, "-m", "loket.cli", *arguments],
        env={**env, **environ}, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_a_command_other_than_serve_or_worker_counts_in_memory_and_leaves_no_files(
    tmp_path: Path,
) -> None:
    missing, shared = tmp_path / "missing", tmp_path / "shared"
    shared.mkdir()
    for directory in (missing, shared):
        result = loket_command(["check"], PROMETHEUS_MULTIPROC_DIR=str(directory))
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    assert not missing.exists()
    assert list(shared.iterdir()) == []
    empty = loket_command(["check"], PROMETHEUS_MULTIPROC_DIR="")  # set but empty: unset
    assert empty.returncode == 0, empty.stderr
    assert list(Path.cwd().glob("counter_*.db")) == []


def test_serve_and_worker_make_a_missing_directory_and_forget_only_dead_processes(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "run" / "metrics"
    environ = {"PROMETHEUS_MULTIPROC_DIR": str(directory)}
    assert multiprocess.prepare("worker", environ) == ""
    assert directory.is_dir()
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    dead, alive = int(ended.stdout), os.getpid()
    for name in (f"gauge_livesum_{dead}.db", f"counter_{dead}.db",
                 f"gauge_livesum_{alive}.db", f"counter_{alive}.db"):  # fmt: skip
        (directory / name).write_bytes(b"")
    assert multiprocess.prepare("serve", environ) == ""
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        [f"counter_{dead}.db", f"gauge_livesum_{alive}.db", f"counter_{alive}.db"]
    )  # a dead process's counters stay in the totals; a live one's files are untouched
    assert environ["PROMETHEUS_MULTIPROC_DIR"] == str(directory)


def test_a_directory_that_cannot_be_made_is_one_line_naming_the_variable(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = loket_command(["worker", "--once"], PROMETHEUS_MULTIPROC_DIR=str(blocker / "metrics"))
    assert result.returncode == 2
    assert result.stderr.startswith("loket: PROMETHEUS_MULTIPROC_DIR=")
    assert len(result.stderr.strip().splitlines()) == 1


def documented_metrics() -> dict[str, set[str]]:
    """The metric table of docs/operations.md: each metric name and the labels it lists."""
    text = (BASE_DIR / "docs" / "operations.md").read_text(encoding="utf-8")
    table = text.split("| metric | labels | what |\n", 1)[1].split("\n\n", 1)[0]
    documented: dict[str, set[str]] = {}
    for row in table.splitlines()[1:]:
        names, labels = row.strip("|").split(" | ")[:2]
        for name in re.findall(r"`([a-z_]+)`", names):
            documented[name] = set(re.findall(r"`([a-z_]+)`", labels))
    return documented


@pytest.mark.django_db
@override_settings(LOKET_METRICS_TOKEN=TOKEN)
def test_the_documented_metrics_and_labels_are_the_ones_loket_exposes() -> None:
    exposed: dict[str, set[str]] = {}
    for counted in vars(observe_metrics).values():
        if isinstance(counted, MetricWrapperBase):
            suffix = "_total" if counted._type == "counter" else ""
            exposed[counted._name + suffix] = set(counted._labelnames)
    Task.objects.create(name="tests.waiting", payload={}, run_after=timezone.now())
    for name, samples in scrape(Client()).items():
        if name.startswith(("loket_tasks_", "loket_access_log_", "loket_database_", "loket_build")):
            exposed[name] = set(samples[0][0])
    assert documented_metrics() == exposed
    assert "loket_build_info" in exposed


@pytest.mark.django_db
@override_settings(LOKET_METRICS_TOKEN=TOKEN)
def test_static_files_are_counted_under_the_static_route() -> None:
    before = value("loket_http_responses_total", route="static", method="GET", status="200")
    assert Client().get("/static/loket/favicon.svg").status_code == 200
    after = value("loket_http_responses_total", route="static", method="GET", status="200")
    assert after == before + 1
    assert scrape(Client())["loket_build_info"] == [({"version": loket.__version__}, 1.0)]


@pytest.mark.django_db(transaction=True)
def test_a_payment_rolled_back_is_not_counted() -> None:
    before = value("loket_payments_total", provider="demo", event="started")
    with pytest.raises(RuntimeError), transaction.atomic():
        observe_metrics.payment("demo", "started")
        raise RuntimeError("the transaction fails after the payment was recorded")
    assert value("loket_payments_total", provider="demo", event="started") == before
    with transaction.atomic():
        observe_metrics.payment("demo", "started")
    assert value("loket_payments_total", provider="demo", event="started") == before + 1
