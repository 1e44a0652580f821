"""Deployment configuration read from the environment, and the production safety checks.

Every deployment choice is an environment variable (``LOKET_*``). This module reads them in one
place so that settings.py stays declarative and the refusal to run unsafely is testable.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
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
# --- encryption at rest (core.crypto) ---
DEMO_ENCRYPTION_KEY_ID = "demo-1"
# base64 of sha256("demo-insecure-encryption-key"): public, so never acceptable in production.
DEMO_ENCRYPTION_KEY = "th0wDKmLknZdUqbIK3IRDdKop/6exOCtgP9e+fE0jDc="
DEMO_BLIND_INDEX_KEY = DEMO_KEY_PREFIX + "blind-index-key-change-me-4a8c"
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")  # stored in every value: no colon
ENCRYPTION_KEY_BYTES = 32  # AES-256
# --- end encryption at rest ---


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
    # Rate limits as (requests, seconds), from "600/60": API clients, anonymous API callers by
    # address, final submissions per person.
    rate_limits: dict[str, tuple[int, int]]
    # --- OpenID Connect login and session limits (accounts app) ---
    oidc: OidcClient | None = None
    oidc_agent: OidcClient | None = None
    session_idle_minutes: int = 30
    session_max_hours: int = 8
    # --- end OpenID Connect ---
    # --- encryption at rest (core.crypto) ---
    encryption_keys: dict[str, bytes] = field(default_factory=dict, repr=False)
    encryption_key_id: str = ""
    blind_index_key: str = field(default=DEMO_BLIND_INDEX_KEY, repr=False)
    # --- end encryption at rest ---
    # --- task queue: how long finished tasks are kept (loket.tasks.queue.prune) ---
    tasks_keep_done_days: int = 7
    tasks_keep_failed_days: int = 30
    # --- end task queue ---
    # --- certificates: the electronic seal and the timestamp authority (loket.certificates) ---
    seal: dict[str, Any] = field(default_factory=dict, repr=False)
    # --- end certificates ---

    @property
    def is_demo(self) -> bool:
        return self.env in ("demo", "development", "test")


RATE_LIMITS: dict[str, tuple[int, int]] = {
    "LOKET_API_RATE_LIMIT": (600, 60),
    "LOKET_API_ANONYMOUS_RATE_LIMIT": (120, 60),
    "LOKET_SUBMISSION_RATE_LIMIT": (10, 3600),
    "LOKET_VERIFY_RATE_LIMIT": (30, 60),  # certificate verifications per client address
}


def _rate(env_vars: Mapping[str, str], name: str, default: tuple[int, int]) -> tuple[int, int]:
    """A rate limit written ``requests/seconds`` (e.g. ``600/60``)."""
    value = env_vars.get(name, "").strip()
    if not value:
        return default
    requests, _slash, seconds = value.partition("/")
    try:
        limit = (int(requests), int(seconds))
    except ValueError:
        limit = (0, 0)
    if limit[0] < 1 or limit[1] < 1:
        raise ConfigurationError(f"{name}={value!r} is not 'requests/seconds', e.g. '600/60'.")
    return limit


def _days(env_vars: Mapping[str, str], name: str, default: int) -> int:
    """A number of days, at least one."""
    value = env_vars.get(name, "").strip()
    if not value:
        return default
    try:
        days = int(value)
    except ValueError:
        days = 0
    if days < 1:
        raise ConfigurationError(f"{name}={value!r} is not a number of days (1 or more).")
    return days


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
        rate_limits={name: _rate(env_vars, name, default) for name, default in RATE_LIMITS.items()},
        **_oidc_settings(env_vars),
        **_encryption_settings(env_vars, env),
        tasks_keep_done_days=_days(env_vars, "LOKET_TASKS_KEEP_DONE_DAYS", 7),
        tasks_keep_failed_days=_days(env_vars, "LOKET_TASKS_KEEP_FAILED_DAYS", 30),
        seal=_seal_settings(env_vars, var_dir),  # certificates
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

# --- encryption at rest (core.crypto) ---


def _encryption_settings(env_vars: Mapping[str, str], env: str) -> dict[str, Any]:
    """The keyring: ``LOKET_ENCRYPTION_KEYS`` ({id: base64 32-byte key}), the active id for new
    writes, and the separate blind index key. Malformed values are refused in every environment."""
    raw = _json_object(env_vars, "LOKET_ENCRYPTION_KEYS") or {
        DEMO_ENCRYPTION_KEY_ID: DEMO_ENCRYPTION_KEY
    }
    keys = _encryption_keys(raw, "LOKET_ENCRYPTION_KEYS")
    key_id = env_vars.get("LOKET_ENCRYPTION_KEY_ID", "").strip()
    if key_id and key_id not in keys and env != "production":  # production: listed below
        raise ConfigurationError(
            f"LOKET_ENCRYPTION_KEY_ID={key_id!r} names no key in LOKET_ENCRYPTION_KEYS"
        )
    if not key_id and env != "production":
        if len(keys) > 1:
            raise ConfigurationError("LOKET_ENCRYPTION_KEY_ID must name the active key")
        key_id = next(iter(keys))
    return {
        "encryption_keys": keys,
        "encryption_key_id": key_id,
        "blind_index_key": env_vars.get("LOKET_BLIND_INDEX_KEY", "") or DEMO_BLIND_INDEX_KEY,
    }


def _encryption_keys(raw: Mapping[str, object], variable: str) -> dict[str, bytes]:
    keys = {}
    for key_id, encoded in raw.items():
        if not KEY_ID_PATTERN.match(key_id):
            raise ConfigurationError(
                f"{variable}: key id {key_id!r} must be 1-32 of A-Z a-z 0-9 _ -"
            )
        try:
            key = base64.b64decode(str(encoded), validate=True)
        except binascii.Error:
            raise ConfigurationError(f"{variable}[{key_id!r}] is not base64") from None
        if len(key) != ENCRYPTION_KEY_BYTES:
            raise ConfigurationError(
                f"{variable}[{key_id!r}] must decode to {ENCRYPTION_KEY_BYTES} bytes"
            )
        keys[key_id] = key
    return keys


def _encryption_problems(config: Config) -> list[str]:
    problems = []
    demo_key = base64.b64decode(DEMO_ENCRYPTION_KEY)
    if not config.encryption_keys or demo_key in config.encryption_keys.values():
        problems.append("LOKET_ENCRYPTION_KEYS is missing or holds the demo key")
    if not config.encryption_key_id:
        problems.append("LOKET_ENCRYPTION_KEY_ID is missing (the key new values are sealed with)")
    elif config.encryption_key_id not in config.encryption_keys:
        problems.append(
            f"LOKET_ENCRYPTION_KEY_ID={config.encryption_key_id!r} names no key in "
            "LOKET_ENCRYPTION_KEYS"
        )
    blind = config.blind_index_key
    if blind.startswith(DEMO_KEY_PREFIX):
        problems.append("LOKET_BLIND_INDEX_KEY is missing or is the demo key")
    elif len(blind) < 32:
        problems.append("LOKET_BLIND_INDEX_KEY is shorter than 32 characters")
    elif blind in (config.pseudonym_key, config.secret_key, config.signing_key):
        problems.append(
            "LOKET_BLIND_INDEX_KEY must differ from LOKET_PSEUDONYM_KEY, LOKET_SECRET_KEY "
            "and LOKET_SIGNING_KEY"
        )
    return problems


# --- end encryption at rest ---

# --- certificates: the electronic seal and the timestamp authority (loket.certificates) ---
SEAL_PKCS11 = ("MODULE", "TOKEN", "PIN", "KEY_LABEL", "CERT_LABEL")


def _seal_settings(env_vars: Mapping[str, str], var_dir: Path) -> dict[str, Any]:
    """The seal's key and chain (a PKCS#12 file, or a PKCS#11 token), the timestamp authority
    and the trust anchors verifiers check against. Outside production, an empty setting falls
    back to the demo CA under var/certificates/ (``loket certificates demo-ca``)."""
    return {
        "pkcs12": env_vars.get("LOKET_SEAL_PKCS12", "").strip(),
        "password": env_vars.get("LOKET_SEAL_PASSWORD", ""),
        "pkcs11": {
            name.lower(): env_vars.get(f"LOKET_SEAL_PKCS11_{name}", "").strip()
            for name in SEAL_PKCS11
        },
        "trust_anchors": env_vars.get("LOKET_SEAL_TRUST_ANCHORS", "").strip(),
        "tsa_url": env_vars.get("LOKET_TSA_URL", "").strip(),
        "demo_dir": str(var_dir / "certificates"),
    }


def _seal_problems(config: Config) -> list[str]:
    seal = config.seal
    problems = []
    pkcs11 = seal.get("pkcs11", {})
    if not seal.get("pkcs12") and not pkcs11.get("module"):
        problems.append(
            "LOKET_SEAL_PKCS12 (or LOKET_SEAL_PKCS11_MODULE) is missing: certificates would be "
            "sealed with the demo key"
        )
    elif seal.get("pkcs12", "").startswith(seal.get("demo_dir", "//")):
        problems.append("LOKET_SEAL_PKCS12 names the demo seal under var/certificates/")
    if pkcs11.get("module") and not (pkcs11.get("token") and pkcs11.get("key_label")):
        problems.append("LOKET_SEAL_PKCS11_TOKEN and LOKET_SEAL_PKCS11_KEY_LABEL are needed")
    if not seal.get("tsa_url"):
        problems.append("LOKET_TSA_URL is missing (a seal needs an RFC 3161 timestamp)")
    if not seal.get("trust_anchors"):
        problems.append("LOKET_SEAL_TRUST_ANCHORS is missing (the roots seals are checked against)")
    return problems


# --- end certificates ---

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
    # A source still on its demo adapter is refused once the apps are loaded (the adapter's
    # ``demo`` attribute, loket.sources.checks): this module cannot import adapters.
    for source in REGISTERS:
        endpoint = config.source_endpoints.get(source, {})
        if str(endpoint.get("url", "https:")).startswith("http:") and endpoint.get("token"):
            problems.append(f"LOKET_SOURCE_ENDPOINTS[{source!r}] sends a token over plain http")
    problems.extend(_oidc_problems(config))  # OpenID Connect (accounts app)
    problems.extend(_encryption_problems(config))  # encryption at rest (core.crypto)
    problems.extend(_seal_problems(config))  # certificates (loket.certificates)
    return problems
