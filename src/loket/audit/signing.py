"""Ed25519 signatures of tree heads, with a key derived from ``LOKET_SIGNING_KEY``.

The private key never leaves the deployment's configuration; the public key and its id are
published (they are in every proof file), so anyone can check a tree head offline.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

HEAD_FORMAT = "loket-tree-head/v1"


@cache
def _private_key(secret: str) -> Ed25519PrivateKey:
    seed = hashlib.sha256(b"loket tree head signing key\x00" + secret.encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def private_key() -> Ed25519PrivateKey:
    return _private_key(settings.LOKET_SIGNING_KEY)


def public_key_bytes() -> bytes:
    return private_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public: bytes | None = None) -> str:
    return hashlib.sha256(public or public_key_bytes()).hexdigest()[:16]


def head_message(tree_size: int, root: bytes, signed_at: datetime) -> bytes:
    """What is signed: format, size, root and time, one per line."""
    stamp = signed_at.isoformat(timespec="microseconds")
    return f"{HEAD_FORMAT}\n{tree_size}\n{root.hex()}\n{stamp}\n".encode()


def sign_head(tree_size: int, root: bytes, signed_at: datetime) -> bytes:
    return private_key().sign(head_message(tree_size, root, signed_at))


def verify_head(
    tree_size: int, root: bytes, signed_at: datetime, signature: bytes, public: bytes
) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(
            signature, head_message(tree_size, root, signed_at)
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
