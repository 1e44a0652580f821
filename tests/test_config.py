"""Production refuses to start on anything unsafe, and says what is wrong."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import pytest

from loket.config import DEMO_SECRET_KEY, ConfigurationError, load

SAFE = {
    "LOKET_ENV": "production",
    "LOKET_DATABASE_URL": "postgres://loket@db.example.internal:5432/loket",
    "LOKET_SECRET_KEY": "s" * 50,
    "LOKET_SIGNING_KEY": "k" * 50,
    "LOKET_PSEUDONYM_KEY": "p" * 50,
    "LOKET_ENCRYPTION_KEYS": json.dumps({"2026": base64.b64encode(b"k" * 32).decode()}),
    "LOKET_ENCRYPTION_KEY_ID": "2026",
    "LOKET_BLIND_INDEX_KEY": "b" * 50,
    "LOKET_ALLOWED_HOSTS": "loket.brussels",
    "LOKET_PUBLIC_URL": "https://loket.brussels",
    "LOKET_OIDC_ISSUER": "https://idp.iamfas.belgium.be",
    "LOKET_OIDC_CLIENT_ID": "loket",
    "LOKET_OIDC_CLIENT_SECRET": "s" * 40,
    "LOKET_SOURCES": json.dumps(
        {
            "population": "loket.sources.http.HttpPopulationRegister",
            "vehicle": "loket.sources.http.HttpVehicleRegister",
            "enterprise": "loket.sources.http.HttpEnterpriseRegister",
            "social": "loket.sources.http.HttpSocialSecurityRegister",
        }
    ),
    "LOKET_SOURCE_ENDPOINTS": json.dumps(
        {"population": {"url": "https://gw.internal/population", "token": "t"}}
    ),
    "LOKET_PAYMENT_PROVIDERS": "transfer",
    "LOKET_PAYMENT_ACCOUNT": json.dumps(
        {"iban": "BE68539007547034", "bic": "BBRUBEBB", "name": "Région de Bruxelles-Capitale"}
    ),
    "LOKET_SEAL_PKCS12": "/etc/loket/seal.p12",
    "LOKET_SEAL_PASSWORD": "p" * 20,
    "LOKET_SEAL_TRUST_ANCHORS": "/etc/loket/seal-roots.pem",
    "LOKET_TSA_URL": "https://tsa.example.internal/tsr",
    "LOKET_SECURITY_CONTACT": "mailto:security@loket.brussels",
    "LOKET_OPERATOR_NAME": "Paradigm",
    "LOKET_OPERATOR_ADDRESS": "Avenue des Arts 21, 1000 Bruxelles",
    "LOKET_OPERATOR_NUMBER": "0000.000.000",
    "LOKET_OPERATOR_EMAIL": "info@paradigm.brussels",
    "LOKET_DPO_EMAIL": "dpo@paradigm.brussels",
}


def test_a_complete_production_configuration_is_accepted() -> None:
    config = load(SAFE)
    assert config.env == "production"
    assert not config.debug


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"LOKET_DEBUG": "1"}, "LOKET_DEBUG"),
        ({"LOKET_DATABASE_URL": "sqlite:////tmp/loket.sqlite3"}, "SQLite"),
        ({"LOKET_SECRET_KEY": ""}, "LOKET_SECRET_KEY is missing or is the demo key"),
        ({"LOKET_SECRET_KEY": DEMO_SECRET_KEY}, "LOKET_SECRET_KEY is missing or is the demo key"),
        ({"LOKET_PSEUDONYM_KEY": "short"}, "LOKET_PSEUDONYM_KEY is shorter than 32"),
        ({"LOKET_ALLOWED_HOSTS": "*"}, "LOKET_ALLOWED_HOSTS"),
        (
            {"LOKET_SOURCE_ENDPOINTS": '{"vehicle": {"url": "http://x", "token": "t"}}'},
            "sends a token over plain http",
        ),
        ({"LOKET_SOURCE_ENDPOINTS": "{not json"}, "LOKET_SOURCE_ENDPOINTS is not valid JSON"),
        ({"LOKET_PUBLIC_URL": "http://loket.brussels"}, "LOKET_PUBLIC_URL must be an https://"),
        ({"LOKET_PUBLIC_URL": ""}, "LOKET_PUBLIC_URL is not set"),
        ({"LOKET_ALLOWED_HOSTS": "*,loket.brussels"}, "LOKET_ALLOWED_HOSTS"),
        ({"LOKET_PAYMENT_PROVIDERS": "transfer,demo"}, "offers the demo payment page"),
        ({"LOKET_PAYMENT_ACCOUNT": ""}, "LOKET_PAYMENT_ACCOUNT is not set"),
        ({"LOKET_SECURITY_CONTACT": ""}, "LOKET_SECURITY_CONTACT is not set"),
        ({"LOKET_SECURITY_CONTACT": "security@x.be"}, "must be a mailto: or https://"),
        ({"LOKET_SECURITY_CONTACT": "mailto:nobody"}, "is not an e-mail address"),
        ({"LOKET_SECURITY_EXPIRES_DAYS": "365"}, "must be below a year"),
        ({"LOKET_OPERATOR_NAME": ""}, "LOKET_OPERATOR_NAME is not set"),
        ({"LOKET_OPERATOR_EMAIL": ""}, "LOKET_OPERATOR_EMAIL must be set"),
        ({"LOKET_DPO_EMAIL": ""}, "LOKET_DPO_EMAIL is not set"),
        ({"LOKET_DPO_EMAIL": "nobody"}, "not an e-mail address"),
    ],
)
def test_production_refuses_unsafe_settings_and_names_the_problem(
    change: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigurationError, match=named):
        load({**SAFE, **change})


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="LOKET_ENV"):
        load({"LOKET_ENV": "staging"})


def test_the_loket_command_refuses_production_on_sqlite_without_a_traceback() -> None:
    env = {**os.environ, **SAFE, "LOKET_DATABASE_URL": "sqlite:////tmp/x.sqlite3"}
    result = subprocess.run(
        [sys.executable, "-m", "loket.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "refuses to start in production" in result.stderr
    assert "SQLite" in result.stderr
    assert "Traceback" not in result.stderr


def test_test_runs_use_the_test_database_url_when_given() -> None:
    url = "postgres://postgres@127.0.0.1:5432/loket"
    config = load({"LOKET_ENV": "test", "LOKET_TEST_DATABASE_URL": url})
    assert config.database["NAME"] == "loket"
    assert str(config.database["ENGINE"]).endswith("postgresql")


def test_postgresql_prepares_statements_and_keeps_the_urls_own_options() -> None:
    url = "postgres://loket@db.internal:5432/loket?sslmode=verify-full&connect_timeout=5"
    options = load({"LOKET_ENV": "test", "LOKET_TEST_DATABASE_URL": url}).database["OPTIONS"]
    assert options == {
        "server_side_binding": True, "prepare_threshold": 2,
        "sslmode": "verify-full", "connect_timeout": 5,
    }  # fmt: skip
    # Behind a pooler that cannot keep prepared statements (docs/operations.md): off in the URL.
    pooled = load(
        {"LOKET_ENV": "test", "LOKET_TEST_DATABASE_URL": url + "&server_side_binding=false"}
    )
    assert pooled.database["OPTIONS"]["server_side_binding"] is False  # type: ignore[index]


def test_rate_limits_are_read_as_requests_per_seconds() -> None:
    config = load({"LOKET_ENV": "test", "LOKET_SUBMISSION_RATE_LIMIT": "3/60"})
    assert config.rate_limits["LOKET_SUBMISSION_RATE_LIMIT"] == (3, 60)
    assert config.rate_limits["LOKET_API_RATE_LIMIT"] == (600, 60)
    with pytest.raises(ConfigurationError, match="LOKET_API_RATE_LIMIT"):
        load({"LOKET_ENV": "test", "LOKET_API_RATE_LIMIT": "many"})
