"""The statements a public website owes: security.txt, the accessibility statement with its
report form, and the legal notice."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone, translation
from pytest_django.fixtures import Settings as SettingsWrapper

from loket.audit.models import SecurityEvent
from loket.forms.answers import long_date
from loket.notify.models import Notification
from loket.web.models import AccessibilityReport
from loket.web.statements import (
    KEEP_REPORTS,
    AccessibilityRun,
    compliance_status,
    forget_old_accessibility_reports,
    last_accessibility_run,
    write_accessibility_run,
)
from tests.conftest import client_for, days_ago, demo_user

pytestmark = pytest.mark.django_db

REPORT = {
    "name": "",
    "email": "ana@example.be",
    "phone": "",
    "page": "/en/procedures/",
    "description": "The filter buttons cannot be reached with the keyboard.",
}


def security_fields(body: str) -> dict[str, str]:
    fields = {}
    for line in body.splitlines():
        name, _colon, value = line.partition(": ")
        fields[name] = value
    return fields


def test_security_txt_names_the_contact_an_expiry_within_a_year_and_the_canonical_address(
    client: Client, settings: SettingsWrapper
) -> None:
    settings.LOKET_PUBLIC_URL = "https://loket.brussels"
    settings.LOKET_STATEMENTS = replace(
        settings.LOKET_STATEMENTS,
        security_contact="mailto:security@loket.brussels",
        security_policy_url="https://loket.brussels/security-policy",
    )
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = security_fields(response.content.decode())
    assert fields["Contact"] == "mailto:security@loket.brussels"
    assert fields["Policy"] == "https://loket.brussels/security-policy"
    assert fields["Preferred-Languages"] == "fr, nl, en"
    assert fields["Canonical"] == "https://loket.brussels/.well-known/security.txt"
    expires = datetime.strptime(fields["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    now = timezone.now()
    assert now < expires < now + timedelta(days=365)


def test_security_txt_without_a_policy_has_no_policy_line(client: Client) -> None:
    fields = security_fields(client.get("/.well-known/security.txt").content.decode())
    assert "Policy" not in fields
    assert fields["Contact"].startswith("mailto:")


def test_the_footer_of_every_page_links_the_statements(client: Client) -> None:
    page = client.get("/en/").content.decode()
    assert 'href="/en/accessibility/"' in page
    assert 'href="/en/legal/"' in page


@pytest.mark.usefixtures("in_english")
def test_the_accessibility_statement_follows_the_eu_model_and_the_last_test_run(
    client: Client,
) -> None:
    response = client.get("/en/accessibility/?page=/en/search/")
    assert response.status_code == 200
    page = response.content.decode()
    for heading in (
        "Compliance status",
        "Non-accessible content",
        "Preparation of this accessibility statement",
        "Feedback and contact information",
        "Enforcement procedure",
    ):
        assert f">{heading}</h2>" in page
    run = last_accessibility_run()
    assert run is not None and run.pages
    assert f"checked {len(run.pages)} pages" in page
    assert "partially compliant" in page  # known problems are listed in the data file
    assert "PDF" in page
    assert 'value="/en/search/"' in page  # the page the visitor came from


def test_the_compliance_status_follows_the_run_and_the_known_problems() -> None:
    day = timezone.localdate()
    clean = AccessibilityRun(day, "axe", [{"path": "/", "violations": 0}] * 4)
    some = AccessibilityRun(day, "axe", [{"path": "/", "violations": 2}, *clean.pages[:3]])
    most = AccessibilityRun(day, "axe", [{"path": "/", "violations": 1}] * 3 + clean.pages[:1])
    assert compliance_status(clean, []) == "fully"
    assert compliance_status(clean, ["PDFs"]) == "partially"
    assert compliance_status(some, []) == "partially"
    assert compliance_status(most, []) == "not"
    assert compliance_status(None, []) == "not"


def test_the_run_summary_written_by_the_test_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    write_accessibility_run([{"page": "home-en", "path": "/en/", "violations": 0}], "axe", path)
    run = last_accessibility_run(path)
    assert run is not None
    assert run.day == timezone.localdate()
    assert json.loads(path.read_text())["pages"][0]["path"] == "/en/"
    path.write_text("{broken")
    assert last_accessibility_run(path) is None


@pytest.mark.usefixtures("in_english")
def test_a_report_without_contact_or_description_is_refused_and_keeps_what_was_typed(
    client: Client,
) -> None:
    data = {**REPORT, "email": "", "description": "", "name": "Ana Peeters"}
    response = client.post("/en/accessibility/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give an e-mail address or a phone number." in page
    assert "Describe the problem you met." in page
    assert 'value="Ana Peeters"' in page
    assert 'value="/en/procedures/"' in page
    assert "<title>Error:" in page
    assert not AccessibilityReport.objects.exists()


@pytest.mark.usefixtures("in_english")
def test_a_malformed_phone_number_is_refused(client: Client) -> None:
    response = client.post("/en/accessibility/", {**REPORT, "email": "", "phone": "call me"})
    assert response.status_code == 400
    assert "Enter a phone number such as 02 123 45 67." in response.content.decode()


@pytest.mark.usefixtures("in_english")
def test_a_report_is_stored_confirmed_and_listed_for_staff(client: Client) -> None:
    response = client.post("/en/accessibility/", REPORT, follow=True)
    assert response.status_code == 200
    assert "Thank you. Your report was received" in response.content.decode()
    report = AccessibilityReport.objects.get()
    assert (report.email, report.page, report.language) == ("ana@example.be", REPORT["page"], "en")
    designer = client_for("designer")  # the region's staff, who run the platform, answer
    assert (
        'href="/en/back-office/accessibility-reports/"'
        in designer.get("/en/designer/").content.decode()
    )
    staff = designer.get("/en/back-office/accessibility-reports/")
    assert staff.status_code == 200
    assert "cannot be reached with the keyboard" in staff.content.decode()
    assert "To answer by" in staff.content.decode()
    # The reports name their senders: no other agent, and no resident, reads them.
    for other in ("agent-parking", "resident"):
        assert client_for(other).get("/en/back-office/accessibility-reports/").status_code == 403
    assert SecurityEvent.objects.filter(kind="accessibility-reports-refused").count() == 2


@pytest.mark.usefixtures("in_english")
def test_the_region_staff_is_told_of_a_report_and_marks_it_answered(client: Client) -> None:
    designer = demo_user("designer")
    assert client.post("/en/accessibility/", REPORT).status_code == 302
    report = AccessibilityReport.objects.get()
    key = f"accessibility-report:{report.pk}"
    notice = Notification.objects.get(recipient=designer, event_key=key)
    assert notice.link.endswith("/back-office/accessibility-reports/")
    with translation.override(designer.preferred_language or "fr"):
        assert long_date(report.answer_by.isoformat()) in notice.body
    assert report.answer_by == timezone.localdate(report.created_at + timedelta(days=30))
    staff = client_for("designer")
    assert "1 to answer" in staff.get("/en/designer/").content.decode()
    reports = "/en/back-office/accessibility-reports/"
    assert staff.post(reports, {"report": "nope"}).status_code == 400
    answered = staff.post(
        "/en/back-office/accessibility-reports/", {"report": str(report.pk)}, follow=True
    )
    assert "The report is marked answered." in answered.content.decode()
    report.refresh_from_db()
    assert report.answered_by == designer and report.answered_at is not None
    assert "Mark answered" not in answered.content.decode()
    # Thirty days on, an unanswered report is late, and listed first.
    late = AccessibilityReport.objects.create(page="/fr/", description="x", language="fr")
    AccessibilityReport.objects.filter(pk=late.pk).update(created_at=days_ago(31))
    page = staff.get("/en/back-office/accessibility-reports/").content.decode()
    assert "Late: to answer by" in page
    assert page.index("Late: to answer by") < page.index("Answered on")


@pytest.mark.usefixtures("in_english", "steady_rate_window")
def test_reports_are_rate_limited_per_address(client: Client, settings: SettingsWrapper) -> None:
    settings.LOKET_ACCESSIBILITY_REPORT_RATE_LIMIT = (2, 3600)
    for _ in range(2):
        assert client.post("/en/accessibility/", REPORT).status_code == 302
    refused = client.post("/en/accessibility/", REPORT)
    assert refused.status_code == 429
    assert "Too many reports were sent from here" in refused.content.decode()
    assert AccessibilityReport.objects.count() == 2


@pytest.mark.usefixtures("in_english")
def test_the_legal_notice_names_the_operator_and_marks_the_demo(
    client: Client, settings: SettingsWrapper
) -> None:
    page = client.get("/en/legal/").content.decode()
    assert "Loket demo operator" in page
    assert "placeholder, not a real body" in page
    assert '<a href="mailto:security@loket.example">security@loket.example</a>' in page
    settings.LOKET_STATEMENTS = replace(
        settings.LOKET_STATEMENTS,
        operator={
            "name": "Paradigm",
            "address": "Avenue des Arts 21, 1000 Bruxelles",
            "number": "0000.000.000",
            "email": "info@paradigm.brussels",
        },
    )
    page = client.get("/en/legal/").content.decode()
    assert "Paradigm" in page and "Avenue des Arts 21" in page and "0000.000.000" in page
    assert "placeholder" not in page


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_statements_answer_in_every_language(client: Client, language: str) -> None:
    assert client.get(f"/{language}/accessibility/").status_code == 200
    assert client.get(f"/{language}/legal/").status_code == 200


def test_reports_are_deleted_two_years_after_they_were_received() -> None:
    old = AccessibilityReport.objects.create(page="/", description="x", language="fr")
    recent = AccessibilityReport.objects.create(page="/", description="y", language="fr")
    AccessibilityReport.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - KEEP_REPORTS - timedelta(days=1)
    )
    forget_old_accessibility_reports({})
    assert list(AccessibilityReport.objects.values_list("pk", flat=True)) == [recent.pk]
