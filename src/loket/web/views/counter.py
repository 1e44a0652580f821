"""The assisted channel: an agent at a municipal counter enters a paper application for a
resident who is present.

The agent identifies the resident (national number, identity document checked), which starts a
counter session: a mandate of kind "counter", valid today, under which the agent goes through the
ordinary apply pages exactly as a helper would (same banner, same check by the one door, same
``submitted_by``). The case then records that it was entered at the counter, and where.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_out
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from loket.audit.actions import do_record_security_event
from loket.cases.actions import counter_administration
from loket.catalog.models import Procedure
from loket.core.access import access
from loket.core.identifiers import pseudonym
from loket.core.models import Administration, User
from loket.mandates.actions import (
    CounterRefused,
    counter_procedures,
    do_end_counter_session,
    do_start_counter_session,
)
from loket.mandates.models import Mandate
from loket.web.acting import acting_mandate, start_acting, stop_acting


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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        procedures = sorted(counter_procedures(), key=lambda p: p.name)
        cast(forms.ChoiceField, self.fields["procedure"]).choices = [("", "—")] + [
            (p.id, p.name) for p in procedures
        ]


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
    form = CounterForm(request.POST or None)
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
    return render(
        request,
        "web/backoffice/counter.html",
        {"form": form, "administration": administration, "session": counter_session(request)},
        status=422 if form.errors else 200,
    )


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
