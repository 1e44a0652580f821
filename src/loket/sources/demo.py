"""Adapters over the synthetic registers of the demo (``loket.registers``).

They answer in the same shape as the HTTP adapters will, so that nothing above this module can
tell a demo register from a real one. Each says ``demo = True``: production refuses to start on
them, and on any adapter derived from them, whatever module it lives in.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, ClassVar

from loket.registers.models import Address, Enterprise, Resident, SocialStatus, Vehicle
from loket.sources.base import Subject, SubjectKind


def address_answer(address: Address) -> dict[str, Any]:
    return {
        "street_fr": address.street_fr,
        "street_nl": address.street_nl,
        "house_number": address.house_number,
        "box": address.box,
        "postcode": address.postcode,
        "nis_code": address.nis_code,
    }


class PopulationRegister:
    id = "population"
    demo: ClassVar[bool] = True
    subject_kind: SubjectKind = "person"
    attributes = frozenset(
        {"identity", "address", "address_history", "household", "nationality", "civil_status"}
    )

    def fetch(self, subject: Subject, attributes: Collection[str]) -> dict[str, Any]:
        # One row at most (the number is unique); the household only when it is asked for.
        related = ("address", "household") if "household" in attributes else ("address",)
        found = Resident.objects.select_related(*related).filter(
            national_number=subject.identifier
        )[:1]
        resident = next(iter(found), None)
        if resident is None:
            return {}
        answers = {
            "identity": lambda: {
                "national_number": resident.national_number,
                "first_name": resident.first_name,
                "last_name": resident.last_name,
                "birth_date": resident.birth_date.isoformat(),
                "gender": resident.gender,
            },
            "address": lambda: {
                **address_answer(resident.address),
                "since": resident.resident_since.isoformat(),
            },
            "address_history": lambda: list(resident.previous_addresses),
            "household": lambda: [
                {
                    "first_name": member.first_name,
                    "last_name": member.last_name,
                    "birth_date": member.birth_date.isoformat(),
                    "role": member.household_role,
                }
                for member in resident.household.members.order_by("birth_date")
            ],
            "nationality": lambda: resident.nationality,
            "civil_status": lambda: resident.civil_status,
        }
        return {name: answers[name]() for name in attributes}


class VehicleRegister:
    id = "vehicle"
    demo: ClassVar[bool] = True
    subject_kind: SubjectKind = "person"
    attributes = frozenset({"registrations"})

    def fetch(self, subject: Subject, attributes: Collection[str]) -> dict[str, Any]:
        vehicles = Vehicle.objects.filter(holder__national_number=subject.identifier).order_by(
            "first_registration"
        )
        return {
            "registrations": [
                {
                    "plate": vehicle.plate,
                    "make": vehicle.make,
                    "model": vehicle.model,
                    "fuel": vehicle.fuel,
                    "euro_norm": vehicle.euro_norm,
                    "first_registration": vehicle.first_registration.isoformat(),
                }
                for vehicle in vehicles
            ]
        }


class EnterpriseRegister:
    id = "enterprise"
    demo: ClassVar[bool] = True
    subject_kind: SubjectKind = "enterprise"
    attributes = frozenset({"identity", "establishments", "mandataries"})

    def fetch(self, subject: Subject, attributes: Collection[str]) -> dict[str, Any]:
        enterprise = (
            Enterprise.objects.select_related("address").filter(number=subject.identifier).first()
        )
        if enterprise is None:
            return {}
        answers = {
            "identity": lambda: {
                "number": enterprise.number,
                "name": enterprise.name,
                "legal_form": enterprise.legal_form,
                "start_date": enterprise.start_date.isoformat(),
                "nace_code": enterprise.nace_code,
                "address": address_answer(enterprise.address),
            },
            "establishments": lambda: [
                {
                    "unit_number": unit.unit_number,
                    "name": unit.name,
                    "address": address_answer(unit.address),
                }
                for unit in enterprise.establishments.select_related("address")
            ],
            "mandataries": lambda: [
                {"national_number": m.national_number, "function": m.function}
                for m in enterprise.mandataries.all()
            ],
        }
        return {name: answers[name]() for name in attributes}


class SocialSecurityRegister:
    id = "social"
    demo: ClassVar[bool] = True
    subject_kind: SubjectKind = "person"
    attributes = frozenset({"increased_allowance"})

    def fetch(self, subject: Subject, attributes: Collection[str]) -> dict[str, Any]:
        status = SocialStatus.objects.filter(national_number=subject.identifier).first()
        return {"increased_allowance": bool(status and status.increased_allowance)}
