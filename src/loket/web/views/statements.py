"""The statements a public website owes: security.txt, the accessibility statement with its
form to report a problem, the legal notice, and the staff's list of reported problems."""

from __future__ import annotations

import re
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from loket.audit.actions import do_record_security_event
from loket.core.access import access
from loket.core.client import client_address
from loket.core.models import User
from loket.web.models import AccessibilityReport
from loket.web.region import is_region_designer
from loket.web.statements import (
    ReportRefused,
    compliance_status,
    do_mark_report_answered,
    do_report_accessibility_problem,
    known_limitations,
    last_accessibility_run,
    security_txt,
    status_sentence,
)

PHONE = re.compile(r"^\+?[0-9][0-9 ./-]{7,24}$")


class AccessibilityReportForm(forms.Form):
    """A problem of accessibility: which page, what goes wrong, and how to answer."""

    name = forms.CharField(
        label=_("Your name (optional)"), required=False, max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )  # fmt: skip
    email = forms.EmailField(
        label=_("E-mail address"), required=False, max_length=254,
        help_text=_("Give an e-mail address or a phone number, so that we can answer you."),
        error_messages={"invalid": _("Enter an e-mail address such as name@example.be.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )  # fmt: skip
    phone = forms.CharField(
        label=_("Phone number"), required=False, max_length=30,
        help_text=_("For example 0470 12 34 56 or 02 123 45 67."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )  # fmt: skip
    page = forms.CharField(
        label=_("Page concerned"), max_length=300,
        help_text=_("Its address or its title."),
        error_messages={"required": _("Enter the page where you met the problem.")},
    )  # fmt: skip
    description = forms.CharField(
        label=_("Describe the problem"), max_length=4000,
        error_messages={
            "required": _("Describe the problem you met."),
            "max_length": _("Keep the description under 4,000 characters."),
        },
        widget=forms.Textarea(attrs={"rows": 6}),
    )  # fmt: skip

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data.get("phone", "").strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(_("Enter a phone number such as 02 123 45 67."))
        return phone

    def clean(self) -> dict[str, str]:
        data: dict[str, str] = super().clean() or {}
        if not data.get("email") and not data.get("phone") and "email" not in self.errors:
            self.add_error("email", _("Give an e-mail address or a phone number."))
        return data


@access("anonymous")
@require_GET
def security_txt_file(request: HttpRequest) -> HttpResponse:
    """/.well-known/security.txt (RFC 9116)."""
    public_url = settings.LOKET_PUBLIC_URL or f"{request.scheme}://{request.get_host()}"
    statements = settings.LOKET_STATEMENTS
    body = security_txt(
        statements.security_contact,
        statements.security_policy_url,
        timedelta(days=statements.security_expires_days),
        public_url,
        timezone.now(),
    )
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


@access("anonymous")
@require_http_methods(["GET", "POST"])
def accessibility(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = AccessibilityReportForm(request.POST)
        if form.is_valid():
            try:
                do_report_accessibility_problem(
                    form.cleaned_data, translation.get_language() or "fr", client_address(request)
                )
            except ReportRefused as refusal:
                form.add_error(None, str(refusal))
                status = 429
            else:
                messages.success(
                    request,
                    _("Thank you. Your report was received; we answer within 30 days."),
                )
                return redirect("web:accessibility")
        else:
            status = 400
    else:
        form = AccessibilityReportForm(initial={"page": request.GET.get("page", "")[:300]})
    run = last_accessibility_run()
    limitations = known_limitations()
    compliance = compliance_status(run, limitations)
    return render(
        request,
        "web/statements/accessibility.html",
        {
            "form": form,
            "run": run,
            "limitations": limitations,
            "compliance": compliance,
            "status_sentence": status_sentence(compliance),
            "operator": settings.LOKET_STATEMENTS.operator,
            "operator_is_demo": settings.LOKET_STATEMENTS.operator_is_demo,
            "site": settings.LOKET_PUBLIC_URL or f"{request.scheme}://{request.get_host()}",
        },
        status=status,
    )


@access("anonymous")
@require_GET
def legal(request: HttpRequest) -> HttpResponse:
    statements = settings.LOKET_STATEMENTS
    return render(
        request,
        "web/statements/legal.html",
        {
            "operator": statements.operator,
            "operator_is_demo": statements.operator_is_demo,
            "security_contact": statements.security_contact,
            "security_contact_label": statements.security_contact.removeprefix("mailto:"),
        },
    )


@access("agent")
@login_required
@require_http_methods(["GET", "POST"])
def accessibility_reports(request: HttpRequest) -> HttpResponse:
    """The problems visitors reported, those still to answer first, for the region's staff who
    answer them (the reports name their senders: no other agent reads them)."""
    if not is_region_designer(request.user):
        do_record_security_event(
            "accessibility-reports-refused", user_id=getattr(request.user, "pk", None)
        )
        raise PermissionDenied
    if request.method == "POST":
        report_id = request.POST.get("report", "")
        if not report_id.isdigit() or not AccessibilityReport.objects.filter(pk=report_id).exists():
            return HttpResponseBadRequest(_("This report does not exist (any more)."))
        assert isinstance(request.user, User)
        do_mark_report_answered(int(report_id), request.user)
        messages.success(request, _("The report is marked answered."))
        return redirect("web:backoffice-accessibility-reports")
    reports = AccessibilityReport.objects.select_related("answered_by").order_by(
        F("answered_at").desc(nulls_first=True), "created_at"
    )[:200]
    return render(request, "web/backoffice/accessibility_reports.html", {"reports": reports})
