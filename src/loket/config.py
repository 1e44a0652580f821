"""Deployment configuration read from the environment, and the production safety checks.

Every deployment choice is an environment variable (``LOKET_*``). This module reads them in one
place so that settings.py stays declarative and the refusal to run unsafely is testable.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
ENVIRONMENTS = ("production", "demo", "development", "test")

# Keys that ship with the code. They are fine for the demo, the tests and development; a
# production deployment that still uses one of them would let anyone forge sessions, signatures
# or pseudonyms, so it is refused.
DEMO_KEY_PREFIX = "demo-insecure-"
DEMO_SECRET_KEY = DEMO_KEY_PREFIX + "secret-key-change-me-0f5c2a7e"
DEMO_SIGNING_KEY = DEMO_KEY_PREFIX + "signing-key-change-me-91b4"
DEMO_PSEUDONYM_KEY = DEMO_KEY_PREFIX + "pseudonym-key-change-me-7d3e"


class ConfigurationError(Exception):
    """The environment describes a deployment Loket refuses to run."""


@dataclass(frozen=True)
class Config:
    env: str
    debug: bool
    secret_key: str
    signing_key: str
    pseudonym_key: str
    database: dict[str, object]
    allowed_hosts: list[str]
    media_root: Path
    static_root: Path
    email_url: str
    sources: dict[str, str]
    trusted_proxies: tuple[str, ...]
    map_tiles_url: str
    branding: dict[str, Any]
    urbis_feed_token: str
    source_endpoints: dict[str, dict[str, object]]
    # --- OpenID Connect login and session limits (accounts app) ---
    oidc: OidcClient | None = None
    oidc_agent: OidcClient | None = None
    session_idle_minutes: int = 30
    session_max_hours: int = 8
    # --- end OpenID Connect ---

    @property
    def is_demo(self) -> bool:
        return self.env in ("demo", "development", "test")


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def load(environ: Mapping[str, str] | None = None) -> Config:
    """Read the ``LOKET_*`` variables, apply safe defaults and refuse unsafe production setups."""
    env_vars = os.environ if environ is None else environ
    env = env_vars.get("LOKET_ENV", "development").strip().lower()
    if env not in ENVIRONMENTS:
        raise ConfigurationError(f"LOKET_ENV={env!r} is not one of {', '.join(ENVIRONMENTS)}.")
    var_dir = Path(env_vars.get("LOKET_VAR_DIR", str(BASE_DIR / "var")))
    default_db = f"sqlite:///{var_dir / 'loket.sqlite3'}"
    database_url = env_vars.get("LOKET_DATABASE_URL", "") or default_db
    if env == "test" and env_vars.get("LOKET_TEST_DATABASE_URL"):
        database_url = env_vars["LOKET_TEST_DATABASE_URL"]
    database: dict[str, object] = dict(dj_database_url.parse(database_url, conn_max_age=60))
    if str(database["ENGINE"]).endswith("sqlite3"):
        if database["NAME"] and database["NAME"] != ":memory:":
            Path(str(database["NAME"])).parent.mkdir(parents=True, exist_ok=True)
        database["CONN_MAX_AGE"] = 0
        database["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}

    config = Config(
        env=env,
        debug=_flag(env_vars.get("LOKET_DEBUG"), default=env == "development"),
        secret_key=env_vars.get("LOKET_SECRET_KEY", "") or DEMO_SECRET_KEY,
        signing_key=env_vars.get("LOKET_SIGNING_KEY", "") or DEMO_SIGNING_KEY,
        pseudonym_key=env_vars.get("LOKET_PSEUDONYM_KEY", "") or DEMO_PSEUDONYM_KEY,
        database=database,
        allowed_hosts=[
            h.strip()
            for h in env_vars.get("LOKET_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
            if h.strip()
        ],
        media_root=Path(env_vars.get("LOKET_MEDIA_ROOT", str(var_dir / "media"))),
        static_root=Path(env_vars.get("LOKET_STATIC_ROOT", str(var_dir / "static"))),
        email_url=env_vars.get("LOKET_EMAIL_URL", "console://"),
        sources=_json_object(env_vars, "LOKET_SOURCES"),
        map_tiles_url=env_vars.get("LOKET_MAP_TILES_URL", ""),
        branding=_json_object(env_vars, "LOKET_BRANDING"),
        urbis_feed_token=env_vars.get("LOKET_URBIS_FEED_TOKEN", ""),
        trusted_proxies=tuple(
            p.strip() for p in env_vars.get("LOKET_TRUSTED_PROXIES", "").split(",") if p.strip()
        ),
        source_endpoints=_json_object(env_vars, "LOKET_SOURCE_ENDPOINTS"),
        **_oidc_settings(env_vars),
    )
    if env != "production":
        # Static files are served from the apps in development; whitenoise wants the folder.
        config.static_root.mkdir(parents=True, exist_ok=True)
    if env == "production":
        problems = production_problems(config)
        if problems:
            raise ConfigurationError("Loket refuses to start in production: " + "; ".join(problems))
    return config


def _json_object(env_vars: Mapping[str, str], name: str) -> dict[str, Any]:
    raw = env_vars.get(name, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as problem:
        raise ConfigurationError(f"{name} is not valid JSON ({problem.msg})") from None
    if not isinstance(value, dict):
        raise ConfigurationError(f"{name} must be a JSON object")
    return value


# --- OpenID Connect login and session limits (accounts app) ---

MEMBERSHIP_ROLES = ("agent", "dpo", "helper", "designer")


@dataclass(frozen=True)
class OidcClient:
    """Loket registered as a client at one OpenID provider (FAS/CSAM, itsme, an organisation's).

    ``groups`` maps a group named in the ``groups_claim`` to the membership it grants:
    ``{"administration": "<id>", "role": "agent"|"dpo"|"helper"|"designer"}``.
    """

    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid profile"
    national_number_claim: str = "national_number"
    enterprise_claim: str = ""
    groups_claim: str = ""
    groups: dict[str, dict[str, str]] = field(default_factory=dict)


def _oidc_client(env_vars: Mapping[str, str], prefix: str, **extra: Any) -> OidcClient | None:
    issuer = env_vars.get(f"{prefix}_ISSUER", "").strip().rstrip("/")
    if not issuer:
        return None
    return OidcClient(
        issuer=issuer,
        client_id=env_vars.get(f"{prefix}_CLIENT_ID", "").strip(),
        client_secret=env_vars.get(f"{prefix}_CLIENT_SECRET", ""),
        scopes=env_vars.get(f"{prefix}_SCOPES", "").strip() or "openid profile",
        **extra,
    )


def _agent_groups(env_vars: Mapping[str, str]) -> dict[str, dict[str, str]]:
    groups = _json_object(env_vars, "LOKET_OIDC_AGENT_GROUPS")
    for name, grant in groups.items():
        if (
            not isinstance(grant, dict)
            or not grant.get("administration")
            or grant.get("role") not in MEMBERSHIP_ROLES
        ):
            raise ConfigurationError(
                f"LOKET_OIDC_AGENT_GROUPS[{name!r}] must be "
                f'{{"administration": "<id>", "role": one of {", ".join(MEMBERSHIP_ROLES)}}}'
            )
    return groups


def _positive_int(env_vars: Mapping[str, str], name: str, default: int) -> int:
    raw = env_vars.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigurationError(f"{name} must be a positive whole number")
    return int(raw)


def _oidc_settings(env_vars: Mapping[str, str]) -> dict[str, Any]:
    return {
        "oidc": _oidc_client(
            env_vars,
            "LOKET_OIDC",
            national_number_claim=env_vars.get("LOKET_OIDC_NATIONAL_NUMBER_CLAIM", "").strip()
            or "national_number",
            enterprise_claim=env_vars.get("LOKET_OIDC_ENTERPRISE_CLAIM", "").strip(),
        ),
        "oidc_agent": _oidc_client(
            env_vars,
            "LOKET_OIDC_AGENT",
            national_number_claim="",
            groups_claim=env_vars.get("LOKET_OIDC_AGENT_GROUPS_CLAIM", "").strip() or "groups",
            groups=_agent_groups(env_vars),
        ),
        "session_idle_minutes": _positive_int(env_vars, "LOKET_SESSION_IDLE_MINUTES", 30),
        "session_max_hours": _positive_int(env_vars, "LOKET_SESSION_MAX_HOURS", 8),
    }


def _oidc_problems(config: Config) -> list[str]:
    problems = []
    for prefix, client, required in (
        ("LOKET_OIDC", config.oidc, True),
        ("LOKET_OIDC_AGENT", config.oidc_agent, False),
    ):
        if client is None:
            if required:
                problems.append(f"{prefix}_ISSUER is missing (residents could not log in)")
            continue
        if not client.issuer.startswith("https://"):
            problems.append(f"{prefix}_ISSUER must be an https:// address")
        if not client.client_id or not client.client_secret:
            problems.append(f"{prefix}_CLIENT_ID and {prefix}_CLIENT_SECRET must both be set")
    return problems


# --- end OpenID Connect ---

REGISTERS = ("population", "vehicle", "enterprise", "social")


def production_problems(config: Config) -> list[str]:
    """Name every reason why ``config`` is unsafe to run in production."""
    problems = []
    if config.debug:
        problems.append("LOKET_DEBUG is on (debug pages leak personal data)")
    if str(config.database["ENGINE"]).endswith("sqlite3"):
        problems.append("the database is SQLite (set LOKET_DATABASE_URL to PostgreSQL)")
    for name, value in (
        ("LOKET_SECRET_KEY", config.secret_key),
        ("LOKET_SIGNING_KEY", config.signing_key),
        ("LOKET_PSEUDONYM_KEY", config.pseudonym_key),
    ):
        if value.startswith(DEMO_KEY_PREFIX):
            problems.append(f"{name} is missing or is the demo key")
        elif len(value) < 32:
            problems.append(f"{name} is shorter than 32 characters")
    if not config.allowed_hosts or "*" in config.allowed_hosts:
        problems.append("LOKET_ALLOWED_HOSTS must list the public host names, not '*'")
    for source in REGISTERS:
        adapter = config.sources.get(source, "loket.sources.demo")
        if adapter.startswith("loket.sources.demo"):
            problems.append(f"LOKET_SOURCES must name a real adapter for {source!r}, not the demo")
        endpoint = config.source_endpoints.get(source, {})
        if str(endpoint.get("url", "https:")).startswith("http:") and endpoint.get("token"):
            problems.append(f"LOKET_SOURCE_ENDPOINTS[{source!r}] sends a token over plain http")
    problems.extend(_oidc_problems(config))  # OpenID Connect (accounts app)
    return problems
