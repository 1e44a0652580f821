"""Acting for someone: the mandate a helper acts under, kept in the session.

Every page needs it (the banner) and the apply views need it again, so it is read once per
request and remembered on the request.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from loket.cases.models import Case
from loket.core.models import User
from loket.mandates.models import Mandate
from loket.mandates.selectors import mandate_held_by

SESSION_KEY = "loket_acting_for_mandate"
_CACHE = "_loket_acting_mandate"


def acting_mandate(request: HttpRequest) -> Mandate | None:
    """The mandate under which the logged-in helper acts now, whatever its state."""
    if hasattr(request, _CACHE):
        cached: Mandate | None = getattr(request, _CACHE)
        return cached
    mandate_id = request.session.get(SESSION_KEY)
    user = getattr(request, "user", None)
    mandate = (
        mandate_held_by(user, int(mandate_id)) if mandate_id and isinstance(user, User) else None
    )
    setattr(request, _CACHE, mandate)
    return mandate


def start_acting(request: HttpRequest, mandate: Mandate) -> None:
    request.session[SESSION_KEY] = mandate.pk
    setattr(request, _CACHE, mandate)


def stop_acting(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    setattr(request, _CACHE, None)


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
