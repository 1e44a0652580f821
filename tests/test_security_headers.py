"""Security headers on every response (Content-Security-Policy without inline script or style
attributes, Permissions-Policy, nosniff, COOP, Referrer-Policy), on representative pages."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from loket.doors.models import Door
from loket.opendata.publish import publish
from loket.web.security import content_security_policy, origin_of
from tests.test_opendata import UNTIL, seed_statistics

PARKING = "/en/procedures/residents-parking-card/apply/"


def directives(policy: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_security_headers(response: object, url: str) -> dict[str, list[str]]:
    headers = response.headers  # type: ignore[attr-defined]
    assert "Content-Security-Policy" in headers, url
    csp = directives(headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"], url
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in headers["Content-Security-Policy"]
    assert csp["style-src"][0] == "'self'" and all(
        value == "'self'" or value.startswith("'nonce-") for value in csp["style-src"]
    )
    assert csp["img-src"][:2] == ["'self'", "data:"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"][0] == "'self'"
    assert csp["base-uri"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = headers["Permissions-Policy"]
    for feature in ("geolocation", "camera", "microphone", "payment"):
        assert f"{feature}=()" in permissions
    assert headers["X-Frame-Options"] == "DENY"
    return csp


def assert_no_inline_script_or_style(html: str, nonce: str, url: str) -> None:
    # Every script is a file. A JSON-LD data block (structured data for search engines) is
    # not a script: browsers never run it, and the CSP does not apply to it.
    data_block = r'type="application/ld\+json"'
    assert not re.search(rf"<script(?![^>]*\b(?:src=|{data_block}))[^>]*>", html), url
    assert not re.search(r"\son[a-z]+\s*=", html), url  # no event handler attributes
    assert not re.search(r"<[^>]+\sstyle\s*=", html), url  # no style attributes
    for tag in re.findall(r"<style\b[^>]*>", html):
        assert f'nonce="{nonce}"' in tag, url


@pytest.fixture
def release(settings: SettingsWrapper, tmp_path: Path, db: None) -> object:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.LOKET_PUBLIC_URL = ""
    seed_statistics()
    return publish(now=UNTIL + timedelta(days=27, hours=15, minutes=30))


@pytest.mark.django_db
def test_representative_pages_carry_the_security_headers(
    resident_client: Client, release: object
) -> None:
    region = Door.objects.get(pk="region")
    region.accent = "#7a1f5c"  # the door's nonced style
    region.save()  # saved, not updated: the doors held in memory follow
    assert resident_client.post(PARKING, {"use_registers": "yes"}).status_code == 302
    pages = [
        "/en/",
        "/en/procedures/residents-parking-card/",
        f"{PARKING}q/vehicle/",
        f"{PARKING}q/start/",
        "/en/search/?q=parking",
        "/en/open-data/",
        "/en/incidents/",
        "/en/design-system/",
        "/en/privacy/",
    ]
    for url in pages:
        response = resident_client.get(url)
        assert response.status_code == 200, url
        csp = assert_security_headers(response, url)
        nonce = response.wsgi_request.csp_nonce  # type: ignore[attr-defined]
        assert f"'nonce-{nonce}'" in csp["style-src"]
        assert_no_inline_script_or_style(response.content.decode(), nonce, url)
    charts = resident_client.get("/en/open-data/").content.decode()
    assert 'class="chart-svg"' in charts and 'class="chart-bar"' in charts


@pytest.mark.django_db
def test_the_accent_style_element_carries_the_response_nonce(client: Client) -> None:
    region = Door.objects.get(pk="region")
    region.accent = "#7a1f5c"  # the door's nonced style
    region.save()  # saved, not updated: the doors held in memory follow
    first, second = client.get("/en/"), client.get("/en/")
    nonces = [r.wsgi_request.csp_nonce for r in (first, second)]  # type: ignore[attr-defined]
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 16
    assert f'<style nonce="{nonces[0]}">' in first.content.decode()


@pytest.mark.django_db
def test_json_files_errors_and_redirects_carry_the_headers(client: Client) -> None:
    for url, status in [
        ("/api/v1/addresses/?q=rue", 200),
        ("/healthz", 200),
        ("/en/no-such-page/", 404),
        ("/en/my-cases/", 302),
        ("/urbis/feed.csv", 401),
    ]:
        response = client.get(url)
        assert response.status_code == status, url
        assert_security_headers(response, url)


def test_map_tiles_and_identity_providers_are_the_only_other_origins(
    settings: SettingsWrapper,
) -> None:
    settings.LOKET_MAP_TILES_URL = "https://{s}.tiles.example.brussels/wmts/{z}/{x}/{y}.png"
    settings.LOKET_OIDC = None
    settings.LOKET_OIDC_AGENT = None
    csp = directives(content_security_policy("abc"))
    assert csp["img-src"] == ["'self'", "data:", "https://*.tiles.example.brussels"]
    assert csp["form-action"] == ["'self'"]
    assert csp["style-src"] == ["'self'", "'nonce-abc'"]
    settings.LOKET_MAP_TILES_URL = ""
    assert directives(content_security_policy("abc"))["img-src"] == ["'self'", "data:"]


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        (
            "https://geoservices-urbis.irisnet.be/geoserver/gwc/service/wmts?x=1",
            "https://geoservices-urbis.irisnet.be",
        ),
        ("http://localhost:8080/{z}/{x}/{y}.png", "http://localhost:8080"),
        ("javascript:alert(1)", ""),
        ("https://evil.example; script-src *", ""),
        ("", ""),
    ],
)
def test_origin_of_never_lets_a_directive_through(url: str, origin: str) -> None:
    assert origin_of(url) == origin


def test_hsts_is_set_in_production() -> None:
    settings_text = (Path(__file__).parents[1] / "src/loket/settings.py").read_text()
    assert 'if LOKET_ENV == "production":' in settings_text
    assert "SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365" in settings_text


@pytest.mark.django_db
def test_logs_carry_no_national_number_secret_or_session_key(
    caplog: pytest.LogCaptureFixture, settings: SettingsWrapper
) -> None:
    from tests.conftest import demo_user
    from tests.test_cases import apply_for_parking_card

    caplog.set_level(logging.DEBUG)
    security_log = logging.getLogger("loket.security")  # does not propagate to the root
    security_log.addHandler(caplog.handler)
    client = Client()
    assert client.post("/en/demo-login/", {"identity": "resident"}).status_code == 302
    case = apply_for_parking_card(client)
    client.get("/en/no-such-page/")
    client.get(f"/en/back-office/cases/{case.reference}/")
    security_log.removeHandler(caplog.handler)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Forbidden" in logged or "Not Found" in logged  # the capture works
    national_number = demo_user("resident").national_number
    assert national_number and national_number not in logged
    assert settings.SECRET_KEY not in logged
    assert client.cookies["sessionid"].value not in logged
