"""The demo has a history on first login, made through the same actions as the pages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from loket.audit.models import AccessLogEntry
from loket.cases.models import Case
from loket.config import browser_address, load
from loket.incidents.models import Incident
from loket.mandates.models import Mandate
from loket.web.demo import create_demo_history
from tests.conftest import client_for


@pytest.mark.django_db
def test_the_demo_history_gives_cases_consultations_and_reports() -> None:
    assert create_demo_history() == 4
    assert Case.objects.filter(procedure_id="residents-parking-card").count() == 2
    assert Case.objects.filter(status=Case.Status.APPROVED).count() == 1
    assert AccessLogEntry.objects.filter(source="case").count() == 2
    assert set(Incident.objects.values_list("category", flat=True)) == {"lighting", "dumping"}
    # The digital helper holds a mandate of the resident, so the dashboard has someone to show.
    mandate = Mandate.objects.get(grantor__username="demo-resident")
    assert mandate.helper is not None and mandate.helper.username == "demo-helper"
    dashboard = client_for("helper").get("/en/mandates/helping/").content.decode()
    assert "Amina" in dashboard
    assert create_demo_history() == 0  # only once
    assert Mandate.objects.count() == 1


@pytest.mark.parametrize(
    ("bind", "listens", "shown"),
    [
        (None, "127.0.0.1:8000", "localhost:8000"),
        ("0.0.0.0:8080", "0.0.0.0:8080", "localhost:8080"),
        ("192.0.2.7:9000", "192.0.2.7:9000", "192.0.2.7:9000"),
    ],
)
def test_the_demo_listens_where_loket_bind_says(
    tmp_path: Path, bind: str | None, listens: str, shown: str
) -> None:
    environ = {"LOKET_ENV": "demo", "LOKET_VAR_DIR": str(tmp_path)}
    if bind is not None:
        environ["LOKET_BIND"] = bind
    config = load(environ)
    assert (config.bind, browser_address(config.bind)) == (listens, shown)
    # A document the demo's worker makes (a certificate) points back where the demo listens.
    assert config.public_url == f"http://{shown}"


def test_a_server_listens_on_every_address_unless_told_otherwise(tmp_path: Path) -> None:
    assert load({"LOKET_ENV": "development", "LOKET_VAR_DIR": str(tmp_path)}).bind == "0.0.0.0:8000"


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_help_of_serve_and_demo_names_their_variables_and_starts_nothing(
    command: str, tmp_path: Path
) -> None:
    metrics_dir = tmp_path / "metrics"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOKET_", "PROMETHEUS_"))}
    env.update(
        LOKET_ENV="test",
        LOKET_VAR_DIR=str(tmp_path),
        LOKET_DATABASE_URL="postgres://postgres@127.0.0.1:9/loket",  # never reached
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
    )
    result = subprocess.run(
        [sys.executable, "-m", "loket.cli", command, "--help"],
        env=env, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: loket {command}")
    for name in ("LOKET_BIND", "LOKET_WORKERS", "PROMETHEUS_MULTIPROC_DIR"):
        assert name in result.stdout
    assert not metrics_dir.exists()
