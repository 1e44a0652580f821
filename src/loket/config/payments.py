"""The card payment providers (loket.payments.providers): Mollie and Worldline Direct.

Their keys are secrets: they are kept out of ``repr`` and never logged. Production refuses a
provider that is offered (``LOKET_PAYMENT_PROVIDERS``) without the settings it needs, naming each
missing variable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from loket.config.environment import Environment

WORLDLINE_REQUIRED = ("MERCHANT_ID", "API_KEY_ID", "API_SECRET", "WEBHOOK_KEY_ID", "WEBHOOK_SECRET")


@dataclass(frozen=True)
class MollieSettings:
    api_url: str
    api_key: str = field(default="", repr=False)


@dataclass(frozen=True)
class WorldlineSettings:
    api_url: str
    merchant_id: str = ""
    api_key_id: str = ""
    api_secret: str = field(default="", repr=False)
    webhook_key_id: str = ""
    webhook_secret: str = field(default="", repr=False)


@dataclass(frozen=True)
class ProviderSettings:
    """Everything the card providers need, and the deadline of one exchange with them."""

    mollie: MollieSettings
    worldline: WorldlineSettings
    timeout: float


def provider_settings(env: Environment) -> ProviderSettings:
    return ProviderSettings(
        mollie=MollieSettings(
            api_url=env.web_address("LOKET_MOLLIE_API_URL"),
            api_key=env.text("LOKET_MOLLIE_API_KEY"),
        ),
        worldline=WorldlineSettings(
            api_url=env.web_address("LOKET_WORLDLINE_API_URL"),
            **{name.lower(): env.text(f"LOKET_WORLDLINE_{name}") for name in WORLDLINE_REQUIRED},
        ),
        timeout=float(env.whole_number("LOKET_PAYMENT_TIMEOUT", minimum=1)),
    )


def provider_problems(offered: tuple[str, ...], settings: ProviderSettings) -> list[str]:
    """Why the offered card providers cannot take real payments; each names its variable."""
    problems = []
    if "mollie" in offered:
        key = settings.mollie.api_key
        if not key:
            problems.append("LOKET_MOLLIE_API_KEY is missing (Mollie is offered)")
        elif not key.startswith("live_"):
            problems.append("LOKET_MOLLIE_API_KEY is not a live key (no money would move)")
        if not settings.mollie.api_url.startswith("https://"):
            problems.append("LOKET_MOLLIE_API_URL must be an https:// address")
    if "worldline" in offered:
        problems += [
            f"LOKET_WORLDLINE_{name} is missing (Worldline is offered)"
            for name in WORLDLINE_REQUIRED
            if not getattr(settings.worldline, name.lower())
        ]
        if not settings.worldline.api_url.startswith("https://"):
            problems.append("LOKET_WORLDLINE_API_URL must be an https:// address")
    return problems
