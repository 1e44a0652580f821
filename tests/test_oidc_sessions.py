"""Login refusals, lockout after repeated failures, session rotation and the session time limits."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, RequestFactory
from django.utils import timezone
from pytest_django.fixtures import Settings

from loket.accounts.authentication import log_in
from loket.accounts.flow import ATTEMPT_SECONDS, ATTEMPTS_KEY
from loket.accounts.lockout import FAILURE_LIMIT, WINDOW, record_failure, retry_after
from loket.accounts.middleware import LAST_SEEN_KEY, STARTED_KEY
from loket.accounts.models import LoginFailure
from loket.audit.models import SecurityEvent
from loket.config import OidcClient
from loket.forms.models import Draft
from tests.conftest import demo_user

CLIENT = OidcClient("https://fas.example.be", "loket", "secret")


def with_attempt(client: Client, state: str, started: int | None = None) -> None:
    session = client.session
    session[ATTEMPTS_KEY] = {
        state: {
            "provider": "resident",
            "nonce": "n",
            "verifier": "v" * 64,
            "next": "",
            "started": started or int(time.time()),
        }
    }
    session.save()


def kinds() -> list[str]:
    return list(SecurityEvent.objects.values_list("kind", flat=True))


@pytest.mark.django_db
def test_a_callback_without_a_known_state_is_refused_with_a_clear_page_and_an_event() -> None:
    response = Client().get("/oidc/callback/?code=abc&state=forged", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "This login link is no longer valid" in response.content.decode()
    assert kinds() == ["oidc_state_invalid"]
    assert LoginFailure.objects.count() == 1


@pytest.mark.django_db
def test_a_login_attempt_older_than_ten_minutes_is_refused(settings: Settings) -> None:
    settings.LOKET_OIDC = CLIENT
    client = Client()
    with_attempt(client, "s1", started=int(time.time()) - ATTEMPT_SECONDS - 1)
    response = client.get("/oidc/callback/?code=abc&state=s1")
    assert response.status_code == 400
    assert kinds() == ["oidc_login_expired"]


@pytest.mark.django_db
def test_an_error_from_the_provider_is_refused_and_its_state_cannot_be_used_again(
    settings: Settings,
) -> None:
    settings.LOKET_OIDC = CLIENT
    client = Client()
    with_attempt(client, "s2")
    assert client.get("/oidc/callback/?error=access_denied&state=s2").status_code == 400
    assert client.get("/oidc/callback/?code=abc&state=s2").status_code == 400
    assert kinds() == ["oidc_state_invalid", "oidc_provider_error"]  # newest first
    assert SecurityEvent.objects.get(kind="oidc_provider_error").detail["error"] == "access_denied"


@pytest.mark.django_db
def test_an_answer_naming_another_issuer_is_refused_as_a_mix_up(settings: Settings) -> None:
    settings.LOKET_OIDC = CLIENT
    client = Client()
    with_attempt(client, "s3")
    response = client.get("/oidc/callback/?code=abc&state=s3&iss=https://evil.example")
    assert response.status_code == 400
    assert SecurityEvent.objects.get().detail["error"] == "issuer mismatch"


@pytest.mark.django_db
def test_ten_failures_from_one_address_lock_it_out_with_429_and_retry_after() -> None:
    for _ in range(FAILURE_LIMIT - 1):
        record_failure("203.0.113.9", "", "oidc_state_invalid")
    assert retry_after("203.0.113.9") is None
    record_failure("203.0.113.9", "", "oidc_state_invalid")
    wait = retry_after("203.0.113.9")
    assert wait is not None and 0 < wait <= WINDOW.total_seconds() + 1
    assert retry_after("198.51.100.7") is None  # another address may still log in
    assert kinds().count("login_locked_out") == 1

    client = Client(REMOTE_ADDR="203.0.113.9", HTTP_ACCEPT_LANGUAGE="en")
    response = client.get("/oidc/callback/?code=abc&state=s")
    assert response.status_code == 429
    assert int(response["Retry-After"]) == wait or int(response["Retry-After"]) == wait - 1
    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.django_db
def test_ten_failures_on_one_account_lock_the_account_from_any_address() -> None:
    for number in range(FAILURE_LIMIT):
        record_failure(f"192.0.2.{number}", "account-pseudonym", "oidc_nonce_mismatch")
    assert retry_after("192.0.2.200", "account-pseudonym") is not None
    assert retry_after("192.0.2.200", "another-account") is None


@pytest.mark.django_db
def test_failures_older_than_the_window_no_longer_count() -> None:
    for _ in range(FAILURE_LIMIT):
        record_failure("203.0.113.10", "", "oidc_state_invalid")
    LoginFailure.objects.update(created_at=timezone.now() - WINDOW - timedelta(seconds=1))
    assert retry_after("203.0.113.10") is None


@pytest.mark.django_db
def test_logging_in_rotates_the_session_key() -> None:
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.session[ATTEMPTS_KEY] = {}
    request.session.save()
    before = request.session.session_key
    log_in(request, demo_user("resident"), method="oidc-resident")
    assert request.session.session_key != before
    assert not SessionStore().exists(before or "")


def logged_in_client(**session_values: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(demo_user("resident"))
    session = client.session
    session.update(session_values)
    session.save()
    return client


@pytest.mark.django_db
def test_an_idle_session_ends_and_sends_to_login_with_a_message_keeping_the_draft() -> None:
    now = int(time.time())
    client = logged_in_client(**{STARTED_KEY: now - 3600, LAST_SEEN_KEY: now - 31 * 60})
    drafts = Draft.objects.count()
    response = client.get("/en/my-cases/", follow=True)
    assert response.redirect_chain[0] == ("/en/account/login/?next=%2Fen%2Fmy-cases%2F", 302)
    assert "Your session has expired" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    assert Draft.objects.count() == drafts


@pytest.mark.django_db
def test_a_session_ends_after_eight_hours_however_active() -> None:
    now = int(time.time())
    client = logged_in_client(**{STARTED_KEY: now - 8 * 3600 - 1, LAST_SEEN_KEY: now})
    assert client.get("/en/my-cases/").status_code == 302


@pytest.mark.django_db
def test_an_active_session_goes_on_and_the_limits_are_settings(settings: Settings) -> None:
    now = int(time.time())
    client = logged_in_client(**{STARTED_KEY: now - 3600, LAST_SEEN_KEY: now - 29 * 60})
    assert client.get("/en/my-cases/").status_code == 200
    assert client.session[LAST_SEEN_KEY] >= now
    settings.LOKET_SESSION_IDLE_MINUTES = 5
    session = client.session
    session[LAST_SEEN_KEY] = now - 6 * 60
    session.save()
    assert client.get("/en/my-cases/").status_code == 302


@pytest.mark.django_db
def test_the_login_page_offers_the_configured_providers_and_the_demo_in_demo_mode(
    settings: Settings,
) -> None:
    page = Client().get("/en/account/login/").content.decode()
    assert "Log in with eID or itsme" not in page
    assert "Log in as an invented person" in page
    settings.LOKET_OIDC = CLIENT
    settings.LOKET_OIDC_AGENT = CLIENT
    page = Client().get("/en/account/login/").content.decode()
    assert "Log in with eID or itsme" in page and "Civil servant login" in page
    settings.LOKET_ENV = "production"
    page = Client().get("/en/account/login/").content.decode()
    assert "Log in as an invented person" not in page


@pytest.mark.django_db
def test_starting_an_unconfigured_login_is_404_and_logout_without_a_provider_goes_home() -> None:
    assert Client().post("/en/account/login/agent/").status_code == 404
    response = logged_in_client().post("/en/account/logout/")
    assert (response.status_code, response["Location"]) == (302, "/en/")
