"""The data protection officer's queue of requests, with deadlines, and each request's page."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy

from loket.core.access import access
from loket.core.models import Membership, User
from loket.privacy.erasure import apply_erasure, erasure_plan
from loket.privacy.models import DataSubjectRequest
from loket.privacy.requests import do_extend, do_record_outcome

Status = DataSubjectRequest.Status


def require_dpo(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not user.memberships.filter(role=Membership.Role.DPO).exists():
        raise PermissionDenied
    return user


class ExtensionForm(forms.Form):
    months = forms.TypedChoiceField(
        label=gettext_lazy("Extend by"), coerce=int,
        choices=[(1, gettext_lazy("1 month")), (2, gettext_lazy("2 months"))],
    )  # fmt: skip
    reason = forms.CharField(
        label=gettext_lazy("Reason (shown to the person)"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Give the reason for the extension.")},
    )  # fmt: skip


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=Status.choices)
    outcome = forms.CharField(
        label=gettext_lazy("Outcome (shown to the person)"), max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Write what was done.")},
    )  # fmt: skip


@access("dpo")
@login_required
def dpo_requests(request: HttpRequest) -> HttpResponse:
    """Every request with its deadline; the overdue ones stand out."""
    require_dpo(request)
    requests = DataSubjectRequest.objects.select_related("person")
    return render(request, "privacy/dpo_requests.html", {"requests": requests})


@access("dpo")
@login_required
def dpo_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Extend the deadline (with a reason), record the outcome, approve an erasure."""
    dpo = require_dpo(request)
    filed = get_object_or_404(DataSubjectRequest.objects.select_related("person"), pk=pk)
    action = request.POST.get("action", "")
    extension = ExtensionForm(request.POST if action == "extend" else None)
    outcome = OutcomeForm(request.POST if action == "outcome" else None,
                          initial={"status": filed.status, "outcome": filed.outcome})  # fmt: skip
    if request.method == "POST":
        if action == "extend" and extension.is_valid() and not filed.extended_due_at:
            do_extend(
                filed, dpo, extension.cleaned_data["months"], extension.cleaned_data["reason"]
            )
            return redirect("privacy:dpo-request", filed.pk)
        if action == "outcome" and outcome.is_valid():
            do_record_outcome(filed, dpo, outcome.cleaned_data["status"],
                              outcome.cleaned_data["outcome"])  # fmt: skip
            return redirect("privacy:dpo-request", filed.pk)
        if action == "approve-erasure" and filed.kind == DataSubjectRequest.Kind.ERASURE \
                and filed.is_open:  # fmt: skip
            apply_erasure(filed, dpo)
            return redirect("privacy:dpo-request", filed.pk)
    invalid = extension.errors or outcome.errors
    plan = erasure_plan(filed.person) if filed.kind == "erasure" and filed.is_open else None
    return render(
        request,
        "privacy/dpo_request.html",
        {"filed": filed, "extension": extension, "outcome_form": outcome, "plan": plan},
        status=422 if invalid else 200,
    )
