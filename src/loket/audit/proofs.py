"""Proof files: one access-log entry, its inclusion proof and the signed tree head, as JSON.

A citizen (or anyone they give it to) checks it offline with ``loket audit verify-proof FILE``:
the entry's hash, its path to the root, and the Ed25519 signature of the head.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from loket.audit.log import head_covering, node
from loket.audit.merkle import inclusion_proof_from_nodes, leaf_hash, verify_inclusion
from loket.audit.models import AccessLogEntry, canonical_leaf
from loket.audit.signing import b64, key_id, public_key_bytes, verify_head

PROOF_FORMAT = "loket-access-log-proof/v1"


def proof_document(entry: AccessLogEntry) -> dict[str, Any]:
    head = head_covering(entry.leaf_index)
    path = inclusion_proof_from_nodes(entry.leaf_index, head.tree_size, node)
    return {
        "format": PROOF_FORMAT,
        "entry": entry.leaf_fields(),
        "inclusion_proof": [b64(h) for h in path],
        "tree_head": {
            "tree_size": head.tree_size,
            "root_hash": b64(bytes(head.root_hash)),
            "signed_at": head.signed_at.isoformat(timespec="microseconds"),
            "key_id": head.key_id,
            "signature": b64(bytes(head.signature)),
        },
        "public_key": b64(public_key_bytes()),
    }


class ProofError(Exception):
    """The proof file is malformed or does not prove what it claims."""


def _decode(text: str) -> bytes:
    """Strict base64: a spelling that decodes to the same bytes but is not the canonical one
    (unused low bits set) is refused, so that any edit of a proof file is noticed."""
    value = base64.b64decode(text, validate=True)
    if base64.b64encode(value).decode() != text:
        raise ValueError("non-canonical base64")
    return value


def check_proof(text: str, trusted_key_id: str | None = None) -> dict[str, Any]:
    """Check a proof file; return the entry it proves, or raise ``ProofError`` saying why."""
    try:
        document = json.loads(text)
        entry = document["entry"]
        head = document["tree_head"]
        public = _decode(document["public_key"])
        proof = [_decode(h) for h in document["inclusion_proof"]]
        root = _decode(head["root_hash"])
        signature = _decode(head["signature"])
        size = int(head["tree_size"])
        index = int(entry["index"])
        signed_at = datetime.fromisoformat(head["signed_at"])
        leaf = leaf_hash(canonical_leaf(entry))
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as problem:
        raise ProofError(f"not a valid proof file ({problem.__class__.__name__})") from None
    if document.get("format") != PROOF_FORMAT:
        raise ProofError("unknown proof format")
    if key_id(public) != head.get("key_id"):
        raise ProofError("the public key does not match the key id of the tree head")
    if trusted_key_id is not None and key_id(public) != trusted_key_id:
        raise ProofError(f"signed with key {key_id(public)}, not the trusted {trusted_key_id}")
    if not verify_head(size, root, signed_at, signature, public):
        raise ProofError("the tree head's signature is not valid")
    if not verify_inclusion(index, size, leaf, proof, root):
        raise ProofError("the entry is not in the signed tree (inclusion proof fails)")
    return dict(entry)
