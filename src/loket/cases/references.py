"""Case references people can read on the phone: ``2026-K7QM-4XPA``.

The alphabet leaves out letters that are confused with digits (I, L, O, U), and the code is
random, so references reveal neither how many cases exist nor whose they are.
"""

from __future__ import annotations

import secrets

from django.utils import timezone

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    code = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{timezone.localdate().year}-{code[:4]}-{code[4:]}"


def normalise_reference(value: str) -> str:
    """Accept what people type: lower case, spaces, O for 0 and I/L for 1."""
    compact = value.upper().replace(" ", "").replace("O", "0").replace("I", "1").replace("L", "1")
    parts = compact.replace("-", "")
    if len(parts) != 12:
        return compact
    return f"{parts[:4]}-{parts[4:8]}-{parts[8:]}"
