"""The register of processing: for everyone, for the data protection officer, and as files."""

from __future__ import annotations

import json
from dataclasses import asdict

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from loket.core import csv_export
from loket.core.models import Membership, User
from loket.privacy.register import processing_register

COLUMNS = (
    "procedure_id", "name", "controller", "purposes", "legal_bases", "data_from_registers",
    "data_from_applicant", "data_subjects", "recipients", "retention", "security",
)  # fmt: skip


def public_register(request: HttpRequest) -> HttpResponse:
    """What the platform does with personal data, procedure by procedure (public)."""
    fmt = request.GET.get("format", "")
    entries = processing_register()
    if fmt == "json":
        body = json.dumps([{c: asdict(e)[c] for c in COLUMNS} for e in entries], ensure_ascii=False)
        return HttpResponse(body, content_type="application/json; charset=utf-8")
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="loket-processing-register.csv"'
        writer = csv_export.Writer(response)
        writer.writerow(COLUMNS)
        for entry in entries:
            row = asdict(entry)
            writer.writerow(
                ["; ".join(v) if isinstance(v, list) else v for v in (row[c] for c in COLUMNS)]
            )
        return response
    return render(request, "privacy/register.html", {"entries": entries, "for_dpo": False})


@login_required
def dpo_register(request: HttpRequest) -> HttpResponse:
    """The same register with its problems, for the data protection officer."""
    user = request.user
    assert isinstance(user, User)
    if not user.memberships.filter(role=Membership.Role.DPO).exists():
        raise PermissionDenied
    entries = processing_register()
    problems = [p for e in entries for p in e.problems]
    return render(
        request,
        "privacy/register.html",
        {"entries": entries, "for_dpo": True, "problems": problems,
         "title": _("Register of processing (data protection officer)")},
    )  # fmt: skip
