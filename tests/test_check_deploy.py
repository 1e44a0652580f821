"""`loket check --deploy` passes a safe production configuration and fails on each unsafe one.

The real command runs in a subprocess with a production-like environment: nothing is imported
in the test process, so what an operator sees is what is checked (exit status and message).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from loket.config import DEMO_SIGNING_KEY
from loket.core.democa import DEMO_PASSWORD, make_demo_authority


def safe_environment(tmp_path: Path) -> dict[str, str]:
    """Every setting a production deployment needs, each with a safe value."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("LOKET_", "DJANGO_"))
    }
    environment.update(
        LOKET_ENV="production",
        LOKET_DATABASE_URL="postgres://loket@db.example.internal:5432/loket",
        LOKET_SECRET_KEY=secrets.token_urlsafe(48),
        LOKET_SIGNING_KEY=secrets.token_urlsafe(48),
        LOKET_PSEUDONYM_KEY=secrets.token_urlsafe(48),
        LOKET_ENCRYPTION_KEYS=json.dumps(
            {"2026-1": base64.b64encode(secrets.token_bytes(32)).decode()}
        ),
        LOKET_ENCRYPTION_KEY_ID="2026-1",
        LOKET_BLIND_INDEX_KEY=secrets.token_urlsafe(48),
        LOKET_ALLOWED_HOSTS="loket.brussels",
        LOKET_PUBLIC_URL="https://loket.brussels",
        LOKET_PAYMENT_PROVIDERS="transfer",
        LOKET_PAYMENT_ACCOUNT=json.dumps(
            {"iban": "BE68539007547034", "bic": "BBRUBEBB", "name": "Région de Bruxelles-Capitale"}
        ),
        LOKET_OIDC_ISSUER="https://idp.iamfas.belgium.be",
        LOKET_OIDC_CLIENT_ID="loket",
        LOKET_OIDC_CLIENT_SECRET=secrets.token_urlsafe(32),
        LOKET_SOURCES=json.dumps(
            {
                "population": "loket.sources.http.HttpPopulationRegister",
                "vehicle": "loket.sources.http.HttpVehicleRegister",
                "enterprise": "loket.sources.http.HttpEnterpriseRegister",
                "social": "loket.sources.http.HttpSocialSecurityRegister",
            }
        ),
        LOKET_SECURITY_CONTACT="mailto:security@loket.brussels",
        LOKET_OPERATOR_NAME="Paradigm",
        LOKET_OPERATOR_ADDRESS="Avenue des Arts 21, 1000 Bruxelles",
        LOKET_OPERATOR_EMAIL="info@paradigm.brussels",
        LOKET_DPO_EMAIL="dpo@paradigm.brussels",
        LOKET_VAR_DIR=str(tmp_path / "var"),
        LOKET_STATIC_ROOT=str(tmp_path / "static"),
        LOKET_MEDIA_ROOT=str(tmp_path / "media"),
        **seal_environment(tmp_path / "seal", mark="Pilot"),
    )
    return environment


def seal_environment(folder: Path, mark: str) -> dict[str, str]:
    """A seal in a PKCS#12 file, its root as the trust anchor, and a timestamp authority."""
    authority = make_demo_authority(folder, mark=mark)
    return {
        "LOKET_SEAL_PKCS12": str(authority.seal),
        "LOKET_SEAL_PASSWORD": DEMO_PASSWORD.decode(),
        "LOKET_SEAL_TRUST_ANCHORS": str(authority.root),
        "LOKET_TSA_URL": "https://tsa.example.internal/tsr",
    }


def check_deploy(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "loket.cli", "check", "--deploy"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_safe_production_configuration_passes(tmp_path: Path) -> None:
    result = check_deploy(safe_environment(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "loket.E" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"LOKET_DEBUG": "1"}, "LOKET_DEBUG"),
        ({"LOKET_DATABASE_URL": "sqlite:////tmp/loket-check.sqlite3"}, "SQLite"),
        ({"LOKET_SECRET_KEY": ""}, "LOKET_SECRET_KEY is missing or is the demo key"),
        ({"LOKET_SIGNING_KEY": DEMO_SIGNING_KEY}, "LOKET_SIGNING_KEY is missing or is the demo"),
        ({"LOKET_PSEUDONYM_KEY": "short"}, "LOKET_PSEUDONYM_KEY is shorter than 32"),
        ({"LOKET_ALLOWED_HOSTS": "*"}, "LOKET_ALLOWED_HOSTS"),
        (
            {"LOKET_ENCRYPTION_KEYS": "", "LOKET_ENCRYPTION_KEY_ID": ""},
            "LOKET_ENCRYPTION_KEYS is missing or holds the demo key",
        ),
        ({"LOKET_BLIND_INDEX_KEY": ""}, "LOKET_BLIND_INDEX_KEY is missing or is the demo key"),
        ({"LOKET_SOURCES": ""}, "LOKET_SOURCES must name a real adapter for 'population'"),
        ({"LOKET_OIDC_ISSUER": ""}, "LOKET_OIDC_ISSUER is missing"),
        ({"LOKET_OIDC_ISSUER": "http://idp.example"}, "LOKET_OIDC_ISSUER must be an https://"),
        ({"LOKET_TSA_URL": ""}, "LOKET_TSA_URL is missing"),
        ({"LOKET_SEAL_PKCS12": ""}, "LOKET_SEAL_PKCS12 (or LOKET_SEAL_PKCS11_MODULE) is missing"),
        ({"LOKET_SEAL_TRUST_ANCHORS": ""}, "LOKET_SEAL_TRUST_ANCHORS is missing"),
        ({"LOKET_SEAL_PASSWORD": "wrong"}, "LOKET_SEAL_PKCS12 could not be opened"),
    ],
)
def test_each_unsafe_setting_fails_and_is_named(
    tmp_path: Path, change: dict[str, str], named: str
) -> None:
    result = check_deploy({**safe_environment(tmp_path), **change})
    assert result.returncode != 0
    assert named in result.stderr
    assert "Traceback" not in result.stderr


def test_a_key_of_few_characters_fails_although_long_enough(tmp_path: Path) -> None:
    result = check_deploy({**safe_environment(tmp_path), "LOKET_SIGNING_KEY": "ab" * 30})
    assert result.returncode != 0
    assert "loket.E001" in result.stderr
    assert "LOKET_SIGNING_KEY uses fewer than 5 different characters" in result.stderr


@pytest.mark.parametrize(
    ("weakening", "named"),
    [
        ("SESSION_COOKIE_SECURE = False", "SESSION_COOKIE_SECURE"),
        ("CSRF_COOKIE_SECURE = False", "CSRF_COOKIE_SECURE"),
        ("SECURE_HSTS_SECONDS = 0", "SECURE_HSTS_SECONDS"),
        ("SECURE_PROXY_SSL_HEADER = None", "SECURE_PROXY_SSL_HEADER"),
    ],
)
def test_settings_that_weaken_https_fail(tmp_path: Path, weakening: str, named: str) -> None:
    """A settings module derived from ours that drops an HTTPS protection is refused."""
    (tmp_path / "weakened_settings.py").write_text(f"from loket.settings import *\n{weakening}\n")
    environment = safe_environment(tmp_path)
    environment["DJANGO_SETTINGS_MODULE"] = "weakened_settings"
    environment["PYTHONPATH"] = os.pathsep.join([str(tmp_path), environment.get("PYTHONPATH", "")])
    result = check_deploy(environment)
    assert result.returncode != 0
    assert "loket.E003" in result.stderr
    assert named in result.stderr


def test_a_demo_environment_reports_what_production_would_refuse(tmp_path: Path) -> None:
    """Outside production the settings load; the deploy check still names every problem."""
    environment = {**safe_environment(tmp_path), "LOKET_ENV": "demo", "LOKET_SIGNING_KEY": ""}
    result = check_deploy(environment)
    assert result.returncode != 0
    assert "LOKET_SIGNING_KEY is missing or is the demo key" in result.stderr


def test_a_deployment_without_a_security_contact_is_refused_naming_the_setting(
    tmp_path: Path,
) -> None:
    environment = {**safe_environment(tmp_path), "LOKET_ENV": "demo", "LOKET_SECURITY_CONTACT": ""}
    result = check_deploy(environment)
    assert result.returncode != 0
    assert "LOKET_SECURITY_CONTACT is not set" in result.stderr


def test_a_demo_seal_is_refused_in_production_by_its_name(tmp_path: Path) -> None:
    environment = {**safe_environment(tmp_path), **seal_environment(tmp_path / "demo", "DEMO")}
    result = check_deploy(environment)
    assert result.returncode != 0
    assert "LOKET_SEAL_PKCS12 holds a DEMO seal certificate" in result.stderr
    assert "Traceback" not in result.stderr
