"""The one door: consult() checks declaration and actor, reads, and logs one entry per source."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pytest
from django.test import override_settings

from loket.audit.models import AccessLogEntry, SecurityEvent
from loket.core.identifiers import pseudonym
from loket.core.models import User
from loket.sources.base import Actor, ConsultationRefused, Purpose, SourceUnavailable, Subject
from loket.sources.door import consult
from loket.sources.registry import get_source
from tests.conftest import demo_user

PARKING = "residents-parking-card"


def self_actor(user: User) -> Actor:
    return Actor(user.pk, user.national_number or "", "self")


def me(user: User) -> Subject:
    return Subject("person", user.national_number or "")


@pytest.mark.django_db
def test_a_resident_reads_own_declared_data_and_each_source_is_logged(resident: User) -> None:
    answers = consult(
        me(resident),
        ["population.identity"],
        Purpose(PARKING, "identify-applicant"),
        self_actor(resident),
    )
    assert answers["population"].attributes["identity"]["last_name"] == "El Amrani"
    vehicles = consult(
        me(resident),
        ["vehicle.registrations"],
        Purpose(PARKING, "check-vehicle-ownership"),
        self_actor(resident),
    )
    plates = [v["plate"] for v in vehicles["vehicle"].attributes["registrations"]]
    assert sorted(plates) == ["1-ABC-123", "2-XYZ-789"]
    log = AccessLogEntry.objects.filter(subject_pseudonym=pseudonym(resident.national_number or ""))
    assert [(e.source, e.attributes, e.purpose) for e in log.order_by("id")] == [
        ("population", ["identity"], "identify-applicant"),
        ("vehicle", ["registrations"], "check-vehicle-ownership"),
    ]
    entry = log.first()  # newest first
    assert entry is not None
    assert (resident.national_number or "?") not in str(entry.__dict__)
    assert entry.legal_basis_id == f"{PARKING}/check-vehicle-ownership"


@pytest.mark.django_db
def test_an_attribute_the_procedure_did_not_declare_is_refused_and_logged(resident: User) -> None:
    with pytest.raises(ConsultationRefused):
        consult(
            me(resident),
            ["social.increased_allowance"],
            Purpose(PARKING, "identify-applicant"),
            self_actor(resident),
        )
    assert SecurityEvent.objects.filter(kind="consult-refused:undeclared-attribute").exists()
    assert not AccessLogEntry.objects.exists()


@pytest.mark.django_db
def test_a_declared_attribute_under_another_purpose_is_refused(resident: User) -> None:
    with pytest.raises(ConsultationRefused):
        consult(
            me(resident),
            ["vehicle.registrations"],
            Purpose(PARKING, "identify-applicant"),
            self_actor(resident),
        )


@pytest.mark.django_db
def test_a_resident_cannot_read_someone_else(resident: User) -> None:
    other = demo_user("resident2")
    with pytest.raises(ConsultationRefused):
        consult(
            me(other),
            ["population.identity"],
            Purpose(PARKING, "identify-applicant"),
            self_actor(resident),
        )
    assert SecurityEvent.objects.filter(
        kind="consult-refused:actor-may-not-act-for-subject"
    ).exists()


@pytest.mark.django_db
def test_an_agent_of_the_handling_administration_may_read_an_agent_of_another_may_not() -> None:
    resident = demo_user("resident")
    parking = demo_user("agent-parking")
    ixelles = demo_user("agent-ixelles")
    purpose = Purpose(PARKING, "verify-residence")
    answers = consult(
        me(resident),
        ["population.address"],
        purpose,
        Actor(parking.pk, parking.national_number or "", "agent", "parking-brussels"),
    )
    assert answers["population"].attributes["address"]["nis_code"] == "21009"
    entry = AccessLogEntry.objects.get()
    assert (entry.actor_role, entry.administration_id) == ("agent", "parking-brussels")
    with pytest.raises(ConsultationRefused):
        consult(
            me(resident),
            ["population.address"],
            purpose,
            Actor(ixelles.pk, ixelles.national_number or "", "agent", "21009"),
        )
    with pytest.raises(ConsultationRefused):  # claims a membership it does not have
        consult(
            me(resident),
            ["population.address"],
            purpose,
            Actor(ixelles.pk, ixelles.national_number or "", "agent", "parking-brussels"),
        )


class DownRegister:
    """A register adapter whose backend does not answer (the adapter protocol's failure mode)."""

    id = "vehicle"
    subject_kind = "person"
    attributes = frozenset({"registrations"})

    def fetch(self, subject: Subject, attributes: Collection[str]) -> dict[str, Any]:
        raise SourceUnavailable("timeout")


@pytest.mark.django_db
def test_an_unavailable_register_is_reported_not_raised_and_the_attempt_is_logged(
    resident: User,
) -> None:
    get_source.cache_clear()
    try:
        with override_settings(LOKET_SOURCES={"vehicle": "tests.test_sources.DownRegister"}):
            answers = consult(
                me(resident),
                ["vehicle.registrations"],
                Purpose(PARKING, "check-vehicle-ownership"),
                self_actor(resident),
            )
    finally:
        get_source.cache_clear()
    assert answers["vehicle"].unavailable
    assert AccessLogEntry.objects.get().outcome == "unavailable"


@pytest.mark.django_db
def test_a_person_unknown_to_a_register_is_asked_for_the_data_instead() -> None:
    from datetime import date

    from loket.catalog.models import Procedure
    from loket.core.identifiers import make_national_number
    from loket.sources.door import consult_needs

    newcomer = User.objects.create(
        username="newcomer", national_number=make_national_number(date(1999, 9, 9), 995)
    )
    facts, missing, unanswered = consult_needs(
        me(newcomer),
        Procedure.objects.get(id=PARKING),
        ["population.identity", "population.address", "vehicle.registrations"],
        self_actor(newcomer),
    )
    assert missing == ["population.identity", "population.address"]
    assert unanswered == []  # the registers answered: they hold nothing, which is no failure
    assert facts == {"vehicle": {"registrations": []}}
    assert AccessLogEntry.objects.count() == 3  # the attempts are logged all the same
