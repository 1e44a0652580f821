"""Acting for someone, as the web pages need it: the session part lives in
``loket.mandates.acting`` (the appointments use it too); here, where a submission goes next."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from loket.cases.models import Case
from loket.mandates.acting import SESSION_KEY, acting_mandate, start_acting, stop_acting
from loket.mandates.models import Mandate

__all__ = ["SESSION_KEY", "acting_mandate", "start_acting", "stop_acting"]


def submission_channel(mandate: Mandate) -> str:
    """The channel a case sent under this mandate came in by (``Case.channel``)."""
    return "counter" if mandate.kind == "counter" else "helper"


def after_submission(mandate: Mandate, case: Case) -> str:
    """Where the one who sent it goes next: the counter's confirmation for an agent; for a
    helper, the case just sent as they follow it under the mandate."""
    if submission_channel(mandate) == Case.Channel.COUNTER:
        return reverse("web:counter-sent", kwargs={"reference": case.reference})
    return reverse("web:mandate-case", args=[mandate.pk, case.reference]) + "?submitted=1"


def safe_next(request: HttpRequest) -> str:
    """The ``next`` address posted or asked for, when it stays on this site; else empty."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    local = target.startswith("/") and not target.startswith("//")
    if local and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""
