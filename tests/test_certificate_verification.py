"""The public verification page: by code and by file, rate limited, every check recorded for
the holder, and never a server error."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from loket.audit.models import SecurityEvent
from loket.certificates.actions import Issued, do_issue_certificate, do_revoke_certificate
from loket.certificates.codes import new_code
from loket.certificates.models import Verification
from tests.conftest import demo_user
from tests.test_certificates import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(sealing: dict[str, Any]) -> Issued:
    return do_issue_certificate(make_case(demo_user("resident"), "household-composition"))


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_the_page_asks_for_a_code_or_a_file_without_login(client: Client, lang: str) -> None:
    response = client.get(f"/{lang}/verify/")
    assert response.status_code == 200
    assert b'name="code"' in response.content and b'type="file"' in response.content


def test_valid_then_revoked_with_the_reason_and_each_check_is_recorded(
    client: Client, issued: Issued
) -> None:
    page = client.get(f"/en/verify/{issued.code}/")
    assert page.status_code == 200
    assert b"Authentic and valid" in page.content
    assert issued.certificate.number.encode() in page.content
    assert b"Members of the household" in page.content or b"household" in page.content
    do_revoke_certificate(
        issued.certificate, demo_user("agent-ixelles"), "data-changed", "A child was born."
    )
    page = client.get(f"/en/verify/{issued.code.lower().replace('-', '')}/")
    text = page.content.decode()
    assert "Revoked." in text
    assert "Reason: The certified data has changed since it was issued. A child was born." in text
    outcomes = list(issued.certificate.verifications.values_list("channel", "outcome"))
    assert sorted(outcomes) == [("page", "revoked"), ("page", "valid")]


def test_the_form_sends_a_typed_code_to_its_page_and_explains_a_malformed_one(
    client: Client, issued: Issued
) -> None:
    response = client.post("/en/verify/", {"code": f"  {issued.code.lower()} "})
    assert response.status_code == 302
    assert response["Location"] == f"/en/verify/{issued.code}/"
    response = client.post("/en/verify/", {"code": "1234"})
    assert response.status_code == 422
    assert b"32 letters and digits" in response.content


def test_a_random_code_is_unknown_not_a_server_error_and_is_logged(client: Client) -> None:
    response = client.get(f"/fr/verify/{new_code()}/")
    assert response.status_code == 404
    assert SecurityEvent.objects.filter(kind="certificate-code-unknown").exists()
    assert client.get("/fr/verify/%00%ff'<script>/").status_code == 404


def test_an_unknown_code_is_explained_and_stays_in_the_field_to_correct(client: Client) -> None:
    code = new_code()
    response = client.get(f"/en/verify/{code}/")
    text = response.content.decode()
    assert response.status_code == 404
    assert "No certificate issued through Loket has this code." in text
    assert f'value="{code}"' in text and 'name="code"' in text


def test_a_mistyped_code_says_what_a_code_looks_like_and_keeps_what_was_typed(
    client: Client,
) -> None:
    response = client.get("/en/verify/ABCD-EFGH-12/")
    text = response.content.decode()
    assert response.status_code == 404
    assert "a code has 32 letters and digits, in groups of four" in text
    assert 'value="ABCD-EFGH-12"' in text
    hostile = client.get("/en/verify/%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E/")
    assert hostile.status_code == 404 and b"<script>alert(1)" not in hostile.content


@pytest.mark.parametrize(
    ("accept", "lang"),
    [("nl-BE,nl;q=0.9,en;q=0.5", "nl"), ("en-GB", "en"), ("", "fr"), ("de", "fr")],
)
def test_the_qr_address_opens_the_page_in_the_visitors_language(
    client: Client, issued: Issued, accept: str, lang: str
) -> None:
    headers = {"HTTP_ACCEPT_LANGUAGE": accept} if accept else {}
    response = client.get(f"/verify/{issued.code}/", **headers)  # type: ignore[arg-type]
    assert response.status_code == 302
    assert response["Location"] == f"/{lang}/verify/{issued.code}/"
    assert not issued.certificate.verifications.exists()  # only the page itself records a check


def test_the_certificate_prints_the_language_neutral_address(issued: Issued) -> None:
    from loket.certificates.documents import verification_url

    assert verification_url(issued.code).endswith(f"/verify/{issued.code}/")
    assert "/fr/verify/" not in verification_url(issued.code)


@pytest.mark.usefixtures("steady_rate_window")
def test_guessing_is_rate_limited_per_address_and_the_refusal_logged(
    client: Client, settings: Any
) -> None:
    settings.LOKET_VERIFY_RATE_LIMIT = (3, 3600)
    statuses = [client.get(f"/en/verify/{new_code()}/").status_code for _ in range(5)]
    assert statuses == [404, 404, 404, 429, 429]
    assert SecurityEvent.objects.filter(kind="rate-limited", detail__key__startswith="verify:")
    response = client.get(f"/en/verify/{new_code()}/")
    assert int(response["Retry-After"]) > 0


def test_the_uploaded_file_is_checked_by_seal_and_hash(client: Client, issued: Issued) -> None:
    pdf = issued.certificate.file.read()
    response = client.post(
        "/en/verify/", {"file": SimpleUploadedFile("c.pdf", pdf, "application/pdf")}
    )
    assert response.status_code == 200 and b"Authentic and valid" in response.content
    tampered = bytearray(pdf)
    tampered[pdf.index(b"stream", 1000) + 20] ^= 1
    response = client.post(
        "/en/verify/", {"file": SimpleUploadedFile("c.pdf", bytes(tampered), "application/pdf")}
    )
    assert response.status_code == 422
    assert b"not an authentic certificate" in response.content
    response = client.post(
        "/en/verify/", {"file": SimpleUploadedFile("c.pdf", b"hello", "application/pdf")}
    )
    assert response.status_code == 422 and b"not a PDF" in response.content
    channels = set(issued.certificate.verifications.values_list("channel", flat=True))
    assert channels == {Verification.Channel.UPLOAD}


def test_the_holder_sees_every_check_in_my_data_in_plain_words(
    resident_client: Client, client: Client, issued: Issued
) -> None:
    client.get(f"/en/verify/{issued.code}/")
    page = resident_client.get("/en/my-data/")
    text = page.content.decode()
    assert f"no. {issued.certificate.number} was checked on" in text
    assert "through the verification page" in text
    # And the reads of the register made to issue it are there too.
    assert issued.certificate.case.reference in text
