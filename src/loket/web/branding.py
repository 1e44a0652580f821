"""Each deployment's name, logo and accent colour in the header, within the contrast rules.

Read from the ``LOKET_BRANDING`` setting (a dict, from JSON in the environment), e.g.
``{"name": "Loket Ixelles", "logo": "loket/logos/ixelles.svg", "accent": "#6b2c91"}``. The logo is
a static path. The accent is the header's background and the colour of links on the white page;
it is refused (ImproperlyConfigured) unless it reaches 4.5:1 against white (the page) and against
the text colour shown on it (``accent_text``, white by default), so both stay readable (WCAG 2.2,
1.4.3). No colour reaches 4.5:1 against both white and Loket's near-black text, so dark text on
the accent is always refused: the header's text on an accent is light.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

WHITE = "#ffffff"
MINIMUM_CONTRAST = 4.5
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def relative_luminance(colour: str) -> float:
    """WCAG 2.2 relative luminance of a #rrggbb colour."""
    if not _HEX.match(colour):
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


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


def branding(request: HttpRequest) -> dict[str, Any]:
    """Context processor: ``loket_branding`` with name, logo and a checked accent colour."""
    configured: dict[str, str] = getattr(settings, "LOKET_BRANDING", None) or {}
    accent = configured.get("accent", "")
    accent_text = configured.get("accent_text", WHITE)
    return {
        "loket_branding": {
            "name": configured.get("name", ""),
            "logo": configured.get("logo", ""),
            "accent": check_accent(accent, accent_text) if accent else "",
            "accent_text": accent_text if accent else "",
        }
    }
