"""Who may see a file, a case document or a principal's cases is decided in selectors only:
whoever may not gets the same 404 as for nothing at all, and the attempt is logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client
from django.utils import timezone

from loket.audit.models import SecurityEvent
from loket.cases.models import Case
from loket.cases.selectors import get_attachment_for
from loket.forms.models import Attachment
from loket.mandates.actions import do_give_mandate, do_revoke_mandate
from loket.mandates.models import Mandate
from loket.mandates.selectors import principal_cases_for, principal_drafts_for
from tests.conftest import client_for, demo_user
from tests.test_cases import apply_for_parking_card

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PARKING = "residents-parking-card"
STRANGERS = [("agent-ixelles", "attachment-refused"), ("resident2", "attachment-refused"),
             ("helper", "attachment-refused")]  # fmt: skip


@pytest.fixture
def case_with_file() -> tuple[Case, Attachment]:
    resident = client_for("resident")
    case = apply_for_parking_card(resident)
    answer = resident.post(
        f"/en/my-cases/{case.reference}/",
        {"action": "message", "body": "My insurance",
         "attachment": SimpleUploadedFile("insurance.pdf", PDF, "application/pdf")},
    )  # fmt: skip
    assert answer.status_code == 302
    return case, Attachment.objects.get(case=case)


def give_helper(procedures: list[str]) -> Mandate:
    today = timezone.localdate()
    return do_give_mandate(
        demo_user("resident"), demo_user("helper").national_number or "", procedures, today,
        today + timedelta(days=30),
    )  # fmt: skip


def refusals(kind: str) -> int:
    return SecurityEvent.objects.filter(kind=kind).count()


@pytest.mark.parametrize("who", ["resident", "agent-parking"])
def test_the_applicant_and_the_handling_agents_get_the_file(
    case_with_file: tuple[Case, Attachment], who: str
) -> None:
    _case, attachment = case_with_file
    download = client_for(who).get(f"/en/files/{attachment.id}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert not SecurityEvent.objects.filter(kind="attachment-refused").exists()


@pytest.mark.parametrize("who", ["agent-ixelles", "resident2", "helper"])
def test_an_agent_of_another_administration_another_resident_or_a_helper_without_mandate_get_404(
    case_with_file: tuple[Case, Attachment], who: str
) -> None:
    _case, attachment = case_with_file
    assert client_for(who).get(f"/en/files/{attachment.id}/").status_code == 404
    event = SecurityEvent.objects.get(kind="attachment-refused")
    assert event.detail == {"user_id": demo_user(who).pk, "attachment": str(attachment.id)}
    # A file that does not exist answers the same, and is logged the same.
    assert client_for(who).get("/en/files/00000000-0000-0000-0000-000000000000/").status_code == (
        404
    )
    assert refusals("attachment-refused") == 2


def test_the_selector_itself_refuses_and_logs(case_with_file: tuple[Case, Attachment]) -> None:
    _case, attachment = case_with_file
    assert get_attachment_for(demo_user("resident"), str(attachment.id)) == attachment
    with pytest.raises(Http404):
        get_attachment_for(demo_user("agent-ixelles"), str(attachment.id))
    assert refusals("attachment-refused") == 1


@pytest.mark.parametrize(
    ("who", "path", "kind"),
    [("resident2", "/en/my-cases/{ref}/receipt.pdf", "case-not-applicants"),
     ("helper", "/en/my-cases/{ref}/receipt.pdf", "case-not-applicants"),
     ("agent-ixelles", "/en/back-office/cases/{ref}/receipt.pdf", "case-outside-tenancy")],
)  # fmt: skip
def test_a_case_document_is_refused_to_others_and_the_attempt_is_logged(
    case_with_file: tuple[Case, Attachment], who: str, path: str, kind: str
) -> None:
    case, _attachment = case_with_file
    assert client_for(who).get(path.format(ref=case.reference)).status_code == 404
    assert SecurityEvent.objects.get(kind=kind).detail["reference"] == case.reference
    assert client_for("resident").get(f"/en/my-cases/{case.reference}/receipt.pdf").status_code == (
        200
    )


def test_the_api_serves_a_file_only_through_its_own_case(
    case_with_file: tuple[Case, Attachment],
) -> None:
    from loket.api.clients import do_create_api_client
    from loket.core.models import Administration

    case, attachment = case_with_file
    other = apply_for_parking_card(client_for("resident2"), plate="1-JPN-451")
    _client, token = do_create_api_client(
        Administration.objects.get(id="parking-brussels"), "Back-end", ["cases:read"]
    )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get(f"/api/v1/cases/{case.reference}/documents/{attachment.id}/").status_code == 200
    wrong_case = api.get(f"/api/v1/cases/{other.reference}/documents/{attachment.id}/")
    assert wrong_case.status_code == 404
    assert refusals("attachment-refused") == 1


def test_a_helper_sees_only_the_cases_the_valid_mandate_covers() -> None:
    helper = demo_user("helper")
    parking = apply_for_parking_card(client_for("resident"))
    mandate = give_helper([PARKING])
    assert list(principal_cases_for(helper, mandate)) == [parking]
    other_procedure = give_helper(["change-of-address"])
    assert list(principal_cases_for(helper, other_procedure)) == []
    assert list(principal_drafts_for(helper, other_procedure)) == []


@pytest.mark.parametrize("who", ["helper", "resident2"])
def test_without_a_valid_mandate_a_principals_cases_are_refused_and_logged(who: str) -> None:
    apply_for_parking_card(client_for("resident"))
    mandate = give_helper([PARKING])
    if who == "helper":
        do_revoke_mandate(mandate)
    with pytest.raises(Http404):
        principal_cases_for(demo_user(who), mandate)
    with pytest.raises(Http404):
        principal_drafts_for(demo_user(who), mandate)
    assert SecurityEvent.objects.filter(
        kind="mandate-refused", detail__mandate=mandate.pk
    ).count() == 2  # fmt: skip


def test_acting_under_or_revoking_someone_elses_mandate_is_404_and_logged() -> None:
    mandate = give_helper([PARKING])
    stranger = client_for("resident2")
    assert stranger.post(f"/en/mandates/{mandate.pk}/act/").status_code == 404
    assert stranger.post(f"/en/mandates/{mandate.pk}/revoke/").status_code == 404
    assert refusals("mandate-refused") == 2
    mandate.refresh_from_db()
    assert mandate.revoked_at is None
    assert client_for("helper").post(f"/en/mandates/{mandate.pk}/act/").status_code == 302
