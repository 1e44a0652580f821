"""Who an ID token is: a resident matched by national number, a civil servant by ``sub``.

A civil servant's memberships follow the groups their organisation's provider names, at every
login: a group mapped in ``LOKET_OIDC_AGENT_GROUPS`` grants its membership, and a membership no
group grants any more is removed. Their organisation's directory is the source of truth.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from loket.accounts import errors
from loket.accounts.errors import LoginRefused
from loket.accounts.models import ExternalIdentity
from loket.config import OidcClient
from loket.core.identifiers import (
    ValidationError,
    clean_enterprise_number,
    clean_national_number,
    pseudonym,
    user_pseudonym,
)
from loket.core.models import Administration, Membership, User

log = logging.getLogger("loket.auth")


def _text_claim(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name) if name else None
    return value.strip() if isinstance(value, str) else ""


def _remember_identity(user: User, issuer: str, subject: str) -> None:
    ExternalIdentity.objects.update_or_create(
        issuer=issuer,
        subject=subject,
        defaults={"user": user, "last_login_at": timezone.now()},
    )


@transaction.atomic
def do_match_resident(claims: dict[str, Any], client: OidcClient) -> User:
    """The user whose national number the ID token carries, created at their first login."""
    raw = claims.get(client.national_number_claim)
    try:
        if not isinstance(raw, str | int) or isinstance(raw, bool):
            raise ValidationError()
        national_number = clean_national_number(str(raw))
    except ValidationError:
        raise LoginRefused(
            errors.IDENTIFIER_MISSING,
            {"claim": client.national_number_claim, "present": raw is not None},
        ) from None
    user = User.objects.select_for_update().by_national_number(national_number).first()
    if user is None:
        user = User(
            username=f"resident-{pseudonym(national_number)[:24]}",
            national_number=national_number,
            first_name=_text_claim(claims, "given_name")[:150],
            last_name=_text_claim(claims, "family_name")[:150],
        )
        user.set_unusable_password()
        user.save()
        log.info("resident created at first login user=%s", user_pseudonym(user))
    if client.enterprise_claim:
        # The enterprise someone represents is chosen at each login (CSAM): never keep a stale one.
        try:
            enterprise = clean_enterprise_number(_text_claim(claims, client.enterprise_claim))
        except ValidationError:
            enterprise = ""
        if user.enterprise_number != enterprise:
            user.enterprise_number = enterprise
            user.save(update_fields=["enterprise_number"])
    _remember_identity(user, client.issuer, str(claims["sub"]))
    return user


@transaction.atomic
def do_match_agent(claims: dict[str, Any], client: OidcClient) -> User:
    """The civil servant known by (issuer, sub), created at first login, memberships synced."""
    subject = str(claims["sub"])
    identity = (
        ExternalIdentity.objects.select_related("user")
        .filter(issuer=client.issuer, subject=subject)
        .first()
    )
    if identity is None:
        user = User(username=f"agent-{pseudonym(f'{client.issuer}|{subject}')[:24]}")
        user.set_unusable_password()
    else:
        user = identity.user
    user.first_name = _text_claim(claims, "given_name")[:150] or user.first_name
    user.last_name = _text_claim(claims, "family_name")[:150] or user.last_name
    user.save()
    _remember_identity(user, client.issuer, subject)
    do_sync_memberships(user, _groups(claims, client.groups_claim), client.groups)
    return user


def _groups(claims: dict[str, Any], name: str) -> list[str]:
    value = claims.get(name) if name else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [group for group in value if isinstance(group, str)]
    return []


def do_sync_memberships(
    user: User, groups: list[str], grants: dict[str, dict[str, str]]
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """Make ``user``'s memberships exactly those ``groups`` grant; return (added, removed)."""
    wanted = {
        (grants[group]["administration"], grants[group]["role"])
        for group in groups
        if group in grants
    }
    known = set(Administration.objects.filter(id__in={a for a, _ in wanted}).values_list("id"))
    for administration in sorted({a for a, _role in wanted}):
        if (administration,) not in known:
            log.error("LOKET_OIDC_AGENT_GROUPS names unknown administration %r", administration)
    wanted = {(a, r) for a, r in wanted if (a,) in known}
    current = {(m.administration_id, m.role): m for m in user.memberships.all()}
    removed = set(current) - wanted
    added = wanted - set(current)
    for key in removed:
        current[key].delete()
    Membership.objects.bulk_create(
        Membership(user=user, administration_id=administration, role=role)
        for administration, role in sorted(added)
    )
    if added or removed:
        log.info(
            "memberships synced user=%s added=%s removed=%s", user_pseudonym(user), added, removed
        )
    return added, removed
