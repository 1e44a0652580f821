"""Recomputing the whole access log and checking every signed tree head against it.

Used by ``loket audit verify``. Reads the log once, in index order, with constant memory: each
entry's hash is recomputed from its fields (the index included, so reordering shows), the running
root is compared with every signed head at its size, and consecutive heads are checked for
consistency with RFC 9162 proofs built from the stored subtrees.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC
from itertools import pairwise
from typing import Any

from django.db import connection, transaction

from loket.audit.log import node
from loket.audit.merkle import (
    StreamingRoot,
    consistency_proof_from_nodes,
    leaf_hash,
    verify_consistency,
)
from loket.audit.models import TreeHead, leaf_bytes
from loket.audit.signing import key_id, public_key_bytes, verify_head

COLUMNS = (
    "leaf_index", "created_at", "subject_pseudonym", "subject_kind", "actor_pseudonym",
    "actor_role", "acting_for_pseudonym", "administration_id", "procedure_id", "case_reference",
    "source", "attributes", "purpose", "legal_basis_id", "outcome", "leaf_hash",
)  # fmt: skip


@dataclass
class Report:
    entries: int = 0
    heads: int = 0
    problems: list[str] = field(default_factory=list)
    unsigned_tail: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _rows(chunk: int = 10_000) -> Iterator[tuple[Any, ...]]:
    """All entries in index order, straight from the driver (a server-side cursor on
    PostgreSQL): verification reads millions of rows and the ORM would triple its cost."""
    columns = list(COLUMNS)
    if connection.vendor == "postgresql":  # the time as the leaf spells it, without datetimes
        columns[1] = (
            "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') || '+00:00'"
        )
    sql = f"SELECT {', '.join(columns)} FROM audit_accesslogentry ORDER BY leaf_index"  # noqa: S608
    connection.ensure_connection()
    raw = connection.connection
    with transaction.atomic():
        if connection.vendor == "postgresql":
            cursor = raw.cursor(name="loket_audit_verify")
        else:
            cursor = raw.cursor()
        try:
            cursor.execute(sql)
            while rows := cursor.fetchmany(chunk):
                yield from rows
        finally:
            cursor.close()


def _recomputed_leaf(row: tuple[Any, ...]) -> bytes:
    time = row[1]
    if not isinstance(time, str):  # SQLite's driver gives a datetime, naive in UTC
        moment = time if time.tzinfo else time.replace(tzinfo=UTC)
        time = moment.astimezone(UTC).isoformat(timespec="microseconds")
    attributes = row[11] if isinstance(row[11], list) else json.loads(row[11])
    return leaf_hash(
        leaf_bytes(
            row[0], time, row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9],
            row[10], attributes, row[12], row[13], row[14],
        )
    )  # fmt: skip


def verify_log() -> Report:
    report = Report()
    heads = list(TreeHead.objects.order_by("tree_size"))
    public = public_key_bytes()
    for head in heads:
        if head.key_id != key_id(public) or not verify_head(
            head.tree_size, bytes(head.root_hash), head.signed_at, bytes(head.signature), public
        ):
            report.problems.append(f"tree head of size {head.tree_size}: bad signature")
    pending = iter(heads)
    next_head = next(pending, None)
    tree = StreamingRoot()
    for row in _rows():
        expected = tree.size
        index = int(row[0])
        if index != expected:
            report.problems.append(f"entry #{expected} is missing (the next entry is #{index})")
            return report
        recomputed = _recomputed_leaf(row)
        if recomputed != bytes(row[-1]):
            report.problems.append(f"entry #{index} was changed (its hash does not match)")
            return report
        tree.add(recomputed)
        while next_head is not None and next_head.tree_size == tree.size:
            if tree.root() != bytes(next_head.root_hash):
                report.problems.append(
                    f"tree head of size {next_head.tree_size} does not match the log: "
                    f"an entry up to #{next_head.tree_size - 1} was changed"
                )
                return report
            report.heads += 1
            next_head = next(pending, None)
    report.entries = tree.size
    if next_head is not None:
        report.problems.append(
            f"tree head of size {next_head.tree_size} covers entries that are missing: "
            f"the log ends at entry #{tree.size - 1}"
        )
        return report
    for older, newer in pairwise(heads):
        proof = consistency_proof_from_nodes(older.tree_size, newer.tree_size, node)
        if not verify_consistency(
            older.tree_size, newer.tree_size, bytes(older.root_hash), bytes(newer.root_hash), proof
        ):
            report.problems.append(
                f"tree heads of size {older.tree_size} and {newer.tree_size} are not consistent"
            )
    report.unsigned_tail = tree.size - (heads[-1].tree_size if heads else 0)
    return report
