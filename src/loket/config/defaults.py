"""Every ``LOKET_*`` variable Loket reads, with its default: the one table of defaults.

A default is written as the variable would be; an empty default means "unset", and the rule that
applies then is in :func:`loket.config.load` (the comment on the row says which). Reading a name
that is not a row here fails, so this table is the complete list, and a test holds README's
configuration table to it in both directions.
"""

from __future__ import annotations

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent.parent
ENVIRONMENTS = ("production", "demo", "development", "test")

# Keys that ship with the code. They are fine for the demo, the tests and development; a
# production deployment that still uses one of them would let anyone forge sessions, signatures
# or pseudonyms, so it is refused.
DEMO_KEY_PREFIX = "demo-insecure-"
DEMO_SECRET_KEY = DEMO_KEY_PREFIX + "secret-key-change-me-0f5c2a7e"
DEMO_SIGNING_KEY = DEMO_KEY_PREFIX + "signing-key-change-me-91b4"
DEMO_PSEUDONYM_KEY = DEMO_KEY_PREFIX + "pseudonym-key-change-me-7d3e"
DEMO_BLIND_INDEX_KEY = DEMO_KEY_PREFIX + "blind-index-key-change-me-4a8c"
DEMO_ENCRYPTION_KEY_ID = "demo-1"
# base64 of sha256("demo-insecure-encryption-key"): public, so never acceptable in production.
DEMO_ENCRYPTION_KEY = "th0wDKmLknZdUqbIK3IRDdKop/6exOCtgP9e+fE0jDc="

# The rate limits, written requests/seconds (loket.core.ratelimit counts them).
RATE_LIMIT_VARIABLES = (
    "LOKET_API_RATE_LIMIT",  # per API client
    "LOKET_API_ANONYMOUS_RATE_LIMIT",  # per client address on the public API
    "LOKET_SUBMISSION_RATE_LIMIT",  # final submissions per person
    "LOKET_VERIFY_RATE_LIMIT",  # certificate verifications per client address
    "LOKET_GUEST_BOOKING_RATE_LIMIT",  # appointments without an account, per client address
    "LOKET_GUEST_BOOKING_CONTACT_RATE_LIMIT",  # the same, per phone number or e-mail address
    "LOKET_ACCESSIBILITY_REPORT_RATE_LIMIT",  # accessibility problems reported, per address
    "LOKET_FEEDBACK_RATE_LIMIT",  # answers to the feedback questions, per client address
    "LOKET_FEEDBACK_SESSION_RATE_LIMIT",  # the same, per browser session and procedure
)

VARIABLES: dict[str, str] = {
    # --- the deployment ---
    "LOKET_ENV": "development",
    "LOKET_DEBUG": "",  # on in development only
    "LOKET_VAR_DIR": "",  # var/ in the source tree
    "LOKET_DATABASE_URL": "",  # SQLite in LOKET_VAR_DIR
    "LOKET_TEST_DATABASE_URL": "",  # used instead of LOKET_DATABASE_URL when LOKET_ENV=test
    "LOKET_ALLOWED_HOSTS": "127.0.0.1,localhost,.localhost,[::1]",  # .localhost: the demo's doors
    "LOKET_MEDIA_ROOT": "",  # media/ in LOKET_VAR_DIR
    "LOKET_STATIC_ROOT": "",  # static/ in LOKET_VAR_DIR
    "LOKET_BIND": "0.0.0.0:8000",  # loket serve
    "LOKET_WORKERS": "3",  # loket serve
    "LOKET_TRUSTED_PROXIES": "",
    "LOKET_PUBLIC_URL": "",  # demo/test: the request's origin; required in production
    # --- watching it run (loket.config.observability) ---
    "LOKET_LOG_FORMAT": "plain",  # or json: one JSON object per line
    "LOKET_METRICS_TOKEN": "",  # /metrics refuses every caller
    # --- keys ---
    "LOKET_SECRET_KEY": DEMO_SECRET_KEY,
    "LOKET_SIGNING_KEY": DEMO_SIGNING_KEY,
    "LOKET_PSEUDONYM_KEY": DEMO_PSEUDONYM_KEY,
    "LOKET_ENCRYPTION_KEYS": "",  # the demo key, {DEMO_ENCRYPTION_KEY_ID: DEMO_ENCRYPTION_KEY}
    "LOKET_ENCRYPTION_KEY_ID": "",  # the only key of LOKET_ENCRYPTION_KEYS
    "LOKET_BLIND_INDEX_KEY": DEMO_BLIND_INDEX_KEY,
    # --- mail ---
    "LOKET_EMAIL_URL": "console://",
    # --- OpenID Connect: residents, then civil servants ---
    "LOKET_OIDC_ISSUER": "",  # no OpenID login
    "LOKET_OIDC_CLIENT_ID": "",
    "LOKET_OIDC_CLIENT_SECRET": "",
    "LOKET_OIDC_SCOPES": "openid profile",
    "LOKET_OIDC_NATIONAL_NUMBER_CLAIM": "national_number",
    "LOKET_OIDC_ENTERPRISE_CLAIM": "",  # no enterprise from the provider
    "LOKET_OIDC_AGENT_ISSUER": "",  # no OpenID login for civil servants
    "LOKET_OIDC_AGENT_CLIENT_ID": "",
    "LOKET_OIDC_AGENT_CLIENT_SECRET": "",
    "LOKET_OIDC_AGENT_SCOPES": "openid profile",
    "LOKET_OIDC_AGENT_GROUPS_CLAIM": "groups",
    "LOKET_OIDC_AGENT_GROUPS": "",  # no group grants a membership
    "LOKET_SESSION_IDLE_MINUTES": "30",
    "LOKET_SESSION_MAX_HOURS": "8",
    # --- registers ---
    "LOKET_SOURCES": "",  # the demo registers
    "LOKET_SOURCE_ENDPOINTS": "",
    # --- rate limits ---
    "LOKET_API_RATE_LIMIT": "600/60",
    "LOKET_API_ANONYMOUS_RATE_LIMIT": "120/60",
    "LOKET_SUBMISSION_RATE_LIMIT": "10/3600",
    "LOKET_VERIFY_RATE_LIMIT": "30/60",
    "LOKET_GUEST_BOOKING_RATE_LIMIT": "5/3600",
    "LOKET_GUEST_BOOKING_CONTACT_RATE_LIMIT": "3/86400",
    "LOKET_ACCESSIBILITY_REPORT_RATE_LIMIT": "5/3600",
    "LOKET_FEEDBACK_RATE_LIMIT": "60/3600",
    "LOKET_FEEDBACK_SESSION_RATE_LIMIT": "5/86400",
    # --- task queue: days a finished task is kept (loket.tasks.queue.prune) ---
    "LOKET_TASKS_KEEP_DONE_DAYS": "7",
    "LOKET_TASKS_KEEP_FAILED_DAYS": "30",
    # --- pages and open data ---
    "LOKET_MAP_TILES_URL": "",  # points on a plain background
    "LOKET_BRANDING": "",  # Loket's own name and colours
    "LOKET_URBIS_FEED_TOKEN": "",  # only Paradigm's staff read the feed
    "LOKET_OPENDATA_THRESHOLD": "5",
    "LOKET_OPENDATA_ROUNDING": "0",  # counts published as they are
    "LOKET_OPENDATA_CONTACT": "opendata@paradigm.brussels",
    # --- the statements of the site: security.txt and the legal notice (loket.config.statements)
    "LOKET_SECURITY_CONTACT": "",  # demo: mailto:security@loket.example; required in production
    "LOKET_SECURITY_POLICY_URL": "",  # no Policy line
    "LOKET_SECURITY_EXPIRES_DAYS": "180",  # Expires: this many days after the request, < 1 year
    "LOKET_OPERATOR_NAME": "",  # the demo operator, marked as such; required in production
    "LOKET_OPERATOR_ADDRESS": "",  # required in production
    "LOKET_OPERATOR_NUMBER": "",  # the enterprise number (KBO/BCE)
    "LOKET_OPERATOR_EMAIL": "",  # required in production
    "LOKET_DPO_EMAIL": "",  # demo: dpo@loket.example; required in production
    # --- fees (loket.payments): the providers offered, and the account transfers are paid to ---
    "LOKET_PAYMENT_PROVIDERS": "demo,transfer",  # the demo page is refused in production
    "LOKET_PAYMENT_ACCOUNT": "",  # the demo account (refused in production)
    "LOKET_PAYMENT_TIMEOUT": "10",  # seconds for one whole exchange with a card provider
    "LOKET_MOLLIE_API_URL": "https://api.mollie.com",
    "LOKET_MOLLIE_API_KEY": "",  # required in production when mollie is offered
    "LOKET_WORLDLINE_API_URL": "https://payment.direct.worldline-solutions.com",
    "LOKET_WORLDLINE_MERCHANT_ID": "",  # the five below: required when worldline is offered
    "LOKET_WORLDLINE_API_KEY_ID": "",
    "LOKET_WORLDLINE_API_SECRET": "",
    "LOKET_WORLDLINE_WEBHOOK_KEY_ID": "",
    "LOKET_WORLDLINE_WEBHOOK_SECRET": "",
    # --- the seal of certificates and decisions (loket.certificates) ---
    "LOKET_SEAL_PKCS12": "",  # the demo seal under var/certificates/ (refused in production)
    "LOKET_SEAL_PASSWORD": "",
    "LOKET_SEAL_PKCS11_MODULE": "",  # no PKCS#11 token
    "LOKET_SEAL_PKCS11_TOKEN": "",
    "LOKET_SEAL_PKCS11_PIN": "",
    "LOKET_SEAL_PKCS11_KEY_LABEL": "",
    "LOKET_SEAL_PKCS11_CERT_LABEL": "",
    "LOKET_SEAL_TRUST_ANCHORS": "",  # the demo root (refused in production)
    "LOKET_TSA_URL": "",  # timestamps made in-process by the demo TSA (refused in production)
}
