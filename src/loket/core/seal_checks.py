"""Production refuses a DEMO seal: at start-up, and in ``loket check --deploy``.

config.py refuses missing settings; only once the apps are loaded can the seal's certificate be
read to see whether its name says DEMO.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

from loket.config import ConfigurationError
from loket.core.seal import SealUnavailable, material


def seal_problems() -> list[str]:
    try:
        material()
    except (ImproperlyConfigured, SealUnavailable) as problem:
        return [str(problem)]
    return []


def refuse_demo_seal_in_production() -> None:
    if getattr(settings, "LOKET_ENV", "") != "production":
        return
    problems = seal_problems()
    if problems:
        raise ConfigurationError("Loket refuses to start in production: " + "; ".join(problems))


@register(Tags.security, deploy=True)
def check_seal(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if getattr(settings, "LOKET_ENV", "") != "production":
        return []
    return [
        Error(problem, hint="See docs/operations.md, certificates.", id="loket.E005")
        for problem in seal_problems()
    ]
