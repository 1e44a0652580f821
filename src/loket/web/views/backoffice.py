"""The back-office: an administration's queue (filters, figures, bulk changes) and case page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loket.cases.actions import (
    ALLOWED_TRANSITIONS,
    InvalidTransition,
    do_assign,
    do_change_status,
    do_post_message,
    do_record_case_opening,
    do_request_information,
)
from loket.cases.models import Case
from loket.cases.selectors import (
    QueueFilters,
    agent_administration_ids,
    cases_visible_to,
    colleagues_of,
    filter_queue,
    get_case_for_agent,
    queue_figures,
)
from loket.catalog.models import Procedure
from loket.core.models import Administration, User
from loket.forms.definitions import get_definition
from loket.web.casework import DecisionForm, MessageForm
from loket.web.presenters import answer_rows, declared_rows, fact_rows
from loket.web.views.errors import bad_request


class QueueForm(forms.Form):
    reference = forms.CharField(label=gettext_lazy("Reference"), required=False, max_length=30)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    procedure = forms.ChoiceField(label=gettext_lazy("Procedure"), required=False)
    assigned = forms.ChoiceField(label=gettext_lazy("Assigned to"), required=False)
    older_than_days = forms.IntegerField(
        label=gettext_lazy("Received more than … days ago"), required=False, min_value=0,
        max_value=3650, error_messages={"invalid": gettext_lazy("Enter a number of days.")},
    )  # fmt: skip
    overdue = forms.BooleanField(label=gettext_lazy("Only overdue cases"), required=False)

    def __init__(self, *args: Any, agent: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            ("open", _("Open cases")), *Case.Status.choices, ("all", _("All cases"))]  # fmt: skip
        self.fields["procedure"].choices = [("", _("All"))] + [  # type: ignore[attr-defined]
            (p.id, p.name) for p in Procedure.objects.all()
        ]
        self.fields["assigned"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")), ("me", _("Me")), ("nobody", _("Nobody")),
            *[(str(u.pk), u.display_name) for u in colleagues_of(agent)],
        ]  # fmt: skip

    def filters(self) -> QueueFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return QueueFilters(
            status=data.get("status") or "open",
            procedure=data.get("procedure") or "",
            assigned=data.get("assigned") or "",
            older_than_days=data.get("older_than_days"),
            overdue=bool(data.get("overdue")),
            reference=data.get("reference") or "",
        )


def _agent(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not agent_administration_ids(user):
        raise PermissionDenied
    return user


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    agent = _agent(request)
    if request.method == "POST":
        return _bulk_change(request, agent)
    form = QueueForm(request.GET or None, agent=agent)
    visible = cases_visible_to(agent)
    cases = filter_queue(visible, form.filters(), agent)
    return render(
        request,
        "web/backoffice/queue.html",
        {
            "form": form,
            "cases": cases[:200],
            "figures": queue_figures(visible),
            "bulk_statuses": [
                (s.value, s.label)
                for s in (Case.Status.IN_PROGRESS, Case.Status.APPROVED, Case.Status.REJECTED)
            ],
            "administrations": Administration.objects.filter(
                id__in=agent_administration_ids(agent)
            ),
        },
        status=422 if form.errors else 200,
    )


def _bulk_change(request: HttpRequest, agent: User) -> HttpResponse:
    """Move several cases to one status; cases that cannot make that move are reported."""
    status = request.POST.get("bulk_status", "")
    chosen = cases_visible_to(agent).filter(reference__in=request.POST.getlist("selected")[:200])
    changed, refused = 0, []
    for case in chosen:
        try:
            do_change_status(case, agent, status)
            changed += 1
        except InvalidTransition:
            refused.append(case.reference)
    messages.info(request, _("%(count)s cases changed.") % {"count": changed})
    if refused:
        messages.warning(
            request,
            _("These cases cannot take that status: %(list)s") % {"list": ", ".join(refused)},
        )
    return redirect(request.get_full_path())


@login_required
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    agent = _agent(request)
    case = get_case_for_agent(agent, reference)
    allowed = ALLOWED_TRANSITIONS.get(case.status, set()) - {Case.Status.INFORMATION_REQUESTED}
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST" and action not in ("decide", "message", "request", "assign"):
        return bad_request(request)
    decision = DecisionForm(request.POST if action == "decide" else None, allowed=allowed)
    message = MessageForm(
        request.POST if action in ("message", "request") else None,
        request.FILES if action in ("message", "request") else None,
    )
    if action == "decide" and decision.is_valid():
        do_change_status(
            case, agent, decision.cleaned_data["status"], decision.cleaned_data["note"]
        )
        return redirect("web:backoffice-case", reference=case.reference)
    if action in ("message", "request") and message.is_valid():
        files = message.stored_attachments(agent)
        if not message.errors:
            body = message.cleaned_data["body"]
            if action == "request":
                do_request_information(case, agent, body, files)
            else:
                do_post_message(case, agent, body, files)
            return redirect("web:backoffice-case", reference=case.reference)
    if action == "assign":
        assignee = colleagues_of(agent).filter(pk=request.POST.get("assignee") or 0).first()
        do_assign(case, assignee)
        return redirect("web:backoffice-case", reference=case.reference)
    if request.method == "GET":
        do_record_case_opening(case, agent)
    definition = get_definition(case.procedure_id, case.definition_version)
    invalid = bool(decision.errors or message.errors)
    return render(
        request,
        "web/backoffice/case.html",
        {
            "case": case,
            "facts": fact_rows(case.facts, definition.facts) if definition else [],
            "declared": declared_rows(case.answers.get("declared", {})),
            "declared_instead": case.declared_instead,
            "answers": answer_rows(definition, case.answers, case.facts) if definition else [],
            "events": case.events.select_related("actor"),
            "messages_list": case.messages.select_related("author").prefetch_related("attachments"),
            "decision_form": decision if allowed else None,
            "message_form": message if case.is_open else None,
            "can_request": Case.Status.INFORMATION_REQUESTED
            in ALLOWED_TRANSITIONS.get(case.status, set()),
            "colleagues": colleagues_of(agent),
        },
        status=422 if invalid else 200,
    )
