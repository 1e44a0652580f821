"""The named identities of the demo and the users that log in as them (demo mode only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
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
    DemoIdentity(
        "agent-mobility",
        _("Civil servant of Brussels Mobility"),
        "brussels-mobility",
        Membership.Role.AGENT,
    ),
    DemoIdentity(
        "designer", _("Service designer of the region"), "paradigm", Membership.Role.DESIGNER
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
                "email": f"{identity.key}@demo.loket.brussels",
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


@transaction.atomic
def create_demo_history() -> int:
    """Past applications of the demo residents, made through the same actions as the pages,
    so that My cases, My data and the access log have something to show on first login."""
    from loket.cases.actions import do_change_status, do_record_case_opening, do_submit_case
    from loket.cases.models import Case
    from loket.catalog.models import Procedure
    from loket.forms.actions import do_prefill, do_save_answers, get_or_start_draft
    from loket.forms.definitions import get_definition
    from loket.payments.providers.demo import pay_on_demo_page
    from loket.sources.base import Actor

    if Case.objects.filter(applicant__username__startswith="demo-").exists():
        return 0
    procedure = Procedure.objects.get(id="residents-parking-card")
    definition = get_definition(procedure.id)
    assert definition is not None
    agent = User.objects.get(username="demo-agent-parking")
    history = [("resident", "1-ABC-123", Case.Status.APPROVED), ("resident2", "1-JPN-451", None)]
    for key, plate, decision in history:
        user = User.objects.get(username=f"demo-{key}")
        draft = get_or_start_draft(user, procedure, definition)
        do_prefill(draft, definition, Actor(user.pk, user.national_number or "", "self"))
        answers = {"plate": plate, "start_date": timezone.localdate().isoformat()}
        draft = do_save_answers(draft, answers)
        case = do_submit_case(draft, draft.answers)
        do_record_case_opening(case, agent)
        if decision:
            if case.status == Case.Status.AWAITING_PAYMENT:
                pay_on_demo_page(case, user)
            do_change_status(case, agent, decision, str(_("Your card is valid for one year.")))
    reports = _demo_reports()
    _demo_mandate()
    return len(history) + reports


def _demo_mandate() -> None:
    """Amina lets the digital helper Marie act for her in her mobility procedures and book her
    appointments at a public digital space, for three months, so that the helper's dashboard
    and acting for someone can be tried at once."""
    from loket.mandates.actions import do_give_mandate

    resident = User.objects.get(username="demo-resident")
    helper = User.objects.get(username="demo-helper")
    today = timezone.localdate()
    do_give_mandate(
        resident,
        helper.national_number or "",
        [
            "residents-parking-card",
            "lez-day-pass",
            "moving-parking-reservation",
            "digital-help-appointment",
        ],
        today,
        today + timedelta(days=90),
    )


# Two reports in Haren (City of Brussels), made as a resident would, so the public map and the
# open data have something to show.
DEMO_REPORTS = (
    ("resident2", "lighting", "Ancienne chaussée de Haecht", "27", 50.89343, 4.43058),
    ("resident", "dumping", "Ancienne chaussée de Haecht", "35", 50.89353, 4.43090),
)


def _demo_reports() -> int:
    from loket.cases.actions import do_submit_case
    from loket.catalog.models import Procedure
    from loket.forms.actions import do_decline_prefill, do_save_answers, get_or_start_draft
    from loket.forms.definitions import get_definition

    procedure = Procedure.objects.get(id="public-space-incident")
    definition = get_definition(procedure.id)
    assert definition is not None
    for key, category, street, number, lat, lon in DEMO_REPORTS:
        user = User.objects.get(username=f"demo-{key}")
        draft = get_or_start_draft(user, procedure, definition)
        do_decline_prefill(draft, definition)  # this procedure reads no register
        place = {
            "street": street, "house_number": number, "box": "", "postcode": "1130",
            "municipality": "21004", "lat": lat, "lon": lon, "precision": "address",
        }  # fmt: skip
        draft = do_save_answers(
            draft,
            {"category": category, "dangerous": "no", "description": "—",
             "incident_location": place, "photo": None, "contact_email": ""},
        )  # fmt: skip
        do_submit_case(draft, draft.answers)
    return len(DEMO_REPORTS)
