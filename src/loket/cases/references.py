"""Case references that can be read on the phone: ``BRU-2026-0473915-62``.

Seven random digits (they reveal neither how many cases exist nor whose they are) and two check
digits (97 minus the number modulo 97, as on Belgian structured payment references), so a
mistyped reference is caught before anyone searches for it.
"""

from __future__ import annotations

import re
import secrets

from django.utils import timezone

PATTERN = re.compile(r"^BRU-(\d{4})-(\d{7})-(\d{2})$")


def check_digits(year: int, number: int) -> int:
    value = year * 10_000_000 + number
    return 97 - value % 97


def new_reference() -> str:
    year = timezone.localdate().year
    number = secrets.randbelow(10_000_000)
    return f"BRU-{year}-{number:07d}-{check_digits(year, number):02d}"


def normalise_reference(value: str) -> str:
    """Accept what people type (spaces, dots, lower case, no dashes); '' if it cannot be one."""
    digits = re.sub(r"\D", "", value)
    if len(digits) != 13:
        return ""
    year, number, check = int(digits[:4]), int(digits[4:11]), int(digits[11:])
    if check_digits(year, number) != check:
        return ""
    return f"BRU-{year}-{number:07d}-{check:02d}"


def is_valid(reference: str) -> bool:
    return bool(PATTERN.match(reference)) and normalise_reference(reference) == reference
