"""The named identities of the demo and the users that log in as them (demo mode only)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from loket.core.models import Membership, User
from loket.registers.generator import DEMO_PEOPLE, demo_identifiers


@dataclass(frozen=True)
class DemoIdentity:
    key: str
    description: Promise
    administration_id: str = ""
    role: str = ""


DEMO_IDENTITIES = (
    DemoIdentity("resident", _("Resident of Ixelles with two cars")),
    DemoIdentity("resident2", _("Resident of Schaerbeek with one car")),
    DemoIdentity("business", _("Manager of a brasserie in Saint-Gilles")),
    DemoIdentity(
        "helper", _("Digital helper at a public digital space"), "paradigm", Membership.Role.HELPER
    ),
    DemoIdentity(
        "agent-ixelles",
        _("Civil servant of the municipality of Ixelles"),
        "21009",
        Membership.Role.AGENT,
    ),
    DemoIdentity(
        "agent-parking",
        _("Civil servant of parking.brussels"),
        "parking-brussels",
        Membership.Role.AGENT,
    ),
    DemoIdentity(
        "dpo", _("Data protection officer of the region"), "paradigm", Membership.Role.DPO
    ),
)


@transaction.atomic
def create_demo_users() -> list[User]:
    """Create (or refresh) one user per demo identity, linked to its register entry."""
    users = []
    people = {person.key: person for person in DEMO_PEOPLE}
    for identity in DEMO_IDENTITIES:
        person = people[identity.key]
        national_number, enterprise = demo_identifiers(identity.key)
        user, _created = User.objects.update_or_create(
            username=f"demo-{identity.key}",
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "national_number": national_number,
                "enterprise_number": enterprise,
            },
        )
        user.set_unusable_password()
        user.save()
        if identity.role:
            Membership.objects.get_or_create(
                user=user, administration_id=identity.administration_id, role=identity.role
            )
        users.append(user)
    return users
