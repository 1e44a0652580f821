"""``loket check --deploy``: the production refusals of loket.config as system checks, plus HTTPS.

Under ``LOKET_ENV=production`` an unsafe environment already stops Loket at start-up (loket.config
raises and the ``loket`` command prints the reasons, exit 2). These checks say the same thing
when the settings did load: in another environment (an operator checking a staging copy with
``LOKET_ENV=demo``), or when a settings module derived from ours weakens what settings.py sets
(HTTPS cookies, HSTS, the proxy's scheme header). Every message names the setting to fix.
A source still served by a demo adapter is reported by the sources app (loket.sources.checks,
loket.E004): that needs the adapter classes, which only load once the apps are ready.

Django's own deploy checks still run beside these. Those that do not apply to Loket are
silenced in settings.py (SILENCED_SYSTEM_CHECKS): W008 (SSL redirect: the reverse proxy
terminates TLS and redirects; Loket trusts its X-Forwarded-Proto, loket.E003 checks that),
W005/W021 (HSTS on subdomains and preload: the region's domain has other services that are not
Loket's to decide for).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from loket.config import DEMO_KEY_PREFIX, Config, production_problems

ONE_YEAR = 60 * 60 * 24 * 365
KEY_SETTINGS = ("LOKET_SECRET_KEY", "LOKET_SIGNING_KEY", "LOKET_PSEUDONYM_KEY")


def _weak_keys(config: Config) -> list[str]:
    """Keys long enough for loket.config but of a handful of characters (Django's W009 rule)."""
    keys = (config.secret_key, config.signing_key, config.pseudonym_key)
    return [
        f"{name} uses fewer than 5 different characters (generate a random key)"
        for name, value in zip(KEY_SETTINGS, keys, strict=True)
        if not value.startswith(DEMO_KEY_PREFIX) and len(set(value)) < 5
    ]


def _https_problems() -> list[str]:
    problems = []
    if not getattr(settings, "SESSION_COOKIE_SECURE", False):
        problems.append("SESSION_COOKIE_SECURE is off (the session cookie would travel in clear)")
    if not getattr(settings, "CSRF_COOKIE_SECURE", False):
        problems.append("CSRF_COOKIE_SECURE is off")
    if (getattr(settings, "SECURE_HSTS_SECONDS", 0) or 0) < ONE_YEAR:
        problems.append("SECURE_HSTS_SECONDS is below one year (HSTS)")
    if not getattr(settings, "SECURE_SSL_REDIRECT", False) and not getattr(
        settings, "SECURE_PROXY_SSL_HEADER", None
    ):
        problems.append(
            "neither SECURE_SSL_REDIRECT nor SECURE_PROXY_SSL_HEADER is set (plain HTTP accepted)"
        )
    return problems


@register(Tags.security, deploy=True)
def check_production_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """One error per unsafe setting; ``loket check --deploy`` then exits non-zero."""
    config: Config = settings.CONFIG
    errors: list[CheckMessage] = [
        Error(problem, hint="See docs/operations.md, configuration.", id="loket.E001")
        for problem in production_problems(config) + _weak_keys(config)
    ]
    errors += [
        Error(problem, hint="settings.py sets it under LOKET_ENV=production.", id="loket.E003")
        for problem in _https_problems()
    ]
    return errors
