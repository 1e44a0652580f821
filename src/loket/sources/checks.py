"""Production refuses demo adapters: at start-up, and in ``loket check --deploy`` elsewhere.

The settings cannot tell (config.py runs before the apps are loaded, so it cannot import an
adapter to read its ``demo`` attribute); this module does it once the apps are ready.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from loket.config import ConfigurationError
from loket.sources.registry import demo_adapter_problems


def refuse_demo_adapters_in_production() -> None:
    """Stop Loket under ``LOKET_ENV=production`` while a source is served by a demo adapter,
    the same way config.py stops it on an unsafe setting (the ``loket`` command prints it)."""
    if getattr(settings, "LOKET_ENV", "") != "production":
        return
    problems = demo_adapter_problems()
    if problems:
        raise ConfigurationError("Loket refuses to start in production: " + "; ".join(problems))


@register(Tags.security, deploy=True)
def check_source_adapters(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return [
        Error(problem, hint="See docs/sources.md, configuring Loket.", id="loket.E004")
        for problem in demo_adapter_problems()
    ]
