"""The back-office: an agent's queue of their administrations' cases, and a case to decide."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from loket.cases.actions import ALLOWED_TRANSITIONS, do_change_status, do_record_case_opening
from loket.cases.models import Case
from loket.cases.selectors import agent_administration_ids, cases_visible_to, get_case_for_agent
from loket.core.models import Administration, User
from loket.forms.definitions import get_definition
from loket.web.presenters import answer_rows, declared_rows, fact_rows


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the new status.")},
    )
    note = forms.CharField(
        label=_("Message to the applicant"), required=False, max_length=2000, widget=forms.Textarea
    )

    def __init__(self, *args: object, case: Case, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        allowed = ALLOWED_TRANSITIONS.get(Case.Status(case.status), set())
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (status.value, status.label) for status in Case.Status if status in allowed
        ]


def _agent(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not agent_administration_ids(user):
        raise PermissionDenied
    return user


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    agent = _agent(request)
    status = request.GET.get("status", "open")
    cases = cases_visible_to(agent)
    if status == "open":
        cases = cases.filter(status__in=[Case.Status.SUBMITTED, Case.Status.IN_PROGRESS])
    elif status in Case.Status.values:
        cases = cases.filter(status=status)
    return render(
        request,
        "web/backoffice/queue.html",
        {
            "cases": cases[:200],
            "status": status,
            "statuses": Case.Status.choices,
            "administrations": Administration.objects.filter(
                id__in=agent_administration_ids(agent)
            ),
        },
    )


@login_required
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    agent = _agent(request)
    case = get_case_for_agent(agent, reference)
    form = DecisionForm(request.POST or None, case=case)
    if request.method == "GET":
        do_record_case_opening(case, agent)
    if request.method == "POST" and form.is_valid():
        do_change_status(case, agent, form.cleaned_data["status"], form.cleaned_data["note"])
        return redirect("web:backoffice-case", reference=case.reference)
    definition = get_definition(case.procedure_id)
    facts = fact_rows(case.facts, definition.facts) if definition else []
    answers = answer_rows(definition, case.answers, case.facts) if definition else []
    return render(
        request,
        "web/backoffice/case.html",
        {
            "case": case,
            "facts": facts,
            "declared": declared_rows(case.answers.get("declared", {})),
            "declared_instead": case.declared_instead,
            "answers": answers,
            "events": case.events.select_related("actor"),
            "form": form if form.fields["status"].choices else None,  # type: ignore[attr-defined]
        },
        status=422 if form.errors else 200,
    )
