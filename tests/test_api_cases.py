"""The cases API for an administration's systems: tokens and scopes, tenancy, ETags/If-Match,
documents, problem+json, rate limits."""

from __future__ import annotations

import base64
from collections.abc import Sequence

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from loket.api.clients import do_create_api_client, do_revoke_api_client
from loket.api.models import ApiClient
from loket.audit.models import SecurityEvent
from loket.cases.models import Case
from loket.core.models import Administration
from tests.conftest import client_for
from tests.test_cases import apply_for_parking_card

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def token_for(administration: str, scopes: Sequence[str] = ("cases:read", "cases:write")) -> str:
    _client, token = do_create_api_client(
        Administration.objects.get(id=administration), "Parking back-end", scopes
    )
    return token


def api(token: str) -> Client:
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def case(db: None) -> Case:
    return apply_for_parking_card(client_for("resident"))


def test_missing_invalid_or_revoked_token_gets_401_with_www_authenticate(case: Case) -> None:
    assert Client().get("/api/v1/cases/").status_code == 401
    wrong = api("lkt_nonsense").get("/api/v1/cases/")
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"].startswith("Bearer")
    assert wrong["Content-Type"] == "application/problem+json"
    token = token_for("parking-brussels")
    assert api(token).get("/api/v1/cases/").status_code == 200
    do_revoke_api_client(ApiClient.objects.get())
    assert api(token).get("/api/v1/cases/").status_code == 401
    assert SecurityEvent.objects.filter(kind="api-token-refused").exists()


def test_a_token_without_the_scope_gets_403(case: Case) -> None:
    reader = api(token_for("parking-brussels", ["webhooks"]))
    assert reader.get("/api/v1/cases/").status_code == 403
    read_only = api(token_for("parking-brussels", ["cases:read"]))
    refused = read_only.post(
        f"/api/v1/cases/{case.reference}/status/", {"status": "in_progress"},
        content_type="application/json", HTTP_IF_MATCH='"x"',
    )  # fmt: skip
    assert refused.status_code == 403


def test_another_administrations_token_gets_404_and_the_attempt_is_logged(case: Case) -> None:
    other = Administration.objects.exclude(id="parking-brussels").first()
    assert other is not None
    stranger = api(token_for(other.id))
    answer = stranger.get(f"/api/v1/cases/{case.reference}/")
    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/problem+json"
    assert SecurityEvent.objects.filter(kind="case-outside-tenancy").exists()
    assert stranger.get("/api/v1/cases/").json()["count"] == 0


def test_the_list_shows_only_own_cases_with_filters(case: Case) -> None:
    client = api(token_for("parking-brussels"))
    listed = client.get("/api/v1/cases/").json()
    assert [c["reference"] for c in listed["results"]] == [case.reference]
    assert client.get("/api/v1/cases/?status=approved").json()["count"] == 0
    assert client.get("/api/v1/cases/?submitted_after=2000-01-01").json()["count"] == 1
    assert client.get("/api/v1/cases/?submitted_before=2000-01-01").json()["count"] == 0
    bad = client.get("/api/v1/cases/?submitted_after=yesterday")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "submitted_after"


def test_if_match_missing_428_mismatch_412_match_200_with_a_new_etag(case: Case) -> None:
    client = api(token_for("parking-brussels"))
    url = f"/api/v1/cases/{case.reference}/"
    read = client.get(url)
    etag = read["ETag"]
    assert read.json()["status"] == "submitted"
    body = {"status": "in_progress", "note": "Picked up"}
    missing = client.post(url + "status/", body, content_type="application/json")
    assert missing.status_code == 428
    stale = client.post(
        url + "status/", body, content_type="application/json", HTTP_IF_MATCH='"stale"'
    )
    assert stale.status_code == 412
    done = client.post(url + "status/", body, content_type="application/json", HTTP_IF_MATCH=etag)
    assert done.status_code == 200
    assert done.json()["status"] == "in_progress"
    assert done["ETag"] != etag
    assert done.json()["history"][-1]["actor"] == "Parking back-end"
    # The old ETag no longer works: the second writer learns that the case changed.
    again = client.post(url + "status/", body, content_type="application/json", HTTP_IF_MATCH=etag)
    assert again.status_code == 412


def test_a_decision_with_a_pdf_document(case: Case) -> None:
    client = api(token_for("parking-brussels"))
    url = f"/api/v1/cases/{case.reference}/"
    etag = client.get(url)["ETag"]
    document = {"name": "decision.pdf", "content_base64": base64.b64encode(PDF).decode()}
    decided = client.post(
        url + "decision/", {"status": "approved", "note": "Granted", "documents": [document]},
        content_type="application/json", HTTP_IF_MATCH=etag,
    )  # fmt: skip
    assert decided.status_code == 200, decided.content
    body = decided.json()
    assert body["status"] == "approved"
    sent = body["messages"][-1]["documents"][0]
    assert sent["content_type"] == "application/pdf"
    download = client.get(sent["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    # The applicant sees the decision with its document in the case page.
    page = client_for("resident").get(f"/en/my-cases/{case.reference}/")
    assert page.status_code == 200


def test_a_document_that_is_not_what_it_says_is_refused_with_the_field_named(case: Case) -> None:
    client = api(token_for("parking-brussels"))
    url = f"/api/v1/cases/{case.reference}/"
    etag = client.get(url)["ETag"]
    fake = {"name": "decision.pdf", "content_base64": base64.b64encode(b"MZ\x90\x00").decode()}
    refused = client.post(
        url + "messages/", {"body": "Here", "documents": [fake]},
        content_type="application/json", HTTP_IF_MATCH=etag,
    )  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "documents[0].content_base64"


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"[1, 2]", b'{"status": 5}', b'{"status": "' + b"x" * 100 + b'"}', b"\xff\xfe"],
)
def test_bad_input_is_a_4xx_problem_never_a_500(case: Case, raw: bytes) -> None:
    client = api(token_for("parking-brussels"))
    url = f"/api/v1/cases/{case.reference}/"
    etag = client.get(url)["ETag"]
    answer = client.post(url + "status/", raw, content_type="application/json", HTTP_IF_MATCH=etag)
    assert 400 <= answer.status_code < 500
    assert answer["Content-Type"] == "application/problem+json"
    assert api(token_for("parking-brussels")).get("/api/v1/cases/BRU-0/").status_code == 404


@pytest.mark.usefixtures("steady_rate_window")
@override_settings(LOKET_API_RATE_LIMIT=(2, 60))
def test_a_client_over_its_rate_limit_gets_429_then_is_allowed_later(case: Case) -> None:
    from datetime import timedelta

    from django.db.models import F

    from loket.core.models import RateCounter
    from loket.core.ratelimit import forget_old_counters

    client = api(token_for("parking-brussels"))
    assert client.get("/api/v1/cases/").status_code == 200
    assert client.get("/api/v1/cases/").status_code == 200
    limited = client.get("/api/v1/cases/")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) <= 61
    assert SecurityEvent.objects.filter(kind="rate-limited").exists()
    # The window passes (moved back in time rather than waiting a minute).
    RateCounter.objects.update(window_start=F("window_start") - timedelta(minutes=2))
    assert client.get("/api/v1/cases/").status_code == 200
    # The hourly task forgets the windows that ended more than a day ago, and only those.
    before = RateCounter.objects.count()
    RateCounter.objects.filter(count=3).update(window_start=F("window_start") - timedelta(days=2))
    forget_old_counters({})
    assert not RateCounter.objects.filter(count=3).exists()
    assert RateCounter.objects.count() == before - 1


@pytest.mark.usefixtures("steady_rate_window")
@override_settings(LOKET_SUBMISSION_RATE_LIMIT=(1, 3600))
def test_submitting_too_often_gets_a_translated_page_and_keeps_the_draft(db: None) -> None:
    from loket.forms.models import Draft

    resident = client_for("resident")
    apply_for_parking_card(resident)
    with pytest.raises(AssertionError):
        apply_for_parking_card(resident, plate="2-XYZ-789")
    refused = resident.post(
        "/en/procedures/residents-parking-card/apply/check/",
        {"idempotency_key": str(Draft.objects.get().idempotency_key)},
    )
    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert "nothing you entered is lost" in refused.content.decode()
    assert Draft.objects.count() == 1


def test_the_command_prints_the_token_once_and_stores_only_its_hash(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command(
        "api-client",
        "create",
        "--administration",
        "parking-brussels",
        "--name",
        "Back-end",
        "--scope",
        "cases:read",
    )
    token = capsys.readouterr().out.strip().splitlines()[-1]
    stored = ApiClient.objects.get()
    assert token not in stored.token_sha256
    assert api(token).get("/api/v1/cases/").status_code == 200
    call_command("api-client", "revoke", str(stored.pk))
    assert api(token).get("/api/v1/cases/").status_code == 401


@pytest.mark.parametrize(
    "query",
    ["page=%C2%B2", "page_size=0", "submitted_after=0001-01-01T00:00:00", "procedure=a%00b",
     "status=nope", "submitted_before=9999-12-31T23:59:59-14:00"],
)  # fmt: skip
def test_odd_query_values_are_422_not_500(case: Case, query: str) -> None:
    answer = api(token_for("parking-brussels")).get(f"/api/v1/cases/?{query}")
    assert answer.status_code == 422, answer.content
    assert answer.json()["errors"][0]["field"] == query.split("=")[0]


def test_a_nul_character_in_a_reference_is_a_404(case: Case) -> None:
    assert api(token_for("parking-brussels")).get("/api/v1/cases/BRU%00/").status_code == 404
