"""The user's voice and the performance of the services (#18): the feedback question on
procedure pages and after sending, the administration's indicators in the back-office, and the
public page "Performance of our services" of each door (read from the published open data)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from loket.cases.models import Case
from loket.catalog.models import Procedure
from loket.core import csv_export
from loket.core.client import client_address
from loket.core.models import User
from loket.doors.models import Door
from loket.performance.actions import MAX_TEXT, FeedbackRefused, do_record_feedback
from loket.performance.models import ANSWERS, QUESTIONS, Channel
from loket.performance.selectors import indicators_for
from loket.web.presenters_performance import (
    export_headings,
    export_row,
    public_figures,
    scope_sentence,
)
from loket.web.region import is_region_designer
from loket.web.views.backoffice_queue import back_office_agent

THANKS = "thanks"
PERIODS = {"30": 30, "90": 90, "365": 365}


DUE = (
    "feedback_due"  # session: the cases sent whose applicant was not asked yet, and their procedure
)
PRIVATE = _(
    "Do not write your name, national number or any personal details: we do not answer here. "
    "Only the administration reads it."
)
PRIVATE_REGION_DOOR = _(
    "Do not write your name, national number or any personal details: we do not answer here. "
    "Only the Region's service designers read it, to improve this procedure for every "
    "municipality."
)


class FeedbackForm(forms.Form):
    """GOV.UK's satisfaction question: on the procedure page, before anyone has started,
    whether they found what they needed; after sending, whether it was easy (``QUESTIONS``,
    the same five-step scale); and what was missing."""

    score = forms.TypedChoiceField(
        label=QUESTIONS[Channel.AFTER_APPLICATION],
        coerce=int,
        choices=list(ANSWERS[Channel.AFTER_APPLICATION].items()),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how easy it was."),
            "invalid_choice": _("Choose one of the five answers."),
        },
    )
    text = forms.CharField(
        label=_("What was missing? (optional)"),
        help_text=PRIVATE,
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_TEXT}),
        error_messages={"max_length": _("Keep it under 1,000 characters.")},
    )
    channel = forms.ChoiceField(choices=Channel.choices, widget=forms.HiddenInput)
    next = forms.CharField(max_length=300, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, door: Door | None = None, procedure: Procedure, **kwargs: Any):
        super().__init__(*args, **kwargs)
        channel = self.data.get("channel") if self.is_bound else self.initial.get("channel")
        score = self.fields["score"]
        assert isinstance(score, forms.TypedChoiceField)
        if channel == Channel.PROCEDURE_PAGE:
            score.label = QUESTIONS[Channel.PROCEDURE_PAGE]
            score.choices = list(ANSWERS[Channel.PROCEDURE_PAGE].items())
            score.error_messages["required"] = _("Choose whether you found what you needed.")
        if procedure.is_municipal and (door is None or door.is_regional):
            self.fields["text"].help_text = PRIVATE_REGION_DOOR


def feedback_form(
    request: HttpRequest, procedure: Procedure, channel: str, compact: bool = False
) -> dict[str, Any]:
    """The context of the feedback box of a page: the form, or the thank-you after sending;
    ``compact``: the question first, the comment folded away (right under a banner)."""
    door = getattr(request, "door", None)
    initial = {"channel": channel, "next": request.get_full_path()}
    return {
        "feedback_procedure": procedure,
        "feedback_form": FeedbackForm(initial=initial, door=door, procedure=procedure),
        "feedback_thanks": request.GET.get("feedback") == THANKS,
        "feedback_compact": compact,
        "feedback_threshold": settings.LOKET_OPENDATA_THRESHOLD,
    }


def case_feedback(request: HttpRequest, case: Case, awaiting_payment: bool) -> dict[str, Any]:
    """The question after sending, short, right under the confirmation; asked again on the
    case page (after paying, say) until answered, by a flag in the session."""
    due: dict[str, str] = request.session.get(DUE, {})
    if request.GET.get("submitted") == "1" and case.reference not in due:
        due = {**due, case.reference: case.procedure_id}
        request.session[DUE] = due
    context = feedback_form(request, case.procedure, Channel.AFTER_APPLICATION, compact=True)
    context["feedback_shown"] = context["feedback_thanks"] or (
        case.reference in due and not awaiting_payment
    )
    return context


def _answered_after_application(request: HttpRequest, procedure: Procedure) -> None:
    due: dict[str, str] = request.session.get(DUE, {})
    if any(pid == procedure.id for pid in due.values()):
        request.session[DUE] = {ref: pid for ref, pid in due.items() if pid != procedure.id}


def _back_to(request: HttpRequest, procedure: Procedure, next_url: str) -> str:
    """The page the answer came from, with the thank-you state (a path of this site only)."""
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("web:procedure", kwargs={"procedure_id": procedure.id})
    parts = urlsplit(next_url)
    query = [q for q in parts.query.split("&") if q and not q.startswith("feedback=")]
    query.append(urlencode({"feedback": THANKS}))
    return urlunsplit(("", "", parts.path, "&".join(query), "feedback"))


@require_POST
def feedback(request: HttpRequest, procedure_id: str) -> HttpResponse:
    """An answer to the question; no login, nothing kept that points to the person."""
    procedure = get_object_or_404(Procedure, id=procedure_id)
    door = getattr(request, "door", None)
    form = FeedbackForm(request.POST, door=door, procedure=procedure)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        if not request.session.session_key:
            request.session.save()  # the per-session count needs a session
        try:
            do_record_feedback(
                procedure, door, data["score"], data["text"], data["channel"],
                translation.get_language() or "fr", client_address(request),
                session=request.session.session_key or "",
            )  # fmt: skip
        except FeedbackRefused as refusal:
            form.add_error(None, str(refusal))
            status = 429
        else:
            if data["channel"] == Channel.AFTER_APPLICATION:
                _answered_after_application(request, procedure)
            return redirect(_back_to(request, procedure, data.get("next", "")))
    back = _back_to(request, procedure, request.POST.get("next", "")[:300]).split("?")[0]
    return render(
        request,
        "web/performance/feedback.html",
        {"procedure": procedure, "form": form, "back_url": back},
        status=status,
    )


@require_safe
def public_page(request: HttpRequest) -> HttpResponse:
    """Performance of our services, from the latest open data release; on a municipality's
    door its own procedures first."""
    return render(
        request, "web/performance/public.html", public_figures(getattr(request, "door", None))
    )


def _reader(request: HttpRequest) -> tuple[User, bool]:
    """The agent (403 for anyone else), or one of the region's service designers, who read the
    municipal procedures' figures and comments of the region's door (nobody else runs them)."""
    designer = is_region_designer(request.user)
    if designer:
        assert isinstance(request.user, User)
        return request.user, True
    return back_office_agent(request), False


def _period(request: HttpRequest) -> tuple[int, date, date]:
    days = PERIODS.get(request.GET.get("days", ""), 90)
    today = timezone.localdate()
    return days, today - timedelta(days=days), today


@login_required
@require_safe
def backoffice(request: HttpRequest) -> HttpResponse:
    """Each procedure of the agent's administrations: completion, where people stop, time to
    complete, and what they answered (the comments for the administration's eyes only)."""
    reader, designer = _reader(request)
    days, since, until = _period(request)
    indicators = indicators_for(reader, since, region_designer=designer)
    return render(
        request,
        "web/backoffice/performance.html",
        {
            "indicators": indicators,
            "measured": any(i.started or i.sent or i.responses for i in indicators),
            "days": days,
            "periods": PERIODS,
            "since": since,
            "until": until,
            "scope": scope_sentence(reader, designer),
        },
    )


@login_required
@require_safe
def backoffice_export(request: HttpRequest) -> HttpResponse:
    """The indicators of the page, for the same period and scope, as a CSV file (figures only:
    the comments stay on the page)."""
    reader, designer = _reader(request)
    _days, since, until = _period(request)
    out = io.StringIO()
    writer = csv_export.Writer(out)
    writer.writerow(export_headings())
    for item in indicators_for(reader, since, region_designer=designer):
        writer.writerow(export_row(item, since, until))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"performance-{since.isoformat()}-{until.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
