"""Django settings for Loket. Every deployment choice is a ``LOKET_*`` variable (loket.config)."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from loket import config as loket_config
from loket.observe.logs import logging_config

CONFIG = loket_config.load()
BASE_DIR = loket_config.BASE_DIR
PACKAGE_DIR = Path(__file__).resolve().parent

LOKET_ENV = CONFIG.env
LOKET_DEMO = CONFIG.is_demo
LOKET_SIGNING_KEY = CONFIG.signing_key
LOKET_PSEUDONYM_KEY = CONFIG.pseudonym_key
# Encryption at rest (core.crypto): keyring, active key id, blind index key.
# See docs/operations.md ("Keys").
LOKET_ENCRYPTION_KEYS = CONFIG.encryption_keys
LOKET_ENCRYPTION_KEY_ID = CONFIG.encryption_key_id
LOKET_BLIND_INDEX_KEY = CONFIG.blind_index_key
LOKET_SOURCES = CONFIG.sources
LOKET_SOURCE_ENDPOINTS = CONFIG.source_endpoints
DEBUG = CONFIG.debug
SECRET_KEY = CONFIG.secret_key
ALLOWED_HOSTS = CONFIG.allowed_hosts
# Hosts of a door that answer in place instead of redirecting to the door's primary host
# (web.doors): in tests, the test client's ``testserver`` (added to the region's door) and
# 127.0.0.1, where the fault tests' and the benchmarks' real servers are reached.
DOOR_HOSTS_SERVED_IN_PLACE: tuple[str, ...] = ()
if LOKET_ENV == "test":
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
    DOOR_HOSTS_SERVED_IN_PLACE = ("testserver", "127.0.0.1")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "loket.core",
    "loket.doors",
    "loket.registers",
    "loket.catalog",
    "loket.sources",
    "loket.audit",
    "loket.tasks",
    "loket.geo",
    "loket.forms",
    "loket.cases",
    "loket.mandates",
    "loket.notify",
    "loket.certificates",
    "loket.payments",
    "loket.incidents",
    "loket.assist",
    "loket.appointments",
    "loket.privacy",
    "loket.performance",
    "loket.opendata",
    "loket.api",
    "loket.accounts",
    "loket.web",
]

MIDDLEWARE = [
    # First: the request id, the JSON request line and the request metrics see every response.
    "loket.web.observability.RequestObservationMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "loket.web.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "loket.web.doors.DoorMiddleware",  # which door: an unknown host is a 400
    "loket.accounts.hosts.SessionHostMiddleware",  # a session holds on its own host only
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "loket.accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "loket.web.resilience.DatabaseUnavailableMiddleware",  # a database outage is a quick 503
    "loket.web.typography.FrenchTypographyMiddleware",  # "Référence :", "1er janvier"
]
if LOKET_ENV == "test":
    # Server-Timing and X-SQL-Statements on every response, for the benchmarks (bench.journey).
    MIDDLEWARE.insert(0, "loket.web.cost.RequestCostMiddleware")

ROOT_URLCONF = "loket.urls"
WSGI_APPLICATION = "loket.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "loket.web.context.loket",
                "loket.web.branding.branding",
            ],
            # {% url %} with the argument-less addresses reversed once per process.
            "builtins": ["loket.web.templatetags.constant_urls"],
        },
    },
]

# Django's widget templates, the commonest written in Python (the same HTML, tested).
FORM_RENDERER = "loket.web.form_renderer.QuickWidgets"

DATABASES = {"default": CONFIG.database}
# Persistent connections are checked before reuse: a restarted PostgreSQL costs no failed request.
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["loket.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Brussels"

STATIC_URL = "/static/"
STATIC_ROOT = CONFIG.static_root
MEDIA_ROOT = CONFIG.media_root
# Production and the demo serve collected static files (`loket collectstatic`; `loket demo`
# collects them before serving): hashed names, brotli and gzip copies, cached for a year and
# immutable, on every door (docs/sustainability.md). Development and the tests serve the apps'
# files as they are, without a collect step.
STATIC_COLLECTED = LOKET_ENV in ("production", "demo")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_COLLECTED
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_COLLECTED

# Database sessions, read with a query compiled once per process.
SESSION_ENGINE = "loket.accounts.sessions"
# The logged-in account, read the same way. Django's own backend stays listed second so that a
# session made before it was added (which names Django's) stays valid until it ends.
AUTHENTICATION_BACKENDS = [
    "loket.accounts.backends.AccountBackend",
    "django.contrib.auth.backends.ModelBackend",
]
SESSION_COOKIE_HTTPONLY = True
# Host-only cookies (no Domain attribute): a door's session is never sent to another door.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = CONFIG.session_max_hours * 60 * 60
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# OpenID Connect login and session limits (accounts app, read at request time).
LOKET_OIDC = CONFIG.oidc
LOKET_OIDC_AGENT = CONFIG.oidc_agent
LOKET_SESSION_IDLE_MINUTES = CONFIG.session_idle_minutes
LOKET_SESSION_MAX_HOURS = CONFIG.session_max_hours
# Reverse proxies whose X-Forwarded-For is believed (for rate limits and logs), comma-separated.
LOKET_TRUSTED_PROXIES = CONFIG.trusted_proxies
# The map's tile layer (UrbIS WMTS in production); empty: points on a plain background.
LOKET_MAP_TILES_URL = CONFIG.map_tiles_url
# Name, logo and accent colour of the deployment (JSON; the accent must keep 4.5:1 contrast).
LOKET_BRANDING = CONFIG.branding
# The bearer token of the address register's owner for the correction feed (/urbis/feed.*).
LOKET_URBIS_FEED_TOKEN = CONFIG.urbis_feed_token
# Rate limits as (requests, seconds): per API client, per address on the public API, and
# final submissions per person (loket.core.ratelimit).
LOKET_API_RATE_LIMIT = CONFIG.rate_limits["LOKET_API_RATE_LIMIT"]
LOKET_API_ANONYMOUS_RATE_LIMIT = CONFIG.rate_limits["LOKET_API_ANONYMOUS_RATE_LIMIT"]
LOKET_SUBMISSION_RATE_LIMIT = CONFIG.rate_limits["LOKET_SUBMISSION_RATE_LIMIT"]
LOKET_VERIFY_RATE_LIMIT = CONFIG.rate_limits["LOKET_VERIFY_RATE_LIMIT"]
# Appointments booked without an account: per client address, and per phone number or e-mail.
LOKET_GUEST_BOOKING_RATE_LIMIT = CONFIG.rate_limits["LOKET_GUEST_BOOKING_RATE_LIMIT"]
LOKET_GUEST_BOOKING_CONTACT_RATE_LIMIT = CONFIG.rate_limits[
    "LOKET_GUEST_BOOKING_CONTACT_RATE_LIMIT"
]
LOKET_ACCESSIBILITY_REPORT_RATE_LIMIT = CONFIG.rate_limits["LOKET_ACCESSIBILITY_REPORT_RATE_LIMIT"]
# Answers to the feedback questions (loket.performance): per browser session and procedure, and
# a higher ceiling per client address (a help point's computers share one address).
LOKET_FEEDBACK_RATE_LIMIT = CONFIG.rate_limits["LOKET_FEEDBACK_RATE_LIMIT"]
LOKET_FEEDBACK_SESSION_RATE_LIMIT = CONFIG.rate_limits["LOKET_FEEDBACK_SESSION_RATE_LIMIT"]
LOKET_SEAL = CONFIG.seal  # certificates: seal key, timestamp authority, trust anchors
# Days a finished task stays in the queue's table: done, and failed for good (loket.tasks).
LOKET_TASKS_KEEP_DONE_DAYS = CONFIG.tasks_keep_done_days
LOKET_TASKS_KEEP_FAILED_DAYS = CONFIG.tasks_keep_failed_days
# Where notification e-mails go (loket.notify.tasks), e.g. smtp://user:password@host:587?tls=1.
LOKET_EMAIL_URL = CONFIG.email_url
# The base of public URIs (open data's DCAT-AP catalogue); empty: the request's own origin.
LOKET_PUBLIC_URL = CONFIG.public_url
# Open data's disclosure control and contact point (loket.opendata).
LOKET_OPENDATA_THRESHOLD = CONFIG.opendata_threshold
LOKET_OPENDATA_ROUNDING = CONFIG.opendata_rounding
LOKET_OPENDATA_CONTACT = CONFIG.opendata_contact
LOKET_STATEMENTS = CONFIG.statements  # security.txt and the legal notice
# Django deploy checks that do not apply (loket.core.deploy_checks says why): TLS ends at the
# reverse proxy, which redirects to HTTPS (loket.E003 checks the proxy header instead, W008); HSTS
# for subdomains and preload are the region's domain's decision, not Loket's (W005, W021).
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W008", "security.W021"]
if LOKET_ENV == "production":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365

# Plain text by default; LOKET_LOG_FORMAT=json: one JSON line per event (loket.observe.logs).
LOKET_LOG_FORMAT = CONFIG.log_format
LOGGING = logging_config(CONFIG.log_format)
LOKET_METRICS_TOKEN = CONFIG.metrics_token  # the bearer token of /metrics

# Names shown in the interface for the deployment (one region, many administrations).
LOKET_PLATFORM_NAME = _("Loket Brussels")
