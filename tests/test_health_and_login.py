"""Health check for operators, and the demo login that exists only outside production."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.test import Client, override_settings

HEALTH_WITH_DATABASE_DOWN = """
import django, json
django.setup()
from django.test import Client
response = Client().get("/healthz")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


def test_healthz_answers_503_naming_the_database_when_it_is_down() -> None:
    env = {
        **os.environ,
        "LOKET_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "loket.settings",
        # Nothing listens on port 9 of the loopback: the connection is refused at once.
        "LOKET_TEST_DATABASE_URL": "postgres://postgres@127.0.0.1:9/loket",
    }
    result = subprocess.run(
        [sys.executable, "-c", HEALTH_WITH_DATABASE_DOWN],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert answer["body"]["status"] == "unavailable"
    assert answer["body"]["database"] == "down"


@pytest.mark.django_db
def test_demo_login_does_not_exist_in_production(client: Client) -> None:
    with override_settings(LOKET_ENV="production"):
        assert client.get("/en/demo-login/").status_code == 404
        assert client.post("/en/demo-login/", {"identity": "resident"}).status_code == 404
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_demo_login_lists_the_named_identities(client: Client) -> None:
    page = client.get("/fr/demo-login/").content.decode()
    for name in ("Amina El Amrani", "Pieter Janssens", "Karim Benali", "Nadia Haddad"):
        assert name in page


@pytest.mark.django_db
def test_demo_login_refuses_to_redirect_off_site(client: Client) -> None:
    response = client.post(
        "/en/demo-login/", {"identity": "resident", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/en/my-cases/"


@pytest.mark.django_db
def test_logout_is_a_post_and_ends_the_session(client: Client) -> None:
    client.post("/en/demo-login/", {"identity": "resident"})
    assert client.get("/en/logout/").status_code == 405
    client.post("/en/logout/")
    assert "_auth_user_id" not in client.session
