"""Deployment configuration read from the environment, and the production safety checks.

Every deployment choice is an environment variable (``LOKET_*``), listed with its default in
:mod:`loket.config.defaults`. This package reads them in one place, :func:`load`, so that
settings.py stays declarative and the refusal to run unsafely is testable. The readers refuse a
malformed value in every environment and name the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dj_database_url

from loket.config.defaults import (
    BASE_DIR,
    DEMO_BLIND_INDEX_KEY,
    DEMO_ENCRYPTION_KEY,
    DEMO_ENCRYPTION_KEY_ID,
    DEMO_KEY_PREFIX,
    DEMO_PSEUDONYM_KEY,
    DEMO_SECRET_KEY,
    DEMO_SIGNING_KEY,
    ENVIRONMENTS,
    RATE_LIMIT_VARIABLES,
    VARIABLES,
)
from loket.config.environment import ConfigurationError, Environment
from loket.config.keys import KEY_ID_PATTERN, encryption_settings, key_problems
from loket.config.mail import MailServer, parse_mail_url
from loket.config.observability import observability_settings
from loket.config.oidc import MEMBERSHIP_ROLES, OidcClient, oidc_problems, oidc_settings
from loket.config.payments import ProviderSettings, provider_problems, provider_settings
from loket.config.seal import seal_problems, seal_settings
from loket.config.statements import Statements, statement_problems, statement_settings

__all__ = [
    "BASE_DIR",
    "DEMO_BLIND_INDEX_KEY",
    "DEMO_ENCRYPTION_KEY",
    "DEMO_ENCRYPTION_KEY_ID",
    "DEMO_KEY_PREFIX",
    "DEMO_PSEUDONYM_KEY",
    "DEMO_SECRET_KEY",
    "DEMO_SIGNING_KEY",
    "ENVIRONMENTS",
    "KEY_ID_PATTERN",
    "MEMBERSHIP_ROLES",
    "VARIABLES",
    "Config",
    "ConfigurationError",
    "MailServer",
    "OidcClient",
    "load",
    "parse_mail_url",
    "production_problems",
]

DEMO_BIND = "127.0.0.1:8000"

# The account of the demo (a valid Belgian IBAN that belongs to no one Loket pays): transfers
# to it show the whole path in the demo and are refused in production.
# The demo account stands for each administration's own: no name, so transfers name the
# administration that handles the case as beneficiary (``payments.epc.account``).
DEMO_PAYMENT_ACCOUNT = {"iban": "BE71096123456769", "bic": "GKCCBEBB", "name": ""}

REGISTERS = ("population", "vehicle", "enterprise", "social")


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
    # Rate limits as (requests, seconds), from "600/60", by variable name: API clients,
    # anonymous API callers by address, final submissions per person.
    rate_limits: dict[str, tuple[int, int]]
    # Where `loket serve` listens and how many gunicorn workers it starts.
    bind: str = VARIABLES["LOKET_BIND"]
    workers: int = int(VARIABLES["LOKET_WORKERS"])
    # The base of the public URIs (open data); empty: the request's own origin.
    public_url: str = ""
    # Open data: counts below the threshold are withheld; published counts are rounded to the
    # base (0: not rounded); the contact point's e-mail address.
    opendata_threshold: int = int(VARIABLES["LOKET_OPENDATA_THRESHOLD"])
    opendata_rounding: int = int(VARIABLES["LOKET_OPENDATA_ROUNDING"])
    opendata_contact: str = VARIABLES["LOKET_OPENDATA_CONTACT"]
    # Days a finished background task is kept: done, and failed for good (loket.tasks).
    tasks_keep_done_days: int = int(VARIABLES["LOKET_TASKS_KEEP_DONE_DAYS"])
    tasks_keep_failed_days: int = int(VARIABLES["LOKET_TASKS_KEEP_FAILED_DAYS"])
    # The seal of certificates: key, timestamp authority, trust anchors (loket.certificates).
    seal: dict[str, Any] = field(default_factory=dict, repr=False)
    # OpenID Connect login and session limits (accounts app)
    oidc: OidcClient | None = None
    oidc_agent: OidcClient | None = None
    session_idle_minutes: int = int(VARIABLES["LOKET_SESSION_IDLE_MINUTES"])
    session_max_hours: int = int(VARIABLES["LOKET_SESSION_MAX_HOURS"])
    # Encryption at rest (core.crypto)
    encryption_keys: dict[str, bytes] = field(default_factory=dict, repr=False)
    encryption_key_id: str = ""
    blind_index_key: str = field(default=DEMO_BLIND_INDEX_KEY, repr=False)
    # Fees (loket.payments): the payment providers offered, and the account paid by transfer.
    payment_providers: tuple[str, ...] = ("demo", "transfer")
    payment_account: dict[str, str] = field(default_factory=lambda: dict(DEMO_PAYMENT_ACCOUNT))
    # The card providers' addresses and keys (loket.config.payments), secrets out of repr.
    payment_settings: ProviderSettings = field(
        default_factory=lambda: provider_settings(Environment({})), repr=False
    )
    # security.txt and the legal notice: the security contact and the operator.
    statements: Statements = field(default_factory=Statements)
    # Logs (plain or json) and the bearer token of /metrics (loket.config.observability).
    log_format: str = "plain"
    metrics_token: str = field(default="", repr=False)

    @property
    def is_demo(self) -> bool:
        return self.env in ("demo", "development", "test")

    @property
    def mail_server(self) -> MailServer:
        return parse_mail_url(self.email_url)


def _bind(env: Environment, name: str) -> str:
    """The demo listens on this machine only unless told otherwise; a server on every address."""
    if name == "demo" and not env.is_set("LOKET_BIND"):
        return DEMO_BIND
    return env.bind_address("LOKET_BIND")


def _public_url(env: Environment, name: str) -> str:
    """The base of addresses printed on documents (a certificate's verification address). The
    demo's is where it listens, so a document made by its worker points back at it."""
    if name == "demo" and not env.is_set("LOKET_PUBLIC_URL"):
        return f"http://{browser_address(_bind(env, name))}"
    return env.web_address("LOKET_PUBLIC_URL")


def browser_address(bind: str) -> str:
    """The address to open in a browser for where a server listens: a wildcard or loopback
    host is reached through localhost, the primary host of the demo's regional door (127.0.0.1
    would be redirected there)."""
    host, _, port = bind.rpartition(":")
    loopback = ("0.0.0.0", "::", "[::]", "", "127.0.0.1")  # noqa: S104 - only compared
    shown = "localhost" if host in loopback else host
    return f"{shown}:{port}"


def load(environ: Mapping[str, str] | None = None) -> Config:
    """Read the ``LOKET_*`` variables, apply safe defaults and refuse unsafe production setups."""
    env = Environment(os.environ if environ is None else environ)
    name = env.text("LOKET_ENV").lower()
    if name not in ENVIRONMENTS:
        raise ConfigurationError(f"LOKET_ENV={name!r} is not one of {', '.join(ENVIRONMENTS)}.")
    var_dir = Path(env.text("LOKET_VAR_DIR") or BASE_DIR / "var")
    email_url = env.text("LOKET_EMAIL_URL")
    parse_mail_url(email_url)  # refuses a malformed one now rather than at the first e-mail
    config = Config(
        env=name,
        debug=env.flag("LOKET_DEBUG", default=name == "development"),
        secret_key=env.text("LOKET_SECRET_KEY"),
        signing_key=env.text("LOKET_SIGNING_KEY"),
        pseudonym_key=env.text("LOKET_PSEUDONYM_KEY"),
        database=_database(env, name, var_dir),
        allowed_hosts=env.names("LOKET_ALLOWED_HOSTS"),
        media_root=Path(env.text("LOKET_MEDIA_ROOT") or var_dir / "media"),
        static_root=Path(env.text("LOKET_STATIC_ROOT") or var_dir / "static"),
        email_url=email_url,
        sources=env.json_object("LOKET_SOURCES"),
        map_tiles_url=env.text("LOKET_MAP_TILES_URL"),
        branding=env.json_object("LOKET_BRANDING"),
        urbis_feed_token=env.text("LOKET_URBIS_FEED_TOKEN"),
        trusted_proxies=tuple(env.names("LOKET_TRUSTED_PROXIES")),
        source_endpoints=env.json_object("LOKET_SOURCE_ENDPOINTS"),
        rate_limits={variable: env.rate(variable) for variable in RATE_LIMIT_VARIABLES},
        bind=_bind(env, name),
        workers=env.whole_number("LOKET_WORKERS", minimum=1),
        public_url=_public_url(env, name),
        opendata_threshold=env.whole_number("LOKET_OPENDATA_THRESHOLD", minimum=1),
        opendata_rounding=env.whole_number("LOKET_OPENDATA_ROUNDING", minimum=0),
        opendata_contact=env.email_address("LOKET_OPENDATA_CONTACT"),
        tasks_keep_done_days=env.whole_number("LOKET_TASKS_KEEP_DONE_DAYS", minimum=1),
        tasks_keep_failed_days=env.whole_number("LOKET_TASKS_KEEP_FAILED_DAYS", minimum=1),
        seal=seal_settings(env, var_dir),
        payment_providers=tuple(env.names("LOKET_PAYMENT_PROVIDERS")),
        payment_account=_payment_account(env),
        payment_settings=provider_settings(env),
        statements=statement_settings(env),
        **observability_settings(env),
        **oidc_settings(env),
        **encryption_settings(env, production=name == "production"),
    )
    if name != "production":
        # Static files are served from the apps in development; whitenoise wants the folder.
        config.static_root.mkdir(parents=True, exist_ok=True)
    if name == "production":
        problems = production_problems(config)
        if problems:
            raise ConfigurationError("Loket refuses to start in production: " + "; ".join(problems))
    return config


def _payment_account(env: Environment) -> dict[str, str]:
    """The account transfers are paid to: ``{"iban": …, "bic": …, "name": …}``; an empty name
    stands for the name of the administration that handles the case."""
    account = env.json_object("LOKET_PAYMENT_ACCOUNT") or dict(DEMO_PAYMENT_ACCOUNT)
    if set(account) != {"iban", "bic", "name"}:
        raise ConfigurationError("LOKET_PAYMENT_ACCOUNT must give exactly iban, bic and name")
    return {key: str(value) for key, value in account.items()}


def _database(env: Environment, name: str, var_dir: Path) -> dict[str, object]:
    url = env.text("LOKET_DATABASE_URL") or f"sqlite:///{var_dir / 'loket.sqlite3'}"
    if name == "test" and env.is_set("LOKET_TEST_DATABASE_URL"):
        url = env.text("LOKET_TEST_DATABASE_URL")
    try:
        database: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    except ValueError as problem:  # an unknown scheme; the message names it, not the password
        variable = "LOKET_TEST_DATABASE_URL" if name == "test" else "LOKET_DATABASE_URL"
        raise ConfigurationError(f"{variable}: {problem}") from None
    if str(database["ENGINE"]).endswith("sqlite3"):
        if database["NAME"] and database["NAME"] != ":memory:":
            Path(str(database["NAME"])).parent.mkdir(parents=True, exist_ok=True)
        database["CONN_MAX_AGE"] = 0
        database["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    else:
        # PostgreSQL: values sent apart from the SQL, and a statement seen twice on a connection
        # prepared there (psycopg), so PostgreSQL plans it once, not on every request: the
        # back-office queue's query took 10 ms to plan and 0.5 ms to run. Behind PgBouncer in
        # transaction mode this needs PgBouncer 1.21 or later (docs/operations.md). The URL's own
        # options (sslmode, connect_timeout, …) are kept, and may set these two otherwise.
        given = dict(database.get("OPTIONS") or {})  # type: ignore[call-overload]
        database["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 2, **given}
    return database


def production_problems(config: Config) -> list[str]:
    """Name every reason why ``config`` is unsafe to run in production."""
    problems = []
    if config.debug:
        problems.append("LOKET_DEBUG is on (debug pages leak personal data)")
    if str(config.database["ENGINE"]).endswith("sqlite3"):
        problems.append("the database is SQLite (set LOKET_DATABASE_URL to PostgreSQL)")
    if not config.allowed_hosts or "*" in config.allowed_hosts:
        problems.append("LOKET_ALLOWED_HOSTS must list the public host names, not '*'")
    if not config.public_url:
        problems.append(
            "LOKET_PUBLIC_URL is not set (certificates print it in their verification QR code)"
        )
    elif config.public_url.startswith("http:"):
        problems.append("LOKET_PUBLIC_URL must be an https:// address")
    # A source still on its demo adapter is refused once the apps are loaded (the adapter's
    # ``demo`` attribute, loket.sources.checks): this module cannot import adapters.
    for source in REGISTERS:
        endpoint = config.source_endpoints.get(source, {})
        if str(endpoint.get("url", "https:")).startswith("http:") and endpoint.get("token"):
            problems.append(f"LOKET_SOURCE_ENDPOINTS[{source!r}] sends a token over plain http")
    if "demo" in config.payment_providers:
        problems.append("LOKET_PAYMENT_PROVIDERS offers the demo payment page (no money moves)")
    if config.payment_account == DEMO_PAYMENT_ACCOUNT and "transfer" in config.payment_providers:
        problems.append("LOKET_PAYMENT_ACCOUNT is not set (transfers would go to the demo account)")
    problems.extend(provider_problems(config.payment_providers, config.payment_settings))
    problems.extend(oidc_problems(config.oidc, config.oidc_agent))
    problems.extend(seal_problems(config.seal))
    problems.extend(statement_problems(config.statements))
    named_keys = {
        "LOKET_SECRET_KEY": config.secret_key,
        "LOKET_SIGNING_KEY": config.signing_key,
        "LOKET_PSEUDONYM_KEY": config.pseudonym_key,
        "LOKET_BLIND_INDEX_KEY": config.blind_index_key,
    }
    problems.extend(key_problems(named_keys, config.encryption_keys, config.encryption_key_id))
    return problems
