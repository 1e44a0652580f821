"""The assisted channel: an agent at a municipal counter enters a paper application for a
resident who is present.

The agent identifies the resident (national number, identity document checked), which starts a
counter session: a mandate of kind "counter", valid today, under which the agent goes through the
ordinary apply pages exactly as a helper would (same banner, same check by the one door, same
``submitted_by``). The case then records that it was entered at the counter, and where.

Once sent, a confirmation gives the reference, the receipt to print and, when it was issued at
once, the certificate to hand over; each such download is in the resident's access log. The
session goes on for another procedure for the same person until the agent ends it.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_out
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from loket.audit.actions import do_record_security_event
from loket.cases.actions import counter_administration, do_record_document_download
from loket.cases.models import CaseEvent
from loket.cases.selectors import cases_sent_at_counter_since, get_case_sent_at_counter
from loket.catalog.models import Procedure
from loket.certificates.models import IssuedCertificate
from loket.certificates.selectors import certificates_of_holders_case
from loket.core.access import access
from loket.core.identifiers import pseudonym
from loket.core.models import Administration, User
from loket.mandates.actions import (
    CounterRefused,
    counter_procedures,
    do_add_counter_procedure,
    do_end_counter_session,
    do_start_counter_session,
)
from loket.mandates.models import Mandate
from loket.web.acting import acting_mandate, start_acting, stop_acting
from loket.web.views.files import document_made_now, stored_certificate


def _procedure_choices() -> list[tuple[str, str]]:
    procedures = sorted(counter_procedures(), key=lambda p: p.name)
    return [("", "—")] + [(p.id, p.name) for p in procedures]


class CounterForm(forms.Form):
    national_number = forms.CharField(
        label=gettext_lazy("National number of the resident"),
        help_text=gettext_lazy(
            "11 digits, as on the identity document you checked. For example 85.07.30-033.28"
        ),
        max_length=20,
    )
    identity_checked = forms.BooleanField(
        label=gettext_lazy("I have checked the resident's identity document"),
        error_messages={
            "required": gettext_lazy("Check the resident's identity document, then tick the box.")
        },
    )
    procedure = forms.ChoiceField(
        label=gettext_lazy("Procedure"),
        error_messages={"required": gettext_lazy("Choose the procedure of the paper application.")},
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["procedure"]).choices = choices


class AnotherProcedureForm(forms.Form):
    """For the resident already identified: no national number, no identity check again."""

    prefix = "another"  # beside the counter's own form on one page

    procedure = forms.ChoiceField(
        label=gettext_lazy("Another procedure for the same person"),
        error_messages={"required": gettext_lazy("Choose the procedure of the paper application.")},
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["procedure"]).choices = choices


def counter_session(request: HttpRequest) -> Mandate | None:
    """The counter session the agent is in now, if any (valid today)."""
    mandate = acting_mandate(request)
    if mandate is None or mandate.kind != "counter":
        return None
    return mandate if mandate.is_valid_on(timezone.localdate()) else None


def _counter_of(request: HttpRequest) -> Administration:
    """The municipality whose counter the agent works at; anyone else is refused and logged."""
    user = request.user
    assert isinstance(user, User)
    administration = counter_administration(user)
    if administration is None:
        do_record_security_event(
            "counter-refused",
            actor_pseudonym=pseudonym(user.national_number or ""),
            reason="not-a-municipal-agent",
        )
        raise PermissionDenied
    return administration


@access("agent")
@login_required
def counter(request: HttpRequest) -> HttpResponse:
    """Identify the resident present at the counter and start entering their application."""
    administration = _counter_of(request)
    user = request.user
    assert isinstance(user, User)
    choices = _procedure_choices()  # read once for both forms of the page
    form = CounterForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        procedure = Procedure.objects.get(id=form.cleaned_data["procedure"])
        try:
            mandate = do_start_counter_session(
                user, administration.id, form.cleaned_data["national_number"], procedure
            )
        except CounterRefused as problem:
            form.add_error("national_number", str(problem))
        else:
            start_acting(request, mandate)
            return redirect("web:apply-start", procedure_id=procedure.id)
    return _counter_page(request, administration, form, AnotherProcedureForm(choices=choices))


def _counter_page(
    request: HttpRequest,
    administration: Administration,
    form: CounterForm,
    another: AnotherProcedureForm,
) -> HttpResponse:
    session = counter_session(request)
    return render(
        request,
        "web/backoffice/counter.html",
        {
            "form": form,
            "another": another,
            "administration": administration,
            "session": session,
            "session_procedures": _session_procedures(request, session),
        },
        status=422 if form.errors or another.errors else 200,
    )


def _session_procedures(request: HttpRequest, session: Mandate | None) -> list[dict[str, Any]]:
    """The session's procedures: the case sent for each (with its confirmation), or the
    application still to continue. A sent case is never offered to continue."""
    if session is None:
        return []
    user = request.user
    assert isinstance(user, User)
    sent = {
        case.procedure_id: case
        for case in cases_sent_at_counter_since(user, session.grantor_id, session.created_at)
    }
    procedures = Procedure.objects.in_bulk(session.procedure_ids)
    return [
        {
            "id": pid,
            "name": procedures[pid].name if pid in procedures else pid,
            "case": sent.get(pid),
        }
        for pid in session.procedure_ids
    ]


@access("agent")
@login_required
@require_POST
def another(request: HttpRequest) -> HttpResponse:
    """Another procedure for the resident of the counter session, without identifying them
    again: the session now covers it too, and the agent starts its application."""
    administration = _counter_of(request)
    session = counter_session(request)
    choices = _procedure_choices()  # read once for both forms of the page
    form = AnotherProcedureForm(request.POST, choices=choices)
    if session is None:
        messages.error(request, _("The counter session is over: identify the resident again."))
        return redirect("web:counter")
    if form.is_valid():
        procedure = Procedure.objects.get(id=form.cleaned_data["procedure"])
        try:
            do_add_counter_procedure(session, procedure)
        except CounterRefused as problem:
            form.add_error("procedure", str(problem))
        else:
            return redirect("web:apply-start", procedure_id=procedure.id)
    return _counter_page(request, administration, CounterForm(choices=choices), form)


@access("agent")
@login_required
def sent(request: HttpRequest, reference: str) -> HttpResponse:
    """The confirmation after an application was sent at the counter: its reference, the
    receipt to print and the certificate when it was issued at once; then another procedure for
    the same person, or the end of the session."""
    _counter_of(request)  # still an agent of a municipality's counter
    user = request.user
    assert isinstance(user, User)
    case = get_case_sent_at_counter(user, reference)
    session = counter_session(request)
    same_person = session is not None and session.grantor_id == case.applicant_id
    certificates = certificates_of_holders_case(case).filter(status=IssuedCertificate.Status.VALID)
    return render(
        request,
        "web/backoffice/counter_sent.html",
        {
            "case": case,
            "certificates": list(certificates),
            "referral": case.events.filter(kind=CaseEvent.Kind.REFERRAL).last(),
            "session": session if same_person else None,
            "another": AnotherProcedureForm(choices=_procedure_choices()),
        },
    )


@access("agent")
@login_required
def sent_receipt(request: HttpRequest, reference: str) -> HttpResponse:
    """The receipt to print for the resident at the counter (recorded in their access log)."""
    _counter_of(request)  # still an agent of a municipality's counter
    user = request.user
    assert isinstance(user, User)
    case = get_case_sent_at_counter(user, reference)
    response = document_made_now(case, "receipt")
    do_record_document_download(case, user, "receipt", case.counter_administration_id or "")
    return response


@access("agent")
@login_required
def sent_certificate(request: HttpRequest, reference: str, number: str) -> FileResponse:
    """The certificate issued at once, to print for the resident at the counter (recorded in
    their access log), exactly as sealed."""
    _counter_of(request)  # still an agent of a municipality's counter
    user = request.user
    assert isinstance(user, User)
    case = get_case_sent_at_counter(user, reference)
    certificate = (
        certificates_of_holders_case(case)
        .filter(number=number[:40], status=IssuedCertificate.Status.VALID)
        .first()
    )
    if certificate is None:
        raise Http404
    response = stored_certificate(certificate)
    do_record_document_download(case, user, "certificate", case.counter_administration_id or "")
    return response


@access("agent")
@login_required
@require_POST
def end(request: HttpRequest) -> HttpResponse:
    """End the counter session: the agent no longer acts for the resident, and cannot again."""
    mandate = acting_mandate(request)
    if mandate is not None and mandate.kind == "counter":
        do_end_counter_session(mandate)
        stop_acting(request)
        messages.success(request, _("The counter session has ended."))
    return redirect("web:counter")


@receiver(user_logged_out, dispatch_uid="loket-counter-session-ends-at-logout")
def _end_at_logout(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """Logging out ends a counter session for good, not only the agent's browser session."""
    if request is None:
        return
    mandate = acting_mandate(request)
    if mandate is not None and mandate.kind == "counter":
        do_end_counter_session(mandate)
