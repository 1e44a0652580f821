"""Logging in through a real OpenID provider (oidc-provider, tests/oidc_provider), in Chromium.

The provider runs for the whole session on 127.0.0.1 with Loket's two clients registered; each
test writes the people it may log in (the resident's national number comes from the seeded demo
resident) and points Loket's settings at it.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from importlib import import_module
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings as SettingsWrapper

from loket.accounts.middleware import LAST_SEEN_KEY
from loket.accounts.models import ExternalIdentity
from loket.audit.models import SecurityEvent
from loket.config import OidcClient
from loket.core.models import Membership, User
from loket.forms.models import Draft
from tests.conftest import demo_user
from tests.e2e.journeys import door_base
from tests.oidc_provider.harness import RunningProvider, missing_requirement, running_provider

RESIDENT_SECRET = "resident-client-secret-for-tests"
AGENT_SECRET = "agent-client-secret-for-tests"
DOOR_HOSTS = ("ixelles.localhost", "schaerbeek.localhost")
AGENT_GROUPS = {"parking-agents": {"administration": "parking-brussels", "role": "agent"}}


@pytest.fixture(scope="session")
def oidc_provider(live_server: Any) -> Iterator[RunningProvider]:
    problem = missing_requirement()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{problem}; .ci/run installs it")
        pytest.skip(problem)
    # Each door is its own origin: its callback is registered with the provider (#18).
    bases = [str(live_server), *(door_base(live_server, host) for host in DOOR_HOSTS)]
    clients = [
        {
            "client_id": "loket",
            "client_secret": RESIDENT_SECRET,
            "redirect_uris": [f"{base}/oidc/callback/" for base in bases],
            "post_logout_redirect_uris": [f"{base}/oidc/logged-out/" for base in bases],
        },
        {
            "client_id": "loket-agents",
            "client_secret": AGENT_SECRET,
            "redirect_uris": [f"{base}/oidc/agent/callback/" for base in bases],
            "post_logout_redirect_uris": [f"{base}/oidc/logged-out/" for base in bases],
        },
    ]
    with running_provider(clients) as provider:
        yield provider


@pytest.fixture
def provider(
    oidc_provider: RunningProvider, seeded_transactional: None, settings: SettingsWrapper
) -> RunningProvider:
    resident = demo_user("resident")
    oidc_provider.set_accounts(
        {
            "resident": {
                "given_name": resident.first_name,
                "family_name": resident.last_name,
                "national_number": resident.national_number,
            },
            "agent": {
                "given_name": "Chloé",
                "family_name": "Vandamme",
                "groups": ["parking-agents", "coffee-club"],
            },
        }
    )
    settings.LOKET_OIDC = OidcClient(oidc_provider.issuer, "loket", RESIDENT_SECRET)
    settings.LOKET_OIDC_AGENT = OidcClient(
        oidc_provider.issuer,
        "loket-agents",
        AGENT_SECRET,
        national_number_claim="",
        groups_claim="groups",
        groups=AGENT_GROUPS,
    )
    cache.clear()
    return oidc_provider


def sign_in_at_provider(page: Page, login: str) -> None:
    """The provider's development login and consent pages."""
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/interaction/"))
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def log_in(page: Page, base: str, login: str, button: str = "Log in with eID or itsme") -> None:
    page.goto(f"{base}/en/account/login/")
    page.get_by_role("button", name=button).click()
    sign_in_at_provider(page, login)


def session_cookie(page: Page) -> str:
    cookies = page.context.cookies()
    return next(c["value"] for c in cookies if c["name"] == django_settings.SESSION_COOKIE_NAME)


def events(kind: str) -> int:
    return SecurityEvent.objects.filter(kind=kind).count()


def test_a_resident_logs_in_as_the_demo_resident_applies_and_logs_out_everywhere(
    page: Page, live_server: Any, provider: RunningProvider
) -> None:
    base = str(live_server)
    page.goto(f"{base}/en/account/login/")
    expect(page.get_by_role("link", name="Log in as an invented person")).to_be_visible()
    page.get_by_role("button", name="Log in with eID or itsme").click()
    before_login = session_cookie(page)  # the session holding the login attempt
    sign_in_at_provider(page, "resident")

    expect(page).to_have_url(f"{base}/en/my-cases/")
    assert session_cookie(page) != before_login  # the session key was rotated at login
    resident = demo_user("resident")
    assert User.objects.filter(national_number=resident.national_number).count() == 1
    assert ExternalIdentity.objects.get(issuer=provider.issuer, subject="resident").user == resident

    page.goto(f"{base}/en/procedures/residents-parking-card/apply/")
    expect(page.get_by_role("button", name=f"Log out ({resident.display_name})")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # Logout: here, then at the provider, which sends the browser back to Loket.
    page.goto(f"{base}/en/account/login/")
    page.locator("main").get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/\w\w/$"))
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    # The provider forgot the resident too: logging in asks for the login again.
    page.goto(f"{base}/en/account/login/")
    page.get_by_role("button", name="Log in with eID or itsme").click()
    expect(page.locator("input[name=login]")).to_be_visible()


def test_a_resident_logs_in_through_the_provider_on_a_municipal_door(
    page: Page, live_server: Any, provider: RunningProvider
) -> None:
    """The callback is the door's own: the browser comes back to Ixelles' host, logged in there
    only, under Ixelles' brand."""
    ixelles = door_base(live_server, "ixelles.localhost")
    log_in(page, ixelles, "resident")
    expect(page).to_have_url(f"{ixelles}/en/my-cases/")
    expect(page.locator("header .brand")).to_have_text("e-Counter Ixelles")
    resident = demo_user("resident")
    expect(page.get_by_role("button", name=f"Log out ({resident.display_name})")).to_be_visible()
    page.goto(f"{live_server}/en/my-cases/")  # the region's door: another site
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")


def test_a_civil_servant_lands_in_the_parking_brussels_queue_with_the_membership_of_the_group(
    page: Page, live_server: Any, provider: RunningProvider
) -> None:
    base = str(live_server)
    log_in(page, base, "agent", button="Civil servant login")

    expect(page).to_have_url(f"{base}/en/back-office/")
    expect(page.get_by_role("heading", name="Cases to handle")).to_be_visible()
    expect(page.locator("main")).to_contain_text("parking.brussels")
    agent = ExternalIdentity.objects.get(issuer=provider.issuer, subject="agent").user
    assert agent.get_full_name() == "Chloé Vandamme"
    assert set(Membership.objects.filter(user=agent).values_list("administration_id", "role")) == {
        ("parking-brussels", "agent")
    }


def test_an_id_token_altered_on_the_way_is_refused_with_a_clear_page(
    page: Page, live_server: Any, provider: RunningProvider
) -> None:
    provider.tamper_next_id_token()
    log_in(page, str(live_server), "resident")

    expect(page.get_by_role("heading", level=1)).to_have_text("The login could not be verified")
    assert events("oidc_token_invalid") == 1
    assert SecurityEvent.objects.get(kind="oidc_token_invalid").detail["reason"] == "signature"
    expect(page.get_by_role("button", name=re.compile("^Log out"))).to_have_count(0)


def test_an_id_token_for_another_login_attempt_wrong_nonce_is_refused(
    page: Page, live_server: Any, provider: RunningProvider
) -> None:
    base = str(live_server)
    page.goto(f"{base}/en/account/login/")
    page.get_by_role("button", name="Log in with eID or itsme").click()
    # Swap the nonce Loket expects, as if the token had been issued for another attempt.
    store = import_module(django_settings.SESSION_ENGINE).SessionStore(session_cookie(page))
    store["loket_oidc_attempts"] = {
        state: {**attempt, "nonce": "another-attempt"}
        for state, attempt in store["loket_oidc_attempts"].items()
    }
    store.save()
    sign_in_at_provider(page, "resident")

    expect(page.get_by_role("heading", level=1)).to_have_text("The login could not be verified")
    assert events("oidc_nonce_mismatch") == 1


def test_a_replayed_callback_is_refused_with_a_clear_page(
    page: Page, live_server: Any, provider: RunningProvider
) -> None:
    base = str(live_server)
    callbacks: list[str] = []
    page.on("request", lambda r: callbacks.append(r.url) if "/oidc/callback/" in r.url else None)
    log_in(page, base, "resident")
    expect(page).to_have_url(f"{base}/en/my-cases/")

    response = page.goto(callbacks[0])
    assert response is not None and response.status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("This login link is no longer valid")
    assert events("oidc_state_invalid") == 1


def test_an_idle_session_sends_the_resident_to_login_with_a_message_and_keeps_the_draft(
    page: Page, live_server: Any, provider: RunningProvider
) -> None:
    base = str(live_server)
    log_in(page, base, "resident")
    page.goto(f"{base}/en/procedures/residents-parking-card/apply/")
    assert Draft.objects.filter(user=demo_user("resident")).count() == 1

    store = import_module(django_settings.SESSION_ENGINE).SessionStore(session_cookie(page))
    store[LAST_SEEN_KEY] = int(time.time()) - 31 * 60
    store.save()
    page.goto(f"{base}/en/my-cases/")

    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/en/account/login/\?next="))
    expect(page.locator("main")).to_contain_text("Your session has expired")
    page.get_by_role("button", name="Log in with eID or itsme").click()
    # Still logged in at the provider (single sign-on): straight back to the page asked for.
    expect(page).to_have_url(f"{base}/en/my-cases/")
    assert Draft.objects.filter(user=demo_user("resident")).count() == 1
