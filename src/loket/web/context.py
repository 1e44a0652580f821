"""What every page needs: the language switch that stays on the page, and the user's roles."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import timezone

from loket.accounts.authentication import demo_login_enabled
from loket.core.i18n import current_language
from loket.core.models import Membership
from loket.mandates.selectors import helper_mandates
from loket.web.acting import acting_mandate
from loket.web.findable import alternates, canonical_url


def loket(request: HttpRequest) -> dict[str, Any]:
    path = request.get_full_path()
    languages = [
        {
            "code": code,
            "name": name,
            "url": translate_url(path, code),
            "current": code == current_language(),
        }
        for code, name in settings.LANGUAGES
    ]
    roles: set[str] = set()
    acting = None
    helps_someone = False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
        acting = acting_mandate(request)
        helps_someone = helper_mandates(user).exists()
    return {
        "loket_languages": languages,
        "loket_is_agent": bool(roles & {Membership.Role.AGENT, Membership.Role.MANAGER}),
        "loket_is_designer": Membership.Role.DESIGNER in roles,
        "loket_is_dpo": Membership.Role.DPO in roles,
        # "People I help" is for helpers: a resident who holds no mandate never sees it.
        "loket_helps_someone": helps_someone,
        "loket_demo": demo_login_enabled(),
        "loket_platform_name": settings.LOKET_PLATFORM_NAME,
        # Canonical and alternate-language addresses, absolute on this door (web.findable).
        "loket_canonical": canonical_url(request),
        "loket_alternates": alternates(request),
        # The mandate a helper acts under now (the banner says so on every page).
        "loket_acting_for": acting if acting and acting.is_valid_on(timezone.localdate()) else None,
    }
