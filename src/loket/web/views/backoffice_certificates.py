"""The back-office's certificates: the register of what the agent's administrations issued, the
sealed PDF as it was handed out, and revocation with a reason.

Every certificate is reached through its case (``cases.selectors.get_case_for_agent``), so an
agent of another administration gets the same logged 404 as for a case that does not exist.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from loket.cases.actions import do_record_document_download
from loket.cases.models import Case
from loket.cases.selectors import get_case_for_agent
from loket.catalog.models import Procedure
from loket.certificates.actions import RevocationRefused, do_revoke_certificate
from loket.certificates.content import KINDS
from loket.certificates.models import IssuedCertificate
from loket.certificates.selectors import certificate_register, get_certificate_for_agent
from loket.web.views.backoffice import back_office_agent
from loket.web.views.files import stored_certificate

PAGE_SIZE = 50


class RegisterForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Certificate"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = sorted((p.id, p.name) for p in Procedure.objects.filter(id__in=KINDS))
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            ("", _("All")), *sorted(kinds, key=lambda choice: choice[1])]  # fmt: skip
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            ("", _("All")), *IssuedCertificate.Status.choices]  # fmt: skip

    def chosen(self) -> tuple[str, str]:
        """The kind and status to show; nothing filtered when what was asked is not valid."""
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("kind") or "", data.get("status") or ""


class RevokeForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason for revoking"),
        help_text=gettext_lazy(
            "The holder is told this reason, and anyone who checks the certificate sees it."
        ),
        choices=IssuedCertificate.RevocationReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose the reason for revoking the certificate."),
            "invalid_choice": gettext_lazy("Choose one of the reasons listed."),
        },
    )
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        help_text=gettext_lazy(
            "A few plain words that the holder and whoever checks the certificate will read, "
            "for example what changed. No personal data beyond the certificate's."
        ),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": gettext_lazy("Keep the note under 500 characters.")},
    )


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """What the agent's administrations issued, newest first, by kind and status."""
    agent = back_office_agent(request)
    form = RegisterForm(request.GET or None)
    kind, status = form.chosen()
    page = Paginator(certificate_register(agent, kind, status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/backoffice/certificates.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=422 if form.errors else 200,
    )


@login_required
def certificate_file(request: HttpRequest, reference: str, number: str) -> FileResponse:
    """The sealed PDF exactly as it was handed out (the bytes whose SHA-256 the register holds)."""
    agent = back_office_agent(request)
    case = get_case_for_agent(agent, reference)
    certificate = get_certificate_for_agent(agent, case, number)
    response = stored_certificate(certificate)
    do_record_document_download(case, agent, "certificate")
    return response


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, reference: str, number: str) -> HttpResponse:
    """Revoke a valid certificate with a reason: the case's history shows it, the holder is told,
    and the verification page says revoked from then on."""
    agent = back_office_agent(request)
    case = get_case_for_agent(agent, reference)
    certificate = get_certificate_for_agent(agent, case, number)
    if request.method != "POST":
        return _revoke_page(request, case, certificate, RevokeForm())
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return _revoke_page(request, case, certificate, form, status=422)
    try:
        do_revoke_certificate(
            certificate, agent, form.cleaned_data["reason"], form.cleaned_data["note"]
        )
    except RevocationRefused as refused:
        return _refused(request, case, certificate, form, str(refused))
    messages.success(
        request, _("Certificate no. %(number)s revoked.") % {"number": certificate.number}
    )
    return redirect("web:backoffice-case", reference=case.reference)


def _refused(
    request: HttpRequest, case: Case, certificate: IssuedCertificate, form: RevokeForm, code: str
) -> HttpResponse:
    """The action refused: gone from the agent's administrations (404), no reason (422), or no
    longer valid, e.g. revoked twice (409); what the agent typed stays in the form."""
    if code == "not-yours":  # lost the membership meanwhile (logged by the action)
        raise Http404
    if code == "no-reason":
        form.add_error("reason", RevokeForm.base_fields["reason"].error_messages["required"])
        return _revoke_page(request, case, certificate, form, status=422)
    certificate.refresh_from_db()
    form.add_error(
        None,
        _("Certificate no. %(number)s is no longer valid (%(status)s): it cannot be revoked.")
        % {"number": certificate.number, "status": certificate.get_status_display().lower()},
    )
    return _revoke_page(request, case, certificate, form, status=409)


def _revoke_page(
    request: HttpRequest, case: Case, certificate: IssuedCertificate, form: RevokeForm,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    return render(
        request,
        "web/backoffice/revoke.html",
        {"case": case, "certificate": certificate, "form": form},
        status=status,
    )
