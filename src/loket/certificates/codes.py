"""Verification codes: 160 random bits in base32, read in groups of four.

Only the SHA-256 of a code is stored. A code typed by hand is normalised first: case, spaces
and dashes do not matter, and the digits people confuse with letters are read as those letters.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

CODE_BYTES = 20  # 160 bits: far beyond guessing, even without the rate limit
GROUP = 4
_CONFUSED = str.maketrans({"0": "O", "1": "I", "8": "B"})
_NOT_BASE32 = re.compile(r"[^A-Z2-7]")


def new_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode().rstrip("=")
    return group(raw)


def group(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise(typed: str) -> str:
    """The code as issued (grouped), from what someone typed or a URL carried; "" if it cannot
    be one (wrong length or characters)."""
    cleaned = _NOT_BASE32.sub("", typed.upper().translate(_CONFUSED))
    expected = len(base64.b32encode(bytes(CODE_BYTES)).decode().rstrip("="))
    return group(cleaned) if len(cleaned) == expected else ""


def digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()
