"""The user's voice and the performance of the services (#18): the feedback question on
procedure pages and after sending, the administration's indicators in the back-office, and the
public page "Performance of our services" of each door (read from the published open data)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from loket.catalog.models import Procedure
from loket.core.client import client_address
from loket.performance.actions import MAX_TEXT, FeedbackRefused, do_record_feedback
from loket.performance.models import Channel
from loket.performance.selectors import indicators_for
from loket.web.presenters_performance import public_figures
from loket.web.views.backoffice_queue import back_office_agent

THANKS = "thanks"
PERIODS = {"30": 30, "90": 90, "365": 365}


class FeedbackForm(forms.Form):
    """GOV.UK's satisfaction question, as ease: five answers, and what was missing."""

    score = forms.TypedChoiceField(
        label=_("Was it easy?"),
        coerce=int,
        choices=[
            (5, _("Very easy")),
            (4, _("Easy")),
            (3, _("Neither easy nor difficult")),
            (2, _("Difficult")),
            (1, _("Very difficult")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how easy it was."),
            "invalid_choice": _("Choose one of the five answers."),
        },
    )
    text = forms.CharField(
        label=_("What was missing? (optional)"),
        help_text=_(
            "Do not write your name, national number or any personal details: we do not "
            "answer here. Only the administration reads it."
        ),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_TEXT}),
        error_messages={"max_length": _("Keep it under 1,000 characters.")},
    )
    channel = forms.ChoiceField(choices=Channel.choices, widget=forms.HiddenInput)
    next = forms.CharField(max_length=300, required=False, widget=forms.HiddenInput)


def feedback_form(request: HttpRequest, procedure: Procedure, channel: str) -> dict[str, Any]:
    """The context of the feedback box of a page: the form, or the thank-you after sending."""
    return {
        "feedback_procedure": procedure,
        "feedback_form": FeedbackForm(
            initial={"channel": channel, "next": request.get_full_path()}
        ),
        "feedback_thanks": request.GET.get("feedback") == THANKS,
    }


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
    form = FeedbackForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            do_record_feedback(
                procedure, getattr(request, "door", None), data["score"], data["text"],
                data["channel"], translation.get_language() or "fr", client_address(request),
            )  # fmt: skip
        except FeedbackRefused as refusal:
            form.add_error(None, str(refusal))
            status = 429
        else:
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


@login_required
@require_safe
def backoffice(request: HttpRequest) -> HttpResponse:
    """Each procedure of the agent's administrations: completion, where people stop, time to
    complete, and what they answered (the comments for the administration's eyes only)."""
    agent = back_office_agent(request)
    days = PERIODS.get(request.GET.get("days", ""), 90)
    since = timezone.localdate() - timedelta(days=days)
    return render(
        request,
        "web/backoffice/performance.html",
        {"indicators": indicators_for(agent, since), "days": days, "periods": PERIODS},
    )
