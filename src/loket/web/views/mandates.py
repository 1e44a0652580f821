"""Mandates: give and revoke them, act for a principal, stop acting.

While a helper acts for someone, the session holds the mandate's id (``loket.web.acting``); the
apply views refuse (``mandate_required``) as soon as it is no longer valid.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from loket.cases.history import history
from loket.cases.models import Case
from loket.cases.notices import with_unread_messages
from loket.catalog.models import Procedure
from loket.core.access import access
from loket.core.identifiers import national_number_html
from loket.core.models import User
from loket.mandates.actions import (
    MandateRefused,
    check_helper_number,
    do_end_counter_session,
    do_give_mandate,
    do_link_invitations,
    do_record_refused_use,
    do_revoke_mandate,
    latest_end,
    name_mandate_holder,
)
from loket.mandates.models import Mandate
from loket.mandates.selectors import (
    cases_submitted_for,
    get_mandate_given_by,
    get_mandate_held_by,
    get_principal_case_for,
    helper_mandates,
    mandates_given_by,
    mandates_held_by,
    principal_cases_for,
    principal_drafts_for,
)
from loket.web.acting import SESSION_KEY, acting_mandate, safe_next, start_acting, stop_acting


def mandate_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse (403, logged) an apply page to a helper whose mandate no longer allows it."""

    @wraps(view)
    def checked(request: HttpRequest, procedure_id: str, **kwargs: Any) -> HttpResponse:
        mandate = acting_mandate(request)
        if mandate is None and request.session.get(SESSION_KEY):
            stop_acting(request)  # the mandate is gone (or was never this user's)
        if mandate is not None and not mandate.is_valid_on(timezone.localdate()):
            assert isinstance(request.user, User)
            do_record_refused_use(request.user, mandate, procedure_id)
            stop_acting(request)  # revoked or expired: nobody can act under it any more
            return refused(request, mandate)
        if mandate is not None and not mandate.covers(procedure_id):
            # Still acting: the helper chooses, acting mode never ends behind their back.
            assert isinstance(request.user, User)
            do_record_refused_use(request.user, mandate, procedure_id)
            return not_covered(request, mandate, procedure_id)
        return view(request, procedure_id, **kwargs)

    return checked


def refused(request: HttpRequest, mandate: Mandate) -> HttpResponse:
    return render(request, "web/mandates/refused.html", {"mandate": mandate}, status=403)


def not_covered(request: HttpRequest, mandate: Mandate, procedure_id: str) -> HttpResponse:
    """The mandate does not cover this procedure: say so, and let the helper go back to acting
    for the principal or stop and continue in their own name."""
    procedure = Procedure.objects.filter(id=procedure_id).first()
    return render(
        request,
        "web/mandates/not_covered.html",
        {
            "mandate": mandate,
            "procedure": procedure,
            "covered": covered_procedures(mandate),
            "own_url": reverse("web:procedure", args=[procedure.id]) if procedure else "",
        },
        status=403,
    )


def covered_procedures(mandate: Mandate) -> list[Procedure]:
    """The procedures the mandate covers, by name (all of them for a mandate without a list)."""
    found = Procedure.objects.all()
    if mandate.procedure_ids:
        found = found.filter(id__in=mandate.procedure_ids)
    return sorted(found, key=lambda p: p.name)


class GiveMandateForm(forms.Form):
    helper_national_number = forms.CharField(
        label=gettext_lazy("National number of the person you trust"),
        help_text=gettext_lazy("11 digits, as on their identity card. For example 85.07.30-033.28"),
        max_length=20,
    )
    principal = forms.ChoiceField(
        label=gettext_lazy("For whom may they act?"), widget=forms.RadioSelect, initial="me"
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("For which procedures?"),
        widget=forms.RadioSelect,
        choices=[
            ("all", gettext_lazy("All procedures")),
            ("chosen", gettext_lazy("Only the procedures I choose below")),
        ],
        initial="chosen",
    )
    procedures = forms.MultipleChoiceField(
        label=gettext_lazy("Procedures"), widget=forms.CheckboxSelectMultiple, required=False
    )
    starts_on = forms.DateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Until"),
        help_text=gettext_lazy("At most one year after the start."),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        principals = [("me", _("Me"))]
        if user.enterprise_number:
            principals.append(("enterprise", _("My enterprise")))
        cast(forms.ChoiceField, self.fields["principal"]).choices = principals
        cast(forms.ChoiceField, self.fields["procedures"]).choices = [
            (p.id, p.name) for p in sorted(Procedure.objects.all(), key=lambda p: p.name)
        ]
        today = timezone.localdate()
        self.fields["starts_on"].initial = today
        self.fields["ends_on"].initial = today + timedelta(days=90)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("scope") == "chosen" and not cleaned.get("procedures"):
            self.add_error("procedures", _("Choose at least one procedure, or all procedures."))
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on > latest_end(starts_on):
            self.add_error("ends_on", _("A mandate lasts at most one year."))
        return cleaned


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The mandates the user gave, what helpers did for them, and whom they may act for."""
    user = request.user
    assert isinstance(user, User)
    today = timezone.localdate()
    given = list(mandates_given_by(user).exclude(kind="counter"))
    names = {p.id: p.name for p in Procedure.objects.all()}
    return render(
        request,
        "web/mandates/index.html",
        {
            "given": [
                {
                    "mandate": m,
                    "procedures": [names.get(i, i) for i in m.procedure_ids],
                    "valid": m.is_valid_on(today) or (m.revoked_at is None and m.starts_on > today),
                }
                for m in given
            ],
            "held": mandates_held_by(user).exclude(kind="counter"),
            "done_for_me": cases_submitted_for(user)[:50],
            "acting": acting_mandate(request),
        },
    )


@login_required
def give(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = GiveMandateForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid() and "change" not in request.POST:
        data = form.cleaned_data
        enterprise = user.enterprise_number if data["principal"] == "enterprise" else ""
        procedures = data["procedures"] if data["scope"] == "chosen" else []
        try:
            number = check_helper_number(user, data["helper_national_number"])
            if request.POST.get("confirmed_number") != number:
                # First whom the number names, as the register knows them; then the mandate.
                name = name_mandate_holder(user, number, procedures, bool(enterprise))
                return _confirm_give(request, form, number, name)
            do_give_mandate(
                user, number, procedures, data["starts_on"], data["ends_on"], enterprise
            )
        except MandateRefused as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, _("The mandate has been given."))
            return redirect("web:mandates")
    return render(
        request, "web/mandates/give.html", {"form": form}, status=422 if form.errors else 200
    )


def _confirm_give(
    request: HttpRequest, form: GiveMandateForm, number: str, name: str | None
) -> HttpResponse:
    data = form.cleaned_data
    names = {p.id: p.name for p in Procedure.objects.filter(id__in=data["procedures"])}
    return render(
        request,
        "web/mandates/give_confirm.html",
        {
            "form": form,
            "number": number,
            "number_display": national_number_html(number),
            "name": name,
            "for_enterprise": data["principal"] == "enterprise",
            "procedures": sorted(names.values()) if data["scope"] == "chosen" else [],
        },
    )


@login_required
@require_POST
def revoke(request: HttpRequest, mandate_id: int) -> HttpResponse:
    assert isinstance(request.user, User)
    mandate = get_mandate_given_by(request.user, mandate_id)
    do_revoke_mandate(mandate)
    messages.success(request, _("The mandate has been revoked."))
    return redirect("web:mandates")


@login_required
@require_POST
def act(request: HttpRequest, mandate_id: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    do_link_invitations(user)
    mandate = get_mandate_held_by(user, mandate_id)
    start_acting(request, mandate)
    chosen = request.POST.get("procedure", "")
    if chosen and mandate.covers(chosen) and Procedure.objects.filter(id=chosen).exists():
        # "Continue the draft" on the helper's dashboard: back where the draft stopped.
        return redirect("web:apply-start", procedure_id=chosen)
    if len(mandate.procedure_ids) == 1:
        return redirect("web:procedure", procedure_id=mandate.procedure_ids[0])
    return redirect("web:catalogue")


@login_required
@require_POST
def stop(request: HttpRequest) -> HttpResponse:
    mandate = acting_mandate(request)
    if mandate is not None and mandate.kind == "counter":
        do_end_counter_session(mandate)  # a counter session, once stopped, is over
    stop_acting(request)
    messages.success(request, _("You are no longer acting for someone else."))
    # "continue in my own name" where the helper was going
    return redirect(safe_next(request) or "web:mandates")


RECENT_DECISIONS = timedelta(days=30)


@access("resident")
@login_required
def helping(request: HttpRequest) -> HttpResponse:
    """The helper's dashboard: whom they help under a valid mandate and what is pending for
    each, within the procedures the mandate covers; past mandates apart."""
    user = request.user
    assert isinstance(user, User)
    today = timezone.localdate()
    mandates = list(helper_mandates(user))  # invitations too: they match the national number
    names = {p.id: p.name for p in Procedure.objects.all()}
    return render(
        request,
        "web/mandates/helping.html",
        {
            "principals": [_pending_for(user, m, names) for m in mandates if m.is_valid_on(today)],
            "upcoming": [m for m in mandates if m.revoked_at is None and m.starts_on > today],
            "past": [
                {"mandate": m, "procedures": [names.get(i, i) for i in m.procedure_ids]}
                for m in mandates
                if m.revoked_at is not None or m.ends_on < today
            ],
            "acting": acting_mandate(request),
        },
    )


def _pending_for(helper: User, mandate: Mandate, names: dict[str, str]) -> dict[str, Any]:
    """What waits for one principal in the procedures the mandate covers: drafts in progress,
    cases waiting for information or with an unread message, recent decisions."""
    cases = list(principal_cases_for(helper, mandate).order_by("-submitted_at")[:100])
    unread = with_unread_messages(cases)
    since = timezone.now() - RECENT_DECISIONS
    return {
        "mandate": mandate,
        "procedures": [names.get(i, i) for i in mandate.procedure_ids],
        "drafts": list(principal_drafts_for(helper, mandate).order_by("-updated_at")),
        "waiting": [c for c in cases if c.status == Case.Status.INFORMATION_REQUESTED],
        "in_progress": [
            c for c in cases if c.is_open and c.status != Case.Status.INFORMATION_REQUESTED
        ],
        "unread": [c for c in cases if c.pk in unread],
        "decided": [c for c in cases if c.is_decided and c.decided_at and c.decided_at >= since],
    }


def principal_cases(request: HttpRequest, mandate: Mandate) -> HttpResponse:
    """ "My cases" while acting: the principal's drafts and cases that the mandate lets the
    helper follow, named as theirs (never the helper's own, which would invite a mix-up)."""
    assert isinstance(request.user, User)
    cases = list(principal_cases_for(request.user, mandate).order_by("-submitted_at")[:200])
    return render(
        request,
        "web/mandates/principal_cases.html",
        {
            "mandate": mandate,
            "cases": cases,
            "drafts": principal_drafts_for(request.user, mandate).order_by("-updated_at"),
            "covered": covered_procedures(mandate),
        },
    )


@login_required
def principal_case(request: HttpRequest, mandate_id: int, reference: str) -> HttpResponse:
    """A principal's case as the helper follows it under the mandate (what was sent, its
    status and history, the receipt); answering and withdrawing stay with the principal."""
    assert isinstance(request.user, User)
    case = get_principal_case_for(request.user, mandate_id, reference)
    return render(
        request,
        "web/mandates/principal_case.html",
        {
            "case": case,
            "mandate_id": mandate_id,
            "events": history(case.events.status_changes()),
            "just_submitted": request.GET.get("submitted") == "1",
        },
    )
