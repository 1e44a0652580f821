"""/metrics: refused without the bearer token (and logged), and once scraped, the counts of a
parking-card application (routes, registers, the submission, the demo payment) and the gauges
of the task queue and the access log, with no personal data in any label. The alert rules that
ship in ops/prometheus pass ``promtool check rules``. (tests/faults/test_metrics_scrape.py has
a real Prometheus scrape a gunicorn with two workers.)"""

from __future__ import annotations

import logging
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from loket.config import BASE_DIR
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
def test_an_application_moves_the_counts_and_no_label_holds_personal_data() -> None:
    before = {
        "submitted": value("loket_submissions_total", procedure="residents-parking-card",
                           channel="online"),
        "population": value("loket_register_latency_seconds_count", source="population"),
        "paid": value("loket_payments_total", provider="demo", event="completed"),
    }  # fmt: skip
    client = Client()
    assert client.post("/en/demo-login/", {"identity": "resident"}).status_code == 302
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


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian: prometheus) absent")
def test_the_shipped_alert_rules_pass_promtool() -> None:
    rules = BASE_DIR / "ops" / "prometheus" / "alerts.yml"
    result = subprocess.run(
        ["promtool", "check", "rules", str(rules)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 4 rules found" in result.stdout


def test_serving_several_workers_without_a_shared_directory_is_warned_about(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    assert "PROMETHEUS_MULTIPROC_DIR" in multiprocess_warning(3, metrics_on=True)
    assert multiprocess_warning(1, metrics_on=True) == ""
    assert multiprocess_warning(3, metrics_on=False) == ""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert multiprocess_warning(3, metrics_on=True) == ""
