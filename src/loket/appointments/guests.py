"""A guest's contact details: a phone number written as people write it, and the contact key.

``phonenumbers`` is not installed in this project, so phone numbers are checked by the rules of
the Belgian numbering plan (BIPT) written out below, and numbers of other countries only by the
shape E.164 gives every number (a country code, at most 15 digits in all).
"""

from __future__ import annotations

import re

SEPARATORS = re.compile(r"[\s./()\-\u00a0]")
DIGITS = re.compile(r"^\d+$")
MOBILE = ("45", "46", "47", "48", "49")


def normalize_phone(text: str) -> str | None:
    """``text`` as E.164 (``+32470123456``), or None when it cannot be a phone number.

    Belgian numbers may be written nationally (``0470 12 34 56``, ``02/123.45.67``) or
    internationally (``+32 470…``, ``0032 470…``, with or without the trunk ``(0)``); a Belgian
    number has 8 digits after the country code (fixed lines) or 9 beginning with 45-49 (mobiles).
    """
    compact = SEPARATORS.sub("", text.strip()).replace("+32(0)", "+32")
    if compact.startswith("+"):
        international = compact[1:]
    elif compact.startswith("00"):
        international = compact[2:]
    elif compact.startswith("0"):
        international = "32" + compact[1:]
    else:
        return None
    if not DIGITS.match(international) or international.startswith("0"):
        return None
    if international.startswith("32"):
        national = international[2:]
        national = national[1:] if national.startswith("0") else national  # the trunk "(0)"
        # 045-049 are mobile prefixes only, so an 8-digit 04… is Liège's zone, not 045-049.
        fixed = len(national) == 8 and national[0] != "0" and national[:2] not in MOBILE
        mobile = len(national) == 9 and national[:2] in MOBILE
        return "+32" + national if fixed or mobile else None
    if 8 <= len(international) <= 15:
        return "+" + international
    return None


def contact_key(phone: str, email: str) -> list[str]:
    """The keys that identify one guest for the abuse limits: each contact given, normalised."""
    keys = []
    if phone:
        keys.append(f"phone:{phone}")
    if email:
        keys.append(f"email:{email.strip().lower()}")
    return keys
