"""Every catalogued procedure can be applied for, with generated valid answers, and handled.

The answers are generated from what each page shows (its fields, choices and bounds), so this
test follows the definitions as service designers change them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from loket.cases.delivery import delivered_at_once
from loket.cases.models import Case, CaseEvent
from loket.cases.notices import notices_about
from loket.cases.selectors import BACK_OFFICE_ROLES
from loket.catalog.models import Procedure
from loket.core.models import Membership
from loket.core.reference import read_yaml
from loket.forms.definitions import DEFINITIONS_DIR, FieldDefinition, get_definition, load_file
from loket.forms.fields import BoundedDateField
from loket.forms.models import Draft
from loket.forms.pages import PageForm
from tests.conftest import client_for, demo_user
from tests.payments_helpers import pay_with_demo

PROCEDURES = [entry["id"] for entry in read_yaml("procedures.yaml")["procedures"]]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ADDRESS = {"street": "Rue du Trône", "house_number": "98", "box": "", "postcode": "1050",
           "municipality": "21009"}  # fmt: skip
SIMPLE = {
    forms.EmailField: "applicant@example.be",
    forms.IntegerField: "1",
    forms.DecimalField: "1",
}
BY_TYPE = {
    "phone": "0470 12 34 56", "iban": "BE71 0961 2345 6769", "bic": "GEBABEBB",
    "national_number": "85.07.30-033.28", "enterprise_number": "0403.170.701",
    "licence_plate": "1-ABC-123",
}  # fmt: skip


def value_for(definition: FieldDefinition | None, field: forms.Field) -> Any:
    if isinstance(field, forms.FileField):
        return SimpleUploadedFile("evidence.pdf", PDF, content_type="application/pdf")
    if isinstance(field, forms.MultipleChoiceField):
        return [next(v for v, _label in list(field.choices) if v)]  # type: ignore[arg-type]
    if isinstance(field, forms.ChoiceField):
        values = [str(v) for v, _label in list(field.choices) if v]  # type: ignore[arg-type]
        return "yes" if "yes" in values else values[0]
    if isinstance(field, BoundedDateField):  # today, or the nearest day the field accepts
        day = max(timezone.localdate(), field.earliest or timezone.localdate())
        return min(day, field.latest or day).isoformat()
    if isinstance(field, (forms.IntegerField, forms.DecimalField)) and field.min_value is not None:
        return str(max(1, int(field.min_value)))  # type: ignore[arg-type]
    if definition is not None and definition.type in BY_TYPE:
        return BY_TYPE[definition.type]
    return SIMPLE.get(type(field), "A real answer")


def page_data(page_form: PageForm) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for item in page_form.items:
        if item.kind == "group":
            prefix = item.definition.name
            data.update(
                {f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0",
                 f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
            )  # fmt: skip
            for sub in item.definition.fields:
                field = item.formset.forms[0].fields[sub.name]
                data[f"{prefix}-0-{sub.name}"] = value_for(sub, field)
        elif item.kind in ("brussels_address", "location"):
            data.update({f"{item.definition.name}__{k}": v for k, v in ADDRESS.items()})
        else:
            data[item.definition.name] = value_for(item.definition, item.bound[0].field)
    return data


def applicant_for(procedure: Procedure) -> str:
    return "business" if procedure.audience == "business" else "resident"


# What a person types when they decline the registers: an address in Saint-Gilles (1060 is
# Saint-Gilles only), far from the demo resident's registered address in Ixelles.
DECLARED = {
    "population.identity.first_name": "Amina",
    "population.identity.last_name": "El Amrani",
    "population.identity.birth_date": (timezone.localdate() - timedelta(days=38 * 365)).isoformat(),
    "population.address.street": "Parvis Saint-Gilles",
    "population.address.house_number": "12",
    "population.address.postcode": "1060",
}
SAINT_GILLES = "21013"
IXELLES = "21009"  # where the demo resident is registered


def submit(
    client: Client, procedure_id: str, before_sending: Callable[[], None] | None = None,
    use_registers: bool | None = True, pay: bool = True,
) -> Case:  # fmt: skip
    """Apply through the pages, and (``pay``) pay a fee due on the demo payment page.
    ``use_registers=None``: the first step was answered before (a draft already started)."""
    base = f"/en/procedures/{procedure_id}/apply/"
    if use_registers is not None:
        choice = "yes" if use_registers else "no"
        assert client.post(base, {"use_registers": choice}).status_code == 302
    draft = Draft.objects.get(procedure_id=procedure_id)
    definition = get_definition(procedure_id)
    assert definition is not None
    for _step in range(30):
        response = client.get(f"{base}check/")
        if response.status_code == 200:
            break
        location = response["Location"]
        assert "/q/" in location or location.endswith("/declare/"), location
        if location.endswith("/declare/"):
            declared = client.post(location, DECLARED)
            assert declared.status_code == 302, declared.content.decode()[:3000]
            continue
        page_id = location.rstrip("/").rsplit("/", 1)[-1]
        page = definition.page(page_id)
        assert page is not None, f"{procedure_id}: no page {page_id}"
        draft.refresh_from_db()
        data = page_data(PageForm(page, draft.facts, draft.answers, procedure=draft.procedure))
        answered = client.post(f"{base}q/{page_id}/", data)
        assert answered.status_code == 302, (
            procedure_id,
            page_id,
            answered.context["error_list"] if answered.context else "",
        )
    key = response.context["draft"].idempotency_key
    if before_sending is not None:
        before_sending()
    assert client.post(f"{base}check/", {"idempotency_key": str(key)}).status_code == 302
    case = Case.objects.get(idempotency_key=key)
    if pay and case.status == Case.Status.AWAITING_PAYMENT:
        pay_with_demo(client, case)
    return Case.objects.get(idempotency_key=key)


@pytest.mark.django_db
@pytest.mark.parametrize("procedure_id", PROCEDURES)
def test_each_procedure_is_applied_for_routed_and_receipted(procedure_id: str) -> None:
    procedure = Procedure.objects.get(id=procedure_id)
    definition = get_definition(procedure_id)
    assert definition is not None, f"{procedure_id} has no definition"
    applicant = applicant_for(procedure)
    client = client_for(applicant)
    case = submit(client, procedure_id)

    if procedure.administration_id:
        assert case.administration_id == procedure.administration_id
    elif definition.handling == "municipality-of-location":
        place = case.answers[definition.location_field]
        assert case.administration_id == (
            place["municipality"] if isinstance(place, dict) else place
        )
    else:
        assert case.administration_id == "21009"  # Ixelles, where the demo resident lives
    assert case.definition_version == definition.version
    if delivered_at_once(definition):
        # Issued when sent, or passed to a civil servant with the reason; one notice either way.
        referred = case.events.filter(kind=CaseEvent.Kind.REFERRAL).exists()
        assert case.status == (Case.Status.SUBMITTED if referred else Case.Status.DELIVERED)
        assert [n.kind for n in notices_about(case)] == ["submitted" if referred else "delivered"]
    else:
        assert case.status == Case.Status.SUBMITTED
        assert notices_about(case).filter(kind="submitted").count() == 1
    receipt = client.get(f"/en/my-cases/{case.reference}/receipt.pdf")
    assert receipt.status_code == 200
    assert receipt.content.startswith(b"%PDF")
    assert case.applicant == demo_user(applicant)


def _from_register(procedure_id: str) -> bool:
    """A certificate drawn from a register: it is read whatever one would choose, so the
    first step offers no choice to decline (nor a typed-data path). Read from the shipped
    definition: the test is chosen before any database is there."""
    path = DEFINITIONS_DIR / f"{procedure_id}.yaml"
    return path.exists() and bool(delivered_at_once(load_file(path)))


@pytest.mark.django_db
@pytest.mark.parametrize("procedure_id", [p for p in PROCEDURES if not _from_register(p)])
def test_each_procedure_with_typed_data_reaches_the_right_queue(procedure_id: str) -> None:
    """The registers declined: what the person typed routes the case (a municipal procedure
    goes to the municipality of the typed address), and nothing answers with a 500."""
    procedure = Procedure.objects.get(id=procedure_id)
    definition = get_definition(procedure_id)
    assert definition is not None
    client = client_for(applicant_for(procedure))
    case = submit(client, procedure_id, use_registers=False)
    assert case.facts == {} or not case.facts.get("population")
    if procedure.administration_id:
        assert case.administration_id == procedure.administration_id
    elif definition.handling == "municipality-of-location":
        place = case.answers[definition.location_field]
        assert case.administration_id == (
            place["municipality"] if isinstance(place, dict) else place
        )
    elif "population.address" in definition.facts:
        assert case.administration_id == SAINT_GILLES, case.answers.get("declared")
    membership = Membership.objects.filter(
        administration_id=case.administration_id, role__in=BACK_OFFICE_ROLES
    ).first()
    if case.status == Case.Status.DELIVERED:  # issued at once by the register's municipality
        assert case.certificates.exists()
    elif membership is not None:  # in that administration's back-office queue
        agent = Client()
        agent.force_login(membership.user)
        assert case.reference in agent.get("/en/back-office/").content.decode()
