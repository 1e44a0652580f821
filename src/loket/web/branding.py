"""The name, logo and accent colour in the header: the door's (#18), within the contrast rules.

A request through a door (``request.door``, set by ``web.doors.DoorMiddleware``) carries that
door's brand, checked when the door was saved (``doors.actions.check_accent``). Without doors the
deployment's ``LOKET_BRANDING`` setting (a dict, from JSON in the environment) applies, e.g.
``{"name": "Loket Ixelles", "logo": "loket/logos/ixelles.svg", "accent": "#6b2c91"}``; its accent
is refused (ImproperlyConfigured) below 4.5:1 against white and against its text
(``accent_text``, white by default), the rule of ``doors.contrast``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from loket.doors.contrast import MINIMUM_CONTRAST, WHITE, contrast_ratio, relative_luminance
from loket.doors.models import Door

__all__ = ["branding", "check_accent", "contrast_ratio", "relative_luminance"]


@cache  # a deployment setting: checked once per process, not on every page
def check_accent(colour: str, text_on_accent: str = WHITE) -> str:
    """Return the accent colour if it is readable on white and under its text, else refuse it."""
    for other in (WHITE, text_on_accent):
        ratio = contrast_ratio(colour, other)
        if ratio < MINIMUM_CONTRAST:
            raise ImproperlyConfigured(
                f"LOKET_BRANDING accent {colour} has a contrast of {ratio:.2f}:1 with {other}; "
                f"at least {MINIMUM_CONTRAST}:1 is needed"
            )
    return colour


def door_branding(door: Door) -> dict[str, str]:
    return {
        "name": door.name,
        "logo": door.logo,
        "accent": door.accent,
        "accent_text": door.accent_text if door.accent else "",
    }


def branding(request: HttpRequest) -> dict[str, Any]:
    """Context processor: ``loket_branding`` (name, logo, checked accent) and ``loket_door``."""
    door: Door | None = getattr(request, "door", None)
    if door is not None:
        return {"loket_branding": door_branding(door), "loket_door": door}
    configured: dict[str, str] = getattr(settings, "LOKET_BRANDING", None) or {}
    accent = configured.get("accent", "")
    accent_text = configured.get("accent_text", WHITE)
    return {
        "loket_door": None,
        "loket_branding": {
            "name": configured.get("name", ""),
            "logo": configured.get("logo", ""),
            "accent": check_accent(accent, accent_text) if accent else "",
            "accent_text": accent_text if accent else "",
        },
    }
