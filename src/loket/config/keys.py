"""The keys: Django's secret, signatures, pseudonyms, and encryption at rest (core.crypto)."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from loket.config.defaults import DEMO_ENCRYPTION_KEY, DEMO_ENCRYPTION_KEY_ID, DEMO_KEY_PREFIX
from loket.config.environment import ConfigurationError, Environment

KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")  # stored in every value: no colon
ENCRYPTION_KEY_BYTES = 32  # AES-256
MINIMUM_KEY_LENGTH = 32


def encryption_settings(env: Environment, production: bool) -> dict[str, Any]:
    """The keyring: ``LOKET_ENCRYPTION_KEYS`` ({id: base64 32-byte key}), the active id for new
    writes, and the separate blind index key. Malformed values are refused in every environment."""
    raw = env.json_object("LOKET_ENCRYPTION_KEYS") or {DEMO_ENCRYPTION_KEY_ID: DEMO_ENCRYPTION_KEY}
    keys = _encryption_keys(raw, "LOKET_ENCRYPTION_KEYS")
    key_id = env.text("LOKET_ENCRYPTION_KEY_ID")
    if key_id and key_id not in keys and not production:  # production: listed in key_problems
        raise ConfigurationError(
            f"LOKET_ENCRYPTION_KEY_ID={key_id!r} names no key in LOKET_ENCRYPTION_KEYS"
        )
    if not key_id and not production:
        if len(keys) > 1:
            raise ConfigurationError("LOKET_ENCRYPTION_KEY_ID must name the active key")
        key_id = next(iter(keys))
    return {
        "encryption_keys": keys,
        "encryption_key_id": key_id,
        "blind_index_key": env.text("LOKET_BLIND_INDEX_KEY"),
    }


def _encryption_keys(raw: Mapping[str, object], variable: str) -> dict[str, bytes]:
    keys = {}
    for key_id, encoded in raw.items():
        if not KEY_ID_PATTERN.match(key_id):
            raise ConfigurationError(
                f"{variable}: key id {key_id!r} must be 1-32 of A-Z a-z 0-9 _ -"
            )
        try:
            key = base64.b64decode(str(encoded), validate=True)
        except binascii.Error:
            raise ConfigurationError(f"{variable}[{key_id!r}] is not base64") from None
        if len(key) != ENCRYPTION_KEY_BYTES:
            raise ConfigurationError(
                f"{variable}[{key_id!r}] must decode to {ENCRYPTION_KEY_BYTES} bytes"
            )
        keys[key_id] = key
    return keys


def key_problems(
    named_keys: Mapping[str, str], encryption_keys: Mapping[str, bytes], encryption_key_id: str
) -> list[str]:
    """What makes the keys unsafe for production: demo keys, short keys, shared keys.

    ``named_keys`` maps each secret key's variable to its value, the blind index key included.
    """
    problems = []
    for name, value in named_keys.items():
        if value.startswith(DEMO_KEY_PREFIX):
            problems.append(f"{name} is missing or is the demo key")
        elif len(value) < MINIMUM_KEY_LENGTH:
            problems.append(f"{name} is shorter than {MINIMUM_KEY_LENGTH} characters")
    demo_key = base64.b64decode(DEMO_ENCRYPTION_KEY)
    if not encryption_keys or demo_key in encryption_keys.values():
        problems.append("LOKET_ENCRYPTION_KEYS is missing or holds the demo key")
    if not encryption_key_id:
        problems.append("LOKET_ENCRYPTION_KEY_ID is missing (the key new values are sealed with)")
    elif encryption_key_id not in encryption_keys:
        problems.append(
            f"LOKET_ENCRYPTION_KEY_ID={encryption_key_id!r} names no key in LOKET_ENCRYPTION_KEYS"
        )
    blind = named_keys.get("LOKET_BLIND_INDEX_KEY", "")
    others = [value for name, value in named_keys.items() if name != "LOKET_BLIND_INDEX_KEY"]
    if blind and not blind.startswith(DEMO_KEY_PREFIX) and blind in others:
        problems.append(
            "LOKET_BLIND_INDEX_KEY must differ from LOKET_PSEUDONYM_KEY, LOKET_SECRET_KEY "
            "and LOKET_SIGNING_KEY"
        )
    return problems
