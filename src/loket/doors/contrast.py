"""WCAG 2.2 contrast (success criterion 1.4.3), the design system's rule for an accent colour.

An accent is the header's background and the colour of links on the white page: it must reach
4.5:1 against white and against the text shown on it (white by default). No colour reaches 4.5:1
against both white and Loket's near-black text, so dark text on an accent always fails.
"""

from __future__ import annotations

import re

WHITE = "#ffffff"
MINIMUM_CONTRAST = 4.5
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def relative_luminance(colour: str) -> float:
    """WCAG 2.2 relative luminance of a #rrggbb colour."""
    if not HEX_COLOUR.match(colour):
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def weakest_contrast(accent: str, text_on_accent: str = WHITE) -> tuple[float, str]:
    """The lowest contrast of the accent, against white and against its text, and with which."""
    return min((contrast_ratio(accent, other), other) for other in (WHITE, text_on_accent))
