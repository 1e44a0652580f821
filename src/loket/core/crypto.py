"""Field-level encryption of identifiers at rest, and their keyed blind index.

A value is sealed with AES-256-GCM under the *active* key of the keyring and stored as text
``v1:<key id>:<base64(nonce + ciphertext)>``: the key id travels with every value, so readers
decrypt with whichever key of the ring sealed it, and a rotation can re-encrypt row by row while
the platform runs. The associated data names the table and column, so a ciphertext copied into
another column (or another table) does not decrypt.

Equality lookups cannot use the ciphertext (the nonce is random, so the same number never
encrypts twice to the same text); they use a *blind index* instead: a keyed HMAC of the
normalised value, under a key separate from the encryption keys and from the access log's
pseudonym key. See docs/decisions/0007-encryption-at-rest.md and docs/operations.md ("Keys").
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from loket.config import KEY_ID_PATTERN

FORMAT_VERSION = "v1"
NONCE_BYTES = 12  # 96 bits, the size GCM is designed for
# 128 bits of HMAC-SHA256: no collision among any number of Belgians, half the width of the full
# digest in every index.
INDEX_HEX_CHARS = 32
_SEPARATORS = re.compile(r"[\s./-]")


class DecryptionError(Exception):
    """A stored value does not decrypt: unknown key, tampered text, or copied from elsewhere."""


@dataclass(frozen=True)
class Keyring:
    """The encryption keys by id, the one new values are sealed with, and the blind index key."""

    keys: Mapping[str, bytes]
    active_id: str
    blind_index_key: bytes

    def encrypt(self, plaintext: str, context: str) -> str:
        """Seal ``plaintext`` under the active key, bound to ``context`` (``table.column``)."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.active_id]).encrypt(
            nonce, plaintext.encode(), _associated_data(self.active_id, context)
        )
        body = base64.b64encode(nonce + sealed).decode("ascii")
        return f"{FORMAT_VERSION}:{self.active_id}:{body}"

    def decrypt(self, token: str, context: str) -> str:
        """Open a value sealed by :meth:`encrypt` with any key of the ring."""
        key_id = key_id_of(token)
        key = self.keys.get(key_id)
        if key is None:
            raise DecryptionError(
                f"value in {context} is sealed with key {key_id!r}, "
                "which is not in LOKET_ENCRYPTION_KEYS"
            )
        try:
            raw = base64.b64decode(token.split(":", 2)[2], validate=True)
            opened = AESGCM(key).decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated_data(key_id, context)
            )
        except (InvalidTag, binascii.Error, ValueError):
            raise DecryptionError(
                f"value in {context} does not decrypt (tampered, or copied from another column)"
            ) from None
        return opened.decode()

    def blind_index(self, kind: str, value: str) -> str:
        """The keyed, deterministic fingerprint of ``value`` used for equality lookups.

        ``kind`` (e.g. ``national_number``) separates domains, so an enterprise number and a
        national number that happen to share digits never share an index.
        """
        message = f"{kind}\x00{normalise(value)}".encode()
        digest = hmac.new(self.blind_index_key, message, hashlib.sha256).hexdigest()
        return digest[:INDEX_HEX_CHARS]


def _associated_data(key_id: str, context: str) -> bytes:
    return f"loket:{FORMAT_VERSION}:{key_id}:{context}".encode()


def normalise(value: str) -> str:
    """The form of an identifier that is indexed: no spaces, dots, dashes or slashes."""
    return _SEPARATORS.sub("", str(value)).upper()


def key_id_of(token: str) -> str:
    """The id of the key that sealed ``token``; refuses text that is not a sealed value."""
    parts = token.split(":", 2)
    if len(parts) != 3 or parts[0] != FORMAT_VERSION or not KEY_ID_PATTERN.match(parts[1]):
        raise DecryptionError("stored value is not an encrypted value (expected v1:<key id>:…)")
    return parts[1]


def keyring() -> Keyring:
    """The keyring of the running deployment (settings, read from the environment)."""
    return Keyring(
        keys=settings.LOKET_ENCRYPTION_KEYS,
        active_id=settings.LOKET_ENCRYPTION_KEY_ID,
        blind_index_key=settings.LOKET_BLIND_INDEX_KEY.encode(),
    )


def encrypt(plaintext: str, context: str) -> str:
    return keyring().encrypt(plaintext, context)


def decrypt(token: str, context: str) -> str:
    return keyring().decrypt(token, context)


def blind_index(kind: str, value: str) -> str:
    return keyring().blind_index(kind, value)
