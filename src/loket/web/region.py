"""The region's own staff: the service designers of ``paradigm``, the region's IT centre, who run
the platform for every administration (its forms, its doors, its accessibility)."""

from __future__ import annotations

from django.db.models import QuerySet

from loket.core.models import Membership, User

REGION_STAFF = "paradigm"


def is_region_designer(user: object) -> bool:
    return (
        isinstance(user, User)
        and Membership.objects.filter(
            user=user, administration_id=REGION_STAFF, role=Membership.Role.DESIGNER
        ).exists()
    )


def region_designers() -> QuerySet[User]:
    return User.objects.filter(
        memberships__administration_id=REGION_STAFF,
        memberships__role=Membership.Role.DESIGNER,
        is_active=True,
    ).distinct()
