"""Every documented ``LOKET_*`` variable is read and takes effect; every one read is documented.

The list of variables is taken from README's configuration table, so the test follows the docs: a
variable documented there without an example below fails, and so does one that the code reads
(loket.config.defaults.VARIABLES) but README does not list.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from loket.config import BASE_DIR, VARIABLES, ConfigurationError, load

KEY_1 = base64.b64encode(b"1" * 32).decode()
KEY_2 = base64.b64encode(b"2" * 32).decode()
TWO_KEYS = json.dumps({"k1": KEY_1, "k2": KEY_2})
ISSUER = {"LOKET_OIDC_ISSUER": "https://idp.example/"}
AGENT_ISSUER = {"LOKET_OIDC_AGENT_ISSUER": "https://agents.example"}
EXAMPLE_DIR = BASE_DIR / "var" / "config-examples"  # var/ is ignored by git
# Variables of the test and benchmark harnesses, documented in docs/ but not read by Loket.
HARNESS = re.compile(r"^LOKET_(BENCH|FAULTS)_|^LOKET_WRITE_A11Y_SUMMARY$")


def documented_in_readme() -> set[str]:
    """The variables named in the first column of README's configuration table."""
    text = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `LOKET_"):
            names |= set(re.findall(r"`(LOKET_[A-Z0-9_]+)`", line.split(" | ", 1)[0]))
    return names


@dataclass(frozen=True)
class Example:
    """A value for the variable, and where it shows: a path in the loaded Config, and a path in
    Django's settings (None where another example of the combined run hides it)."""

    value: str
    config: tuple[str, object]
    setting: tuple[str, object] | None
    context: dict[str, str] = field(default_factory=dict)


EXAMPLES: dict[str, Example] = {
    "LOKET_ENV": Example("demo", ("env", "demo"), ("LOKET_ENV", "demo")),
    "LOKET_DEBUG": Example("on", ("debug", True), ("DEBUG", True), {"LOKET_ENV": "demo"}),
    "LOKET_VAR_DIR": Example(
        f"{EXAMPLE_DIR}/var", ("media_root", f"{EXAMPLE_DIR}/var/media"), None
    ),
    "LOKET_DATABASE_URL": Example(
        "postgres://loket:secret@db.example:5432/loket_x",
        ("database.NAME", "loket_x"),
        ("DATABASES.default.HOST", "db.example"),
    ),
    "LOKET_TEST_DATABASE_URL": Example(
        "postgres://postgres@127.0.0.1:5432/loket_tests",
        ("database.NAME", "loket_tests"),
        None,
        {"LOKET_ENV": "test"},
    ),
    "LOKET_ALLOWED_HOSTS": Example(
        "loket.example, ixelles.example",
        ("allowed_hosts", ["loket.example", "ixelles.example"]),
        ("ALLOWED_HOSTS", ["loket.example", "ixelles.example"]),
    ),
    "LOKET_MEDIA_ROOT": Example(
        f"{EXAMPLE_DIR}/media",
        ("media_root", f"{EXAMPLE_DIR}/media"),
        ("MEDIA_ROOT", f"{EXAMPLE_DIR}/media"),
    ),
    "LOKET_STATIC_ROOT": Example(
        f"{EXAMPLE_DIR}/static",
        ("static_root", f"{EXAMPLE_DIR}/static"),
        ("STATIC_ROOT", f"{EXAMPLE_DIR}/static"),
    ),
    "LOKET_BIND": Example(
        "127.0.0.1:9000", ("bind", "127.0.0.1:9000"), ("CONFIG.bind", "127.0.0.1:9000")
    ),
    "LOKET_WORKERS": Example("5", ("workers", 5), ("CONFIG.workers", 5)),
    "LOKET_LOG_FORMAT": Example("json", ("log_format", "json"), ("LOKET_LOG_FORMAT", "json")),
    "LOKET_METRICS_TOKEN": Example(
        "scrape-token-0123456789",
        ("metrics_token", "scrape-token-0123456789"),
        ("LOKET_METRICS_TOKEN", "scrape-token-0123456789"),
    ),
    "LOKET_PAYMENT_PROVIDERS": Example(
        "transfer", ("payment_providers", ["transfer"]), ("CONFIG.payment_providers", ["transfer"])
    ),
    "LOKET_PAYMENT_ACCOUNT": Example(
        json.dumps({"iban": "BE68539007547034", "bic": "BBRUBEBB", "name": "Commune"}),
        ("payment_account.iban", "BE68539007547034"),
        ("CONFIG.payment_account.iban", "BE68539007547034"),
    ),
    "LOKET_PAYMENT_TIMEOUT": Example(
        "4", ("payment_settings.timeout", 4.0), ("CONFIG.payment_settings.timeout", 4.0)
    ),
    "LOKET_MOLLIE_API_KEY": Example(
        "test_abc123",
        ("payment_settings.mollie.api_key", "test_abc123"),
        ("CONFIG.payment_settings.mollie.api_key", "test_abc123"),
    ),
    "LOKET_MOLLIE_API_URL": Example(
        "https://mollie.internal",
        ("payment_settings.mollie.api_url", "https://mollie.internal"),
        ("CONFIG.payment_settings.mollie.api_url", "https://mollie.internal"),
    ),
    **{
        f"LOKET_WORLDLINE_{name}": Example(
            f"wl-{name.lower()}",
            (f"payment_settings.worldline.{name.lower()}", f"wl-{name.lower()}"),
            (f"CONFIG.payment_settings.worldline.{name.lower()}", f"wl-{name.lower()}"),
        )
        for name in ("MERCHANT_ID", "API_KEY_ID", "API_SECRET", "WEBHOOK_KEY_ID", "WEBHOOK_SECRET")
    },
    "LOKET_WORLDLINE_API_URL": Example(
        "https://payment.preprod.direct.worldline-solutions.com",
        (
            "payment_settings.worldline.api_url",
            "https://payment.preprod.direct.worldline-solutions.com",
        ),
        (
            "CONFIG.payment_settings.worldline.api_url",
            "https://payment.preprod.direct.worldline-solutions.com",
        ),
    ),
    "LOKET_TRUSTED_PROXIES": Example(
        "10.1.0.1,10.1.0.2",
        ("trusted_proxies", ["10.1.0.1", "10.1.0.2"]),
        ("LOKET_TRUSTED_PROXIES", ["10.1.0.1", "10.1.0.2"]),
    ),
    "LOKET_PUBLIC_URL": Example(
        "https://loket.example/",
        ("public_url", "https://loket.example"),
        ("LOKET_PUBLIC_URL", "https://loket.example"),
    ),
    "LOKET_SECRET_KEY": Example("s" * 40, ("secret_key", "s" * 40), ("SECRET_KEY", "s" * 40)),
    "LOKET_SIGNING_KEY": Example(
        "g" * 40, ("signing_key", "g" * 40), ("LOKET_SIGNING_KEY", "g" * 40)
    ),
    "LOKET_PSEUDONYM_KEY": Example(
        "p" * 40, ("pseudonym_key", "p" * 40), ("LOKET_PSEUDONYM_KEY", "p" * 40)
    ),
    "LOKET_ENCRYPTION_KEYS": Example(
        TWO_KEYS,
        ("encryption_keys.k2", str(b"2" * 32)),
        ("LOKET_ENCRYPTION_KEYS.k2", str(b"2" * 32)),
        {"LOKET_ENCRYPTION_KEY_ID": "k2"},
    ),
    "LOKET_ENCRYPTION_KEY_ID": Example(
        "k2",
        ("encryption_key_id", "k2"),
        ("LOKET_ENCRYPTION_KEY_ID", "k2"),
        {"LOKET_ENCRYPTION_KEYS": TWO_KEYS},
    ),
    "LOKET_BLIND_INDEX_KEY": Example(
        "b" * 40, ("blind_index_key", "b" * 40), ("LOKET_BLIND_INDEX_KEY", "b" * 40)
    ),
    "LOKET_EMAIL_URL": Example(
        "smtp://alice%40example.org:p%40ss@mail.example:587?tls=1",
        ("mail_server.username", "alice@example.org"),
        ("LOKET_EMAIL_URL", "smtp://alice%40example.org:p%40ss@mail.example:587?tls=1"),
    ),
    "LOKET_OIDC_ISSUER": Example(
        "https://idp.example/",
        ("oidc.issuer", "https://idp.example"),
        ("LOKET_OIDC.issuer", "https://idp.example"),
    ),
    "LOKET_OIDC_CLIENT_ID": Example(
        "loket", ("oidc.client_id", "loket"), ("LOKET_OIDC.client_id", "loket"), ISSUER
    ),
    "LOKET_OIDC_CLIENT_SECRET": Example(
        "c" * 20, ("oidc.client_secret", "c" * 20), ("LOKET_OIDC.client_secret", "c" * 20), ISSUER
    ),
    "LOKET_OIDC_SCOPES": Example(
        "openid rrn",
        ("oidc.scopes", "openid rrn"),
        ("LOKET_OIDC.scopes", "openid rrn"),
        ISSUER,
    ),
    "LOKET_OIDC_NATIONAL_NUMBER_CLAIM": Example(
        "rrn",
        ("oidc.national_number_claim", "rrn"),
        ("LOKET_OIDC.national_number_claim", "rrn"),
        ISSUER,
    ),
    "LOKET_OIDC_ENTERPRISE_CLAIM": Example(
        "kbo",
        ("oidc.enterprise_claim", "kbo"),
        ("LOKET_OIDC.enterprise_claim", "kbo"),
        ISSUER,
    ),
    "LOKET_OIDC_AGENT_ISSUER": Example(
        "https://agents.example",
        ("oidc_agent.issuer", "https://agents.example"),
        ("LOKET_OIDC_AGENT.issuer", "https://agents.example"),
    ),
    "LOKET_OIDC_AGENT_CLIENT_ID": Example(
        "loket-bo",
        ("oidc_agent.client_id", "loket-bo"),
        ("LOKET_OIDC_AGENT.client_id", "loket-bo"),
        AGENT_ISSUER,
    ),
    "LOKET_OIDC_AGENT_CLIENT_SECRET": Example(
        "a" * 20,
        ("oidc_agent.client_secret", "a" * 20),
        ("LOKET_OIDC_AGENT.client_secret", "a" * 20),
        AGENT_ISSUER,
    ),
    "LOKET_OIDC_AGENT_SCOPES": Example(
        "openid groups",
        ("oidc_agent.scopes", "openid groups"),
        ("LOKET_OIDC_AGENT.scopes", "openid groups"),
        AGENT_ISSUER,
    ),
    "LOKET_OIDC_AGENT_GROUPS_CLAIM": Example(
        "roles",
        ("oidc_agent.groups_claim", "roles"),
        ("LOKET_OIDC_AGENT.groups_claim", "roles"),
        AGENT_ISSUER,
    ),
    "LOKET_OIDC_AGENT_GROUPS": Example(
        json.dumps({"ixl-agents": {"administration": "ixelles", "role": "agent"}}),
        ("oidc_agent.groups.ixl-agents.administration", "ixelles"),
        ("LOKET_OIDC_AGENT.groups.ixl-agents.role", "agent"),
        AGENT_ISSUER,
    ),
    "LOKET_SESSION_IDLE_MINUTES": Example(
        "15", ("session_idle_minutes", 15), ("LOKET_SESSION_IDLE_MINUTES", 15)
    ),
    "LOKET_SESSION_MAX_HOURS": Example(
        "4", ("session_max_hours", 4), ("SESSION_COOKIE_AGE", 4 * 3600)
    ),
    "LOKET_SOURCES": Example(
        json.dumps({"population": "loket.sources.http.HttpPopulationRegister"}),
        ("sources.population", "loket.sources.http.HttpPopulationRegister"),
        ("LOKET_SOURCES.population", "loket.sources.http.HttpPopulationRegister"),
    ),
    "LOKET_SOURCE_ENDPOINTS": Example(
        json.dumps({"population": {"url": "https://gw.example/population"}}),
        ("source_endpoints.population.url", "https://gw.example/population"),
        ("LOKET_SOURCE_ENDPOINTS.population.url", "https://gw.example/population"),
    ),
    "LOKET_API_RATE_LIMIT": Example(
        "30/60",
        ("rate_limits.LOKET_API_RATE_LIMIT", [30, 60]),
        ("LOKET_API_RATE_LIMIT", [30, 60]),
    ),
    "LOKET_API_ANONYMOUS_RATE_LIMIT": Example(
        "20/60",
        ("rate_limits.LOKET_API_ANONYMOUS_RATE_LIMIT", [20, 60]),
        ("LOKET_API_ANONYMOUS_RATE_LIMIT", [20, 60]),
    ),
    "LOKET_SUBMISSION_RATE_LIMIT": Example(
        "3/600",
        ("rate_limits.LOKET_SUBMISSION_RATE_LIMIT", [3, 600]),
        ("LOKET_SUBMISSION_RATE_LIMIT", [3, 600]),
    ),
    "LOKET_VERIFY_RATE_LIMIT": Example(
        "5/60",
        ("rate_limits.LOKET_VERIFY_RATE_LIMIT", [5, 60]),
        ("LOKET_VERIFY_RATE_LIMIT", [5, 60]),
    ),
    "LOKET_GUEST_BOOKING_RATE_LIMIT": Example(
        "2/600",
        ("rate_limits.LOKET_GUEST_BOOKING_RATE_LIMIT", [2, 600]),
        ("LOKET_GUEST_BOOKING_RATE_LIMIT", [2, 600]),
    ),
    "LOKET_GUEST_BOOKING_CONTACT_RATE_LIMIT": Example(
        "1/3600",
        ("rate_limits.LOKET_GUEST_BOOKING_CONTACT_RATE_LIMIT", [1, 3600]),
        ("LOKET_GUEST_BOOKING_CONTACT_RATE_LIMIT", [1, 3600]),
    ),
    "LOKET_SEAL_PKCS12": Example(
        "/etc/loket/seal.p12",
        ("seal.pkcs12", "/etc/loket/seal.p12"),
        ("LOKET_SEAL.pkcs12", "/etc/loket/seal.p12"),
    ),
    "LOKET_SEAL_PASSWORD": Example(
        "s3al pass", ("seal.password", "s3al pass"), ("LOKET_SEAL.password", "s3al pass")
    ),
    "LOKET_SEAL_PKCS11_MODULE": Example(
        "/usr/lib/softhsm/libsofthsm2.so",
        ("seal.pkcs11.module", "/usr/lib/softhsm/libsofthsm2.so"),
        ("LOKET_SEAL.pkcs11.module", "/usr/lib/softhsm/libsofthsm2.so"),
    ),
    "LOKET_SEAL_PKCS11_TOKEN": Example(
        "region", ("seal.pkcs11.token", "region"), ("LOKET_SEAL.pkcs11.token", "region")
    ),
    "LOKET_SEAL_PKCS11_PIN": Example(
        "1234", ("seal.pkcs11.pin", "1234"), ("LOKET_SEAL.pkcs11.pin", "1234")
    ),
    "LOKET_SEAL_PKCS11_KEY_LABEL": Example(
        "seal-key",
        ("seal.pkcs11.key_label", "seal-key"),
        ("LOKET_SEAL.pkcs11.key_label", "seal-key"),
    ),
    "LOKET_SEAL_PKCS11_CERT_LABEL": Example(
        "seal-cert",
        ("seal.pkcs11.cert_label", "seal-cert"),
        ("LOKET_SEAL.pkcs11.cert_label", "seal-cert"),
    ),
    "LOKET_SEAL_TRUST_ANCHORS": Example(
        "/etc/loket/roots.pem",
        ("seal.trust_anchors", "/etc/loket/roots.pem"),
        ("LOKET_SEAL.trust_anchors", "/etc/loket/roots.pem"),
    ),
    "LOKET_TSA_URL": Example(
        "https://tsa.example/tsp",
        ("seal.tsa_url", "https://tsa.example/tsp"),
        ("LOKET_SEAL.tsa_url", "https://tsa.example/tsp"),
    ),
    "LOKET_MAP_TILES_URL": Example(
        "https://tiles.example/{z}/{x}/{y}.png",
        ("map_tiles_url", "https://tiles.example/{z}/{x}/{y}.png"),
        ("LOKET_MAP_TILES_URL", "https://tiles.example/{z}/{x}/{y}.png"),
    ),
    "LOKET_BRANDING": Example(
        json.dumps({"name": "Ixelles"}),
        ("branding.name", "Ixelles"),
        ("LOKET_BRANDING.name", "Ixelles"),
    ),
    "LOKET_URBIS_FEED_TOKEN": Example(
        "feed-token", ("urbis_feed_token", "feed-token"), ("LOKET_URBIS_FEED_TOKEN", "feed-token")
    ),
    "LOKET_OPENDATA_THRESHOLD": Example(
        "10", ("opendata_threshold", 10), ("LOKET_OPENDATA_THRESHOLD", 10)
    ),
    "LOKET_OPENDATA_ROUNDING": Example(
        "5", ("opendata_rounding", 5), ("LOKET_OPENDATA_ROUNDING", 5)
    ),
    "LOKET_OPENDATA_CONTACT": Example(
        "data@ixelles.example",
        ("opendata_contact", "data@ixelles.example"),
        ("LOKET_OPENDATA_CONTACT", "data@ixelles.example"),
    ),
    "LOKET_ACCESSIBILITY_REPORT_RATE_LIMIT": Example(
        "2/60",
        ("rate_limits.LOKET_ACCESSIBILITY_REPORT_RATE_LIMIT", [2, 60]),
        ("LOKET_ACCESSIBILITY_REPORT_RATE_LIMIT", [2, 60]),
    ),
    "LOKET_FEEDBACK_RATE_LIMIT": Example(
        "3/60",
        ("rate_limits.LOKET_FEEDBACK_RATE_LIMIT", [3, 60]),
        ("LOKET_FEEDBACK_RATE_LIMIT", [3, 60]),
    ),
    "LOKET_FEEDBACK_SESSION_RATE_LIMIT": Example(
        "2/600",
        ("rate_limits.LOKET_FEEDBACK_SESSION_RATE_LIMIT", [2, 600]),
        ("LOKET_FEEDBACK_SESSION_RATE_LIMIT", [2, 600]),
    ),
    "LOKET_SECURITY_CONTACT": Example(
        "https://ixelles.example/security",
        ("statements.security_contact", "https://ixelles.example/security"),
        ("LOKET_STATEMENTS.security_contact", "https://ixelles.example/security"),
    ),
    "LOKET_SECURITY_POLICY_URL": Example(
        "https://ixelles.example/disclosure",
        ("statements.security_policy_url", "https://ixelles.example/disclosure"),
        ("LOKET_STATEMENTS.security_policy_url", "https://ixelles.example/disclosure"),
    ),
    "LOKET_SECURITY_EXPIRES_DAYS": Example(
        "30",
        ("statements.security_expires_days", 30),
        ("LOKET_STATEMENTS.security_expires_days", 30),
    ),
    "LOKET_OPERATOR_NAME": Example(
        "Commune d'Ixelles",
        ("statements.operator.name", "Commune d'Ixelles"),
        ("LOKET_STATEMENTS.operator.name", "Commune d'Ixelles"),
    ),
    "LOKET_OPERATOR_ADDRESS": Example(
        "Chaussée d'Ixelles 168, 1050 Ixelles",
        ("statements.operator.address", "Chaussée d'Ixelles 168, 1050 Ixelles"),
        ("LOKET_STATEMENTS.operator.address", "Chaussée d'Ixelles 168, 1050 Ixelles"),
        {"LOKET_OPERATOR_NAME": "Commune d'Ixelles"},
    ),
    "LOKET_OPERATOR_NUMBER": Example(
        "0207.373.429",
        ("statements.operator.number", "0207.373.429"),
        ("LOKET_STATEMENTS.operator.number", "0207.373.429"),
        {"LOKET_OPERATOR_NAME": "Commune d'Ixelles"},
    ),
    "LOKET_OPERATOR_EMAIL": Example(
        "info@ixelles.example",
        ("statements.operator.email", "info@ixelles.example"),
        ("LOKET_STATEMENTS.operator.email", "info@ixelles.example"),
        {"LOKET_OPERATOR_NAME": "Commune d'Ixelles"},
    ),
    "LOKET_DPO_EMAIL": Example(
        "dpo@ixelles.example",
        ("statements.dpo_email", "dpo@ixelles.example"),
        ("LOKET_STATEMENTS.dpo_email", "dpo@ixelles.example"),
    ),
    "LOKET_TASKS_KEEP_DONE_DAYS": Example(
        "3", ("tasks_keep_done_days", 3), ("LOKET_TASKS_KEEP_DONE_DAYS", 3)
    ),
    "LOKET_TASKS_KEEP_FAILED_DAYS": Example(
        "90", ("tasks_keep_failed_days", 90), ("LOKET_TASKS_KEEP_FAILED_DAYS", 90)
    ),
}


def resolve(root: Any, path: str) -> Any:
    """Follow a dotted path through attributes and mapping keys; JSON-shaped, for comparing."""
    value = root
    for step in path.split("."):
        value = value[step] if isinstance(value, dict) else getattr(value, step)
    return json.loads(json.dumps(value, default=str))


def test_readme_lists_every_variable_loket_reads_and_nothing_else() -> None:
    documented = documented_in_readme()
    assert sorted(set(VARIABLES) - documented) == [], "read by loket.config, missing from README"
    assert sorted(documented - set(VARIABLES)) == [], "in README, never read by loket.config"


def test_every_variable_named_in_the_docs_exists() -> None:
    named: set[str] = set()
    for page in [BASE_DIR / "README.md", *sorted((BASE_DIR / "docs").rglob("*.md"))]:
        words = re.findall(r"LOKET_[A-Z0-9_]+", page.read_text(encoding="utf-8"))
        named |= {w for w in words if not w.endswith("_") and not HARNESS.match(w)}
    assert sorted(named - set(VARIABLES)) == []


def test_no_module_reads_a_loket_variable_but_loket_config() -> None:
    reading = re.compile(r"(environ\.get\(|environ\[|getenv\()\s*[\"']LOKET_")
    config_dir = BASE_DIR / "src" / "loket" / "config"
    readers = [
        str(path.relative_to(BASE_DIR))
        for path in (BASE_DIR / "src" / "loket").rglob("*.py")
        if config_dir not in path.parents and reading.search(path.read_text(encoding="utf-8"))
    ]
    assert readers == []


def test_every_documented_variable_has_an_example_here() -> None:
    assert sorted(documented_in_readme() ^ set(EXAMPLES)) == []


@pytest.mark.parametrize("name", sorted(documented_in_readme()))
def test_each_documented_variable_takes_effect_in_the_loaded_config(
    name: str, tmp_path: Path
) -> None:
    example = EXAMPLES.get(name)
    assert example is not None, f"{name} is documented in README but has no example here"
    base = {"LOKET_VAR_DIR": str(tmp_path), **example.context}
    path, expected = example.config
    config = load({**base, name: example.value})
    assert resolve(config, path) == expected
    try:
        without = resolve(load(base), path)
    except (ConfigurationError, AttributeError, LookupError):
        return  # without the variable the configuration is refused or the object is absent
    assert without != expected, f"{name}'s example is its default: it proves nothing"


def test_all_documented_variables_reach_django_settings(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LOKET_")}
    probes = {}
    for name, example in EXAMPLES.items():
        if example.setting is None:
            continue
        for other, value in example.context.items():
            assert EXAMPLES[other].value == value, f"{name}'s context disagrees with {other}"
        environment[name] = example.value
        probes[name] = example.setting[0]
    environment["DJANGO_SETTINGS_MODULE"] = "loket.settings"
    script = (
        "import json, sys\n"
        "from django.conf import settings\n"
        "from tests.test_config_variables import resolve\n"
        "probes = json.loads(sys.argv[1])\n"
        "print(json.dumps({name: resolve(settings, path) for name, path in probes.items()}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(probes)],
        env=environment,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    expected = {name: e.setting[1] for name, e in EXAMPLES.items() if e.setting is not None}
    assert seen == expected


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LOKET_PUBLIC_URL", "loket.brussels", "must be an http:// or https:// address"),
        ("LOKET_PUBLIC_URL", "ftp://loket.brussels", "must be an http:// or https:// address"),
        ("LOKET_PUBLIC_URL", "https://loket.brussels/?x=1", "no query"),
        ("LOKET_OPENDATA_THRESHOLD", "0", "at least 1"),
        ("LOKET_OPENDATA_THRESHOLD", "five", "whole number"),
        ("LOKET_OPENDATA_ROUNDING", "-5", "whole number"),
        ("LOKET_OPENDATA_CONTACT", "open data", "not an e-mail address"),
        ("LOKET_WORKERS", "0", "at least 1"),
        ("LOKET_LOG_FORMAT", "xml", "must be one of plain, json"),
        ("LOKET_METRICS_TOKEN", "short", "at least 16 printable characters"),
        ("LOKET_BIND", "8000", "host:port"),
        ("LOKET_SESSION_IDLE_MINUTES", "soon", "whole number"),
        ("LOKET_DEBUG", "maybe", "must be 1, true"),
        ("LOKET_EMAIL_URL", "gopher://mail.example", "must start with one of"),
        ("LOKET_EMAIL_URL", "smtp://mail.example:smtp", "port that is not a number"),
        ("LOKET_EMAIL_URL", "smtps://mail.example?tls=1", "TLS already"),
        ("LOKET_DATABASE_URL", "mysqlx://db.example/loket", "is unknown"),
        ("LOKET_API_RATE_LIMIT", "0/60", "requests/seconds"),
        ("LOKET_SECURITY_CONTACT", "ftp://x.example", "must be a mailto: or https://"),
        ("LOKET_OPERATOR_EMAIL", "nobody", "not an e-mail address"),
        ("LOKET_DPO_EMAIL", "nobody", "not an e-mail address"),
    ],
)
def test_a_malformed_value_is_refused_naming_the_variable(
    name: str, value: str, message: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(name)) as refused:
        load({"LOKET_VAR_DIR": str(tmp_path), name: value})
    assert message in str(refused.value)


def test_the_mail_password_is_never_in_the_refusal() -> None:
    with pytest.raises(ConfigurationError) as refused:
        load({"LOKET_EMAIL_URL": "smtp://alice:hunter2@mail.example:port"})
    assert "hunter2" not in str(refused.value)
