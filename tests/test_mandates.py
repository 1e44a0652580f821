"""Mandates: the rules for giving and revoking them, and the one door's check of a helper."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from loket.audit.models import AccessLogEntry, SecurityEvent
from loket.catalog.models import Procedure
from loket.core.identifiers import make_national_number, pseudonym
from loket.core.models import User
from loket.mandates.actions import (
    MandateRefused,
    do_give_mandate,
    do_link_invitations,
    do_revoke_mandate,
    latest_end,
)
from loket.mandates.models import Mandate
from loket.mandates.selectors import mandates_held_by
from loket.sources.base import Actor, ConsultationRefused, Subject
from loket.sources.door import consult_needs
from tests.conftest import demo_user

# The refusals are checked by their English wording.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


PARKING = "residents-parking-card"
TERRACE = "terrace-permit"


@pytest.fixture
def resident() -> User:
    return demo_user("resident")


@pytest.fixture
def helper() -> User:
    return demo_user("helper")


def today() -> date:
    return timezone.localdate()


def give(
    grantor: User, helper: User, procedures: list[str] | None = None, **dates: date
) -> Mandate:
    return do_give_mandate(
        grantor,
        helper.national_number or "",
        [PARKING] if procedures is None else procedures,
        dates.get("starts_on", today()),
        dates.get("ends_on", today() + timedelta(days=30)),
    )


def helper_actor(helper: User, principal: str) -> Actor:
    return Actor(helper.pk, helper.national_number or "", "helper", acting_for=principal)


def read_identity(principal: User, actor: Actor, procedure_id: str = PARKING) -> dict[str, Any]:
    procedure = Procedure.objects.get(id=procedure_id)
    subject = Subject("person", principal.national_number or "")
    facts = consult_needs(subject, procedure, ["population.identity"], actor).facts
    return facts


# Giving and revoking


def test_a_mandate_names_the_helper_for_chosen_procedures_and_a_period(
    resident: User, helper: User
) -> None:
    mandate = give(resident, helper)
    assert mandate.helper == helper
    assert mandate.helper_national_number == helper.national_number
    assert mandate.procedure_ids == [PARKING]
    assert mandate.covers(PARKING) and not mandate.covers("change-of-address")
    assert list(mandates_held_by(helper)) == [mandate]


def test_a_mandate_for_all_procedures_covers_every_procedure(resident: User, helper: User) -> None:
    mandate = give(resident, helper, procedures=[])
    assert mandate.procedure_ids == []
    assert mandate.covers(PARKING) and mandate.covers("change-of-address")


def test_a_mandate_lasts_at_most_one_year(resident: User, helper: User) -> None:
    start = today()
    give(resident, helper, starts_on=start, ends_on=latest_end(start))
    with pytest.raises(MandateRefused, match="at most one year"):
        give(resident, helper, starts_on=start, ends_on=latest_end(start) + timedelta(days=1))


def test_a_mandate_cannot_start_in_the_past_or_end_before_it_starts(
    resident: User, helper: User
) -> None:
    with pytest.raises(MandateRefused, match="past"):
        give(resident, helper, starts_on=today() - timedelta(days=1))
    with pytest.raises(MandateRefused, match="on or after"):
        give(resident, helper, starts_on=today() + timedelta(days=5), ends_on=today())


def test_the_end_of_a_mandate_given_on_29_february_is_28_february() -> None:
    assert latest_end(date(2028, 2, 29)) == date(2029, 2, 28)


def test_a_mandate_needs_a_valid_national_number_other_than_ones_own(resident: User) -> None:
    with pytest.raises(MandateRefused, match="not a valid national number"):
        do_give_mandate(resident, "12345678901", [PARKING], today(), today())
    with pytest.raises(MandateRefused, match="yourself"):
        do_give_mandate(resident, resident.national_number or "", [PARKING], today(), today())


def test_a_mandate_covers_only_procedures_that_exist(resident: User, helper: User) -> None:
    with pytest.raises(MandateRefused, match="procedures"):
        give(resident, helper, procedures=["no-such-procedure"])


def test_a_helper_without_an_account_gets_an_invitation_linked_at_login(resident: User) -> None:
    number = make_national_number(today().replace(year=1980), 123)
    mandate = do_give_mandate(resident, number, [PARKING], today(), today())
    assert mandate.helper is None
    newcomer = User.objects.create(username="newcomer", national_number=number)
    assert list(mandates_held_by(newcomer)) == [mandate]  # usable before being linked
    assert do_link_invitations(newcomer) == 1
    mandate.refresh_from_db()
    assert mandate.helper == newcomer


def test_a_revoked_mandate_is_no_longer_held_and_revoking_twice_changes_nothing(
    resident: User, helper: User
) -> None:
    mandate = give(resident, helper)
    do_revoke_mandate(mandate)
    revoked_at = mandate.revoked_at
    assert revoked_at is not None
    do_revoke_mandate(mandate)
    assert mandate.revoked_at == revoked_at
    assert list(mandates_held_by(helper)) == []


def test_an_expired_mandate_is_no_longer_held(resident: User, helper: User) -> None:
    mandate = give(resident, helper)
    Mandate.objects.filter(pk=mandate.pk).update(
        starts_on=today() - timedelta(days=30), ends_on=today() - timedelta(days=1)
    )
    assert list(mandates_held_by(helper)) == []


# The one door and helpers


def test_a_helper_without_a_mandate_is_refused_and_the_attempt_is_logged(
    resident: User, helper: User
) -> None:
    with pytest.raises(ConsultationRefused, match="no-valid-mandate"):
        read_identity(resident, helper_actor(helper, resident.national_number or ""))
    event = SecurityEvent.objects.get(kind="consult-refused:no-valid-mandate")
    assert event.actor_pseudonym == pseudonym(helper.national_number or "")
    assert event.detail["acting_for"] == pseudonym(resident.national_number or "")
    assert not AccessLogEntry.objects.exists()


def test_a_helper_with_a_mandate_reads_the_principal_and_the_log_names_both(
    resident: User, helper: User
) -> None:
    give(resident, helper)
    facts = read_identity(resident, helper_actor(helper, resident.national_number or ""))
    assert facts["population"]["identity"]["national_number"] == resident.national_number
    entry = AccessLogEntry.objects.get()
    assert entry.subject_pseudonym == pseudonym(resident.national_number or "")
    assert entry.actor_pseudonym == pseudonym(helper.national_number or "")
    assert entry.actor_role == "helper"
    assert entry.acting_for_pseudonym == pseudonym(resident.national_number or "")


def test_a_helper_with_an_expired_mandate_is_refused(resident: User, helper: User) -> None:
    mandate = give(resident, helper)
    Mandate.objects.filter(pk=mandate.pk).update(
        starts_on=today() - timedelta(days=30), ends_on=today() - timedelta(days=1)
    )
    with pytest.raises(ConsultationRefused):
        read_identity(resident, helper_actor(helper, resident.national_number or ""))
    assert SecurityEvent.objects.filter(kind="consult-refused:no-valid-mandate").exists()


def test_a_helper_with_a_mandate_that_has_not_started_is_refused(
    resident: User, helper: User
) -> None:
    give(resident, helper, starts_on=today() + timedelta(days=1))
    with pytest.raises(ConsultationRefused):
        read_identity(resident, helper_actor(helper, resident.national_number or ""))


def test_a_helper_with_a_revoked_mandate_is_refused(resident: User, helper: User) -> None:
    do_revoke_mandate(give(resident, helper))
    with pytest.raises(ConsultationRefused):
        read_identity(resident, helper_actor(helper, resident.national_number or ""))
    assert SecurityEvent.objects.filter(kind="consult-refused:no-valid-mandate").exists()


def test_a_helper_is_refused_for_a_procedure_outside_the_mandate(
    resident: User, helper: User
) -> None:
    give(resident, helper, procedures=[PARKING])
    with pytest.raises(ConsultationRefused):
        read_identity(
            resident, helper_actor(helper, resident.national_number or ""), "change-of-address"
        )
    assert SecurityEvent.objects.get().detail["procedure"] == "change-of-address"


def test_a_helper_may_read_only_the_principal_named_in_the_mandate(
    resident: User, helper: User
) -> None:
    give(resident, helper)
    other = demo_user("resident2")
    with pytest.raises(ConsultationRefused):  # another person, under this mandate
        read_identity(other, helper_actor(helper, resident.national_number or ""))
    with pytest.raises(ConsultationRefused):  # another person, claimed as principal
        read_identity(other, helper_actor(helper, other.national_number or ""))


def test_someone_else_cannot_use_the_helpers_mandate(resident: User, helper: User) -> None:
    give(resident, helper)
    impostor = demo_user("resident2")
    actor = Actor(
        impostor.pk, helper.national_number or "", "helper", resident.national_number or ""
    )
    with pytest.raises(ConsultationRefused):
        read_identity(resident, actor)


# Enterprises


def test_a_mandatary_gives_a_mandate_for_the_enterprise_checked_in_the_register(
    helper: User,
) -> None:
    business = demo_user("business")
    mandate = do_give_mandate(
        business, helper.national_number or "", [], today(), today(), business.enterprise_number
    )
    assert mandate.enterprise_number == business.enterprise_number
    assert TERRACE in mandate.procedure_ids  # "all" means the business procedures
    assert PARKING not in mandate.procedure_ids
    check = AccessLogEntry.objects.get()
    assert (check.source, check.purpose) == ("enterprise", "check-mandate")
    assert check.subject_pseudonym == pseudonym(business.enterprise_number)


def test_someone_the_register_does_not_list_cannot_give_a_mandate_for_the_enterprise(
    resident: User, helper: User
) -> None:
    business = demo_user("business")
    with pytest.raises(MandateRefused):  # not their enterprise at all
        do_give_mandate(
            resident, helper.national_number or "", [], today(), today(), business.enterprise_number
        )
    resident.enterprise_number = (
        business.enterprise_number
    )  # their account says so, not the register
    resident.save()
    with pytest.raises(MandateRefused, match="does not list you"):
        do_give_mandate(
            resident, helper.national_number or "", [], today(), today(), business.enterprise_number
        )
    assert not Mandate.objects.exists()


def test_an_enterprise_mandate_lets_the_helper_read_the_enterprise_not_the_mandatary(
    helper: User,
) -> None:
    business = demo_user("business")
    do_give_mandate(
        business,
        helper.national_number or "",
        [TERRACE],
        today(),
        today(),
        business.enterprise_number,
    )
    actor = helper_actor(helper, business.enterprise_number)
    procedure = Procedure.objects.get(id=TERRACE)
    subject = Subject("enterprise", business.enterprise_number)
    facts = consult_needs(subject, procedure, ["enterprise.identity"], actor).facts
    assert facts["enterprise"]["identity"]["number"] == business.enterprise_number
    with pytest.raises(ConsultationRefused):
        read_identity(business, helper_actor(helper, business.national_number or ""), TERRACE)
