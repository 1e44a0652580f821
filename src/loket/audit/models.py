"""The access log (who consulted whose data, why), its Merkle tree, and the security event log.

Each consultation is one leaf of an RFC 9162 Merkle tree. Entries hold pseudonyms (keyed HMAC of
the national or enterprise number) and codes, never personal data, so erasing a person's data
never touches the log. The log tables refuse UPDATE and DELETE (database triggers, see the
migration); ``loket audit verify`` proves nothing was changed, removed, added or reordered.
"""

from __future__ import annotations

from datetime import UTC
from json.encoder import encode_basestring
from typing import Any

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

LEAF_FORMAT = "loket-access-log/v1"

# The order of "newest first" that the subject index holds (see AccessLogEntry.Meta.indexes).
NEWEST_FIRST = F("leaf_index") * -1


class AccessLogEntry(models.Model):
    """One consultation of one authentic source for one subject: one leaf of the tree."""

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("Data received")
        UNAVAILABLE = "unavailable", _("Register unavailable")

    class ActorRole(models.TextChoices):
        SELF = "self", _("You")
        AGENT = "agent", _("Civil servant")
        HELPER = "helper", _("Mandated helper")
        COUNTER = "counter", _("Agent at a counter")
        GRANTOR = "grantor", _("Person giving you a mandate")

    leaf_index = models.BigIntegerField(unique=True, help_text="Position in the Merkle tree.")
    created_at = models.DateTimeField(db_index=True)
    subject_pseudonym = models.CharField(max_length=64)
    subject_kind = models.CharField(max_length=20)
    actor_pseudonym = models.CharField(max_length=64)
    actor_role = models.CharField(max_length=20, choices=ActorRole.choices)
    acting_for_pseudonym = models.CharField(
        max_length=64, blank=True, help_text="The principal, when a helper acts under a mandate."
    )
    administration_id = models.CharField(
        max_length=40, help_text="The administration on whose behalf the data was read."
    )
    procedure_id = models.CharField(max_length=60)
    case_reference = models.CharField(max_length=20, blank=True)
    source = models.CharField(max_length=40)
    attributes = models.JSONField()
    purpose = models.CharField(max_length=60)
    legal_basis_id = models.CharField(
        max_length=140, help_text="procedure/purpose: the need that declared the legal basis."
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    leaf_hash = models.BinaryField(max_length=32)

    class Meta:
        ordering = ["-leaf_index"]
        # "Who consulted my data": a person's entries newest first, one range per pseudonym. The
        # key is -leaf_index, an expression, so that only this index can give that order: with
        # a plain leaf_index, stale statistics made PostgreSQL walk the unique index on
        # leaf_index backwards through everyone's entries (docs/operations.md).
        indexes = [
            models.Index(F("subject_pseudonym"), NEWEST_FIRST, name="audit_entry_subject_newest")
        ]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")

    def __str__(self) -> str:
        return f"#{self.leaf_index} {self.source} {self.purpose}"

    def leaf_data(self) -> bytes:
        """The canonical bytes hashed into the tree: every field, the position included."""
        return canonical_leaf(self.leaf_fields())

    def leaf_fields(self) -> dict[str, Any]:
        return {
            "format": LEAF_FORMAT,
            "index": self.leaf_index,
            "time": self.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "subject": self.subject_pseudonym,
            "subject_kind": self.subject_kind,
            "actor": self.actor_pseudonym,
            "actor_role": self.actor_role,
            "acting_for": self.acting_for_pseudonym,
            "administration": self.administration_id,
            "procedure": self.procedure_id,
            "case": self.case_reference,
            "source": self.source,
            "attributes": list(self.attributes),
            "purpose": self.purpose,
            "legal_basis": self.legal_basis_id,
            "outcome": self.outcome,
        }


def leaf_bytes(
    index: int,
    time: str,
    subject: str,
    subject_kind: str,
    actor: str,
    actor_role: str,
    acting_for: str,
    administration: str,
    procedure: str,
    case: str,
    source: str,
    attributes: list[str],
    purpose: str,
    legal_basis: str,
    outcome: str,
) -> bytes:
    """The leaf: compact JSON with sorted keys, exactly what ``json.dumps(fields,
    sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` gives, written out directly
    because verification hashes millions of them."""
    e = encode_basestring
    listed = ",".join(e(a) for a in attributes)
    return (
        f'{{"acting_for":{e(acting_for)},"actor":{e(actor)},"actor_role":{e(actor_role)},'
        f'"administration":{e(administration)},"attributes":[{listed}],"case":{e(case)},'
        f'"format":"{LEAF_FORMAT}","index":{int(index)},"legal_basis":{e(legal_basis)},'
        f'"outcome":{e(outcome)},"procedure":{e(procedure)},"purpose":{e(purpose)},'
        f'"source":{e(source)},"subject":{e(subject)},"subject_kind":{e(subject_kind)},'
        f'"time":{e(time)}}}'
    ).encode()


def canonical_leaf(fields: dict[str, Any]) -> bytes:
    """The leaf of a proof file's ``entry``; refuses an entry of another format."""
    if fields.get("format") != LEAF_FORMAT:
        raise ValueError("unknown leaf format")
    return leaf_bytes(**{k: v for k, v in fields.items() if k != "format"})


class MerkleNode(models.Model):
    """The hash of a complete (perfect) subtree of 2**level leaves, stored as leaves arrive.

    With them a root or a proof for any tree size costs O(log n) reads instead of rehashing the
    whole log. They are a cache of the leaves: ``loket audit verify`` recomputes everything.
    """

    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "index"], name="one_node_per_position")
        ]

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"


class LogState(models.Model):
    """One row: the number of leaves. Locking it serialises appends, so indices have no gaps.

    ``frontier`` holds the hashes of the perfect subtrees that make up the current tree (one per
    bit set in ``size``, largest first, 32 bytes each): an append needs no other read.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(default=0)
    frontier = models.BinaryField(default=b"")
    last_head_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"access log of {self.size} entries"


class TreeHead(models.Model):
    """A signed tree head: the root of the first ``tree_size`` leaves, signed with Ed25519."""

    tree_size = models.BigIntegerField(unique=True)
    root_hash = models.BinaryField(max_length=32)
    signed_at = models.DateTimeField()
    key_id = models.CharField(max_length=32)
    signature = models.BinaryField(max_length=64)

    class Meta:
        ordering = ["tree_size"]

    def __str__(self) -> str:
        return f"tree head of {self.tree_size} entries"


class SecurityEvent(models.Model):
    """A refusal that matters for security: forbidden data access, a case outside one's tenancy."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=60)
    actor_pseudonym = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind}"
