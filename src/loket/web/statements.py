"""The statements a public website owes: security.txt (RFC 9116), the accessibility statement
(EU model statement, Commission Implementing Decision (EU) 2018/1523) and the legal notice.

The compliance status is not typed by hand: it follows from the last run of the axe-based
accessibility test (tests/e2e/test_accessibility.py writes ``accessibility_run.json`` when run
with ``LOKET_WRITE_A11Y_SUMMARY=1``) and from the known problems in
``accessibility_limitations.yaml``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from loket.core.i18n import pick
from loket.core.models import User
from loket.core.ratelimit import hit
from loket.core.reference import read_yaml
from loket.forms.answers import long_date
from loket.notify.actions import do_notify
from loket.tasks.queue import every, handler
from loket.web.models import AccessibilityReport
from loket.web.region import region_designers

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
RUN_FILE = DATA_DIR / "accessibility_run.json"
LIMITATIONS_FILE = "accessibility_limitations.yaml"
LANGUAGES = ("fr", "nl", "en")
REPORT_RATE_LIMIT = "LOKET_ACCESSIBILITY_REPORT_RATE_LIMIT"
# A report names who sent it: kept two years (long enough for the answer, a complaint to the
# ombudsman and the yearly monitoring), then deleted by the daily task below.
KEEP_REPORTS = timedelta(days=730)
EXPIRE_REPORTS_TASK = "web.accessibility-reports-expire"


def security_txt(
    contact: str, policy_url: str, expires_in: timedelta, public_url: str, now: datetime
) -> str:
    """The body of /.well-known/security.txt; Expires runs from ``now`` so it never goes stale."""
    expires = (now + expires_in).replace(microsecond=0)
    lines = [f"Contact: {contact}"]
    lines.append(f"Expires: {expires.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}")
    if policy_url:
        lines.append(f"Policy: {policy_url}")
    lines.append(f"Preferred-Languages: {', '.join(LANGUAGES)}")
    lines.append(f"Canonical: {public_url}/.well-known/security.txt")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class AccessibilityRun:
    """The last run of the automated accessibility test, as the test wrote it."""

    day: date
    tool: str
    pages: list[dict[str, Any]]

    @property
    def violations(self) -> int:
        return sum(int(page["violations"]) for page in self.pages)

    @property
    def pages_with_violations(self) -> int:
        return sum(1 for page in self.pages if int(page["violations"]))


def last_accessibility_run(path: Path = RUN_FILE) -> AccessibilityRun | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return AccessibilityRun(date.fromisoformat(data["date"]), data["tool"], data["pages"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_accessibility_run(pages: list[dict[str, Any]], tool: str, path: Path = RUN_FILE) -> None:
    """What the accessibility test writes after a run: one row per page, its violations."""
    head = {"date": timezone.localdate().isoformat(), "tool": tool}
    rows = ",\n  ".join(json.dumps(page, ensure_ascii=False) for page in pages)
    text = json.dumps(head, ensure_ascii=False)[:-1] + f', "pages": [\n  {rows}\n]}}\n'
    path.write_text(text, encoding="utf-8")


def known_limitations() -> list[str]:
    """The content known not to be accessible, in the active language."""
    return [pick(item) for item in read_yaml(LIMITATIONS_FILE)]


def compliance_status(run: AccessibilityRun | None, limitations: list[str]) -> str:
    """Fully, partially or not compliant with EN 301 549 (WCAG 2.1 AA), in the model's words:
    not when the last run is missing or found problems on most pages; partially when it found
    some, or when some content is known not to be accessible; fully otherwise."""
    if run is None or not run.pages or run.pages_with_violations * 2 > len(run.pages):
        return "not"
    if run.violations or limitations:
        return "partially"
    return "fully"


def status_sentence(status: str) -> str:
    return {
        "fully": _("This website is fully compliant with EN 301 549 (WCAG 2.1 level AA)."),
        "partially": _(
            "This website is partially compliant with EN 301 549 (WCAG 2.1 level AA), "
            "because of the non-compliances listed below."
        ),
        "not": _("This website is not compliant with EN 301 549 (WCAG 2.1 level AA)."),
    }[status]


class ReportRefused(Exception):
    """Too many reports from the same address in a short time."""


def do_report_accessibility_problem(
    data: dict[str, str], language: str, client: str
) -> AccessibilityReport:
    """Record a visitor's accessibility problem for the operator to answer, within
    ``LOKET_ACCESSIBILITY_REPORT_RATE_LIMIT`` per client address."""
    if hit(f"accessibility-report:{client}", REPORT_RATE_LIMIT) is not None:
        raise ReportRefused(
            _("Too many reports were sent from here in a short time. Please try again later.")
        )
    report = AccessibilityReport.objects.create(
        name=data.get("name", ""),
        email=data.get("email", ""),
        phone=data.get("phone", ""),
        page=data["page"],
        description=data["description"],
        language=language[:2],
    )
    _tell_region_staff(report)
    return report


def _tell_region_staff(report: AccessibilityReport) -> None:
    """Each of the region's service designers (who run the platform and answer for its
    accessibility) finds the report in their inbox and by e-mail, with the day to answer by."""
    link = reverse("web:backoffice-accessibility-reports")
    for person in region_designers():
        with translation.override(person.preferred_language or "fr"):
            words = {"page": report.page[:80], "date": long_date(report.answer_by.isoformat())}
            subject = _("An accessibility problem was reported: %(page)s") % words
            body = (
                _(
                    "A visitor reported an accessibility problem on %(page)s. The accessibility "
                    "statement promises an answer by %(date)s. Read it in the back-office, under "
                    "Reported accessibility problems, and mark it answered once you have answered."
                )
                % words
            )
        do_notify(
            person, f"accessibility-report:{report.pk}", subject, body, kind="accessibility",
            topic="accessibility-reports", link=link,
        )  # fmt: skip


def reports_to_answer() -> int:
    return AccessibilityReport.objects.filter(answered_at__isnull=True).count()


def do_mark_report_answered(report_id: int, staff: User) -> AccessibilityReport:
    """Record that the report was answered (by whom, when); marking it twice keeps the first."""
    report = AccessibilityReport.objects.get(pk=report_id)
    if report.answered_at is None:
        report.answered_at, report.answered_by = timezone.now(), staff
        report.save(update_fields=["answered_at", "answered_by"])
    return report


@handler(EXPIRE_REPORTS_TASK)
def forget_old_accessibility_reports(payload: dict[str, Any]) -> None:
    """Daily: delete the reports received more than ``KEEP_REPORTS`` ago."""
    AccessibilityReport.objects.filter(created_at__lt=timezone.now() - KEEP_REPORTS).delete()


every(EXPIRE_REPORTS_TASK, timedelta(days=1))


def statement_prepared_on() -> date:
    """The statement is prepared from the last test run: the date of that run."""
    run = last_accessibility_run()
    return run.day if run else timezone.localdate()
