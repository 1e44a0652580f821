"""Acting for someone: the mandate a helper acts under, kept in the session.

Every page needs it (the banner), and so do the apps that write in the principal's name (the
apply views, the appointments), so it is read once per request and remembered on the request.
"""

from __future__ import annotations

from django.http import HttpRequest

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
