"""What every page needs: the language switch that stays on the page, and the user's roles."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from loket.accounts.authentication import demo_login_enabled
from loket.core.i18n import current_language
from loket.core.models import Membership, User, national_number_index
from loket.core.prepared import PreparedRead
from loket.mandates.selectors import helping
from loket.web.acting import acting_mandate
from loket.web.findable import alternates, canonical_url, page_in_languages


def loket(request: HttpRequest) -> dict[str, Any]:
    query = iri_to_uri(request.META.get("QUERY_STRING", ""))
    paths = page_in_languages(request)
    languages = [
        {
            "code": code,
            "name": name,
            "url": paths.get(code, request.path) + (f"?{query}" if query else ""),
            "current": code == current_language(),
        }
        for code, name in settings.LANGUAGES
    ]
    acting = None
    is_agent = is_designer = is_dpo = helps_someone = False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        is_agent, is_designer, is_dpo, helps_someone = _roles(user)
        acting = acting_mandate(request)
    return {
        "loket_languages": languages,
        "loket_is_agent": is_agent,
        "loket_is_designer": is_designer,
        "loket_is_dpo": is_dpo,
        # Someone with work here (agent, DPO, designer): the menu starts with it.
        "loket_is_staff": is_agent or is_designer or is_dpo,
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


def _roles(user: User) -> tuple[bool, bool, bool, bool]:
    """Whether the user is an agent (or manager), a designer, a DPO, and helps someone: one
    query, since every page asks, compiled once per process."""
    if user.national_number:
        rows = _ROLES_WITH_NUMBER.rows(user.pk, national_number_index(user.national_number))
    else:
        rows = _ROLES.rows(user.pk)
    agent, designer, dpo, helps = rows[0] if rows else (False, False, False, False)
    return bool(agent), bool(designer), bool(dpo), bool(helps)


def _roles_query(user_id: int, helper_index: str | None) -> QuerySet[Any]:
    held = Membership.objects.filter(user_id=OuterRef("pk"))
    return (
        User.objects.filter(pk=user_id)
        .annotate(
            agent=Exists(held.filter(role__in=[Membership.Role.AGENT, Membership.Role.MANAGER])),
            designer=Exists(held.filter(role=Membership.Role.DESIGNER)),
            dpo=Exists(held.filter(role=Membership.Role.DPO)),
            helps=Exists(helping(user_id, helper_index)),
        )
        .values_list("agent", "designer", "dpo", "helps")
    )


# Two shapes: an account with a national number also helps under invitations sent to it.
_ROLES_WITH_NUMBER = PreparedRead(_roles_query, kinds=(int, str))
_ROLES = PreparedRead(lambda user_id: _roles_query(user_id, None), kinds=(int,))
