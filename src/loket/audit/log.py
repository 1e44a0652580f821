"""Appending to the access log and signing tree heads. The only writers of the log tables.

Appends are serialised by locking the single ``LogState`` row, so every entry gets the next
leaf index with no gap; the perfect subtrees completed by the new leaf are stored at once, so a
root or a proof never needs to rehash the log. On PostgreSQL one append is one statement (the
function of append_function.py); on SQLite the same steps run here in Python.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from loket.audit.merkle import EMPTY_ROOT, leaf_hash, node_hash
from loket.audit.models import AccessLogEntry, LogState, MerkleNode, TreeHead
from loket.audit.signing import key_id, sign_head

HEAD_INTERVAL = timedelta(minutes=1)


def node(level: int, index: int) -> bytes:
    """The hash of the perfect subtree ``index`` at ``level`` (level 0: a leaf hash)."""
    if level == 0:
        return bytes(
            AccessLogEntry.objects.values_list("leaf_hash", flat=True).get(leaf_index=index)
        )
    return bytes(MerkleNode.objects.values_list("hash", flat=True).get(level=level, index=index))


def perfect_subtrees(size: int) -> list[tuple[int, int]]:
    """The (level, index) of the perfect subtrees that make up a tree of ``size`` leaves, left
    to right: one per bit set in ``size``, largest first."""
    subtrees = []
    start = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size & (1 << level):
            subtrees.append((level, start >> level))
            start += 1 << level
    return subtrees


def root_at(size: int) -> bytes:
    """The Merkle tree hash of the first ``size`` leaves, in O(log size) reads."""
    if size == 0:
        return EMPTY_ROOT
    hashes = [node(level, index) for level, index in perfect_subtrees(size)]
    root = hashes[-1]
    for left in reversed(hashes[:-1]):
        root = node_hash(left, root)
    return root


def append(fields: dict[str, Any]) -> AccessLogEntry:
    """Append one entry; sign a tree head if the last one is more than a minute old."""
    if connection.vendor == "postgresql":
        return _append_in_database(fields)
    with transaction.atomic():
        state = _locked_state()
        now = timezone.now()
        entry = AccessLogEntry(leaf_index=state.size, created_at=now, **fields)
        entry.leaf_hash = leaf_hash(entry.leaf_data())
        state.frontier, completed = _extend(state.size, bytes(state.frontier), entry.leaf_hash)
        state.size += 1
        if state.last_head_at is None or now - state.last_head_at >= HEAD_INTERVAL:
            _sign(state)
        entry.save(force_insert=True)
        MerkleNode.objects.bulk_create(completed)
        state.save(update_fields=["size", "frontier", "last_head_at"])
    return entry


APPEND_ARGUMENTS = (
    "subject_pseudonym", "subject_kind", "actor_pseudonym", "actor_role", "acting_for_pseudonym",
    "administration_id", "procedure_id", "case_reference", "source", "attributes", "purpose",
    "legal_basis_id", "outcome",
)  # fmt: skip


def _append_in_database(fields: dict[str, Any]) -> AccessLogEntry:
    """The append as one statement (``loket_append_entry``, see append_function.py): in
    autocommit it is its own transaction, committed when it returns. A head, when one is due, is
    signed just after, in a transaction of its own under the log's lock (``sign_tree_head``)."""
    values = {"acting_for_pseudonym": "", "case_reference": "", **fields}
    arguments = [values[name] for name in APPEND_ARGUMENTS]
    arguments[APPEND_ARGUMENTS.index("attributes")] = json.dumps(list(values["attributes"]))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM loket_append_entry(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb,"
            " %s, %s, %s)",
            arguments,
        )
        pk, index, at, digest, last_head_at = cursor.fetchone()
    entry = AccessLogEntry(
        pk=pk, leaf_index=index, created_at=at, leaf_hash=bytes(digest), **values
    )
    entry._state.adding = False
    if last_head_at is None or at - last_head_at >= HEAD_INTERVAL:
        sign_tree_head()
    return entry


def _locked_state() -> LogState:
    """The state row, locked until the end of the transaction (created if it is missing: a
    database emptied by a test runner, or restored from a partial dump)."""
    if connection.vendor != "postgresql":
        LogState.objects.get_or_create(id=1)
        return LogState.objects.select_for_update().get(id=1)
    with connection.cursor() as cursor:  # the hot path: one round trip, no ORM
        cursor.execute(
            "SELECT size, frontier, last_head_at FROM audit_logstate WHERE id = 1 FOR UPDATE"
        )
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                "INSERT INTO audit_logstate (id, size, frontier) VALUES (1, 0, '') "
                "ON CONFLICT (id) DO NOTHING"
            )
            cursor.execute(
                "SELECT size, frontier, last_head_at FROM audit_logstate WHERE id = 1 FOR UPDATE"
            )
            row = cursor.fetchone()
    size, frontier, last_head_at = row
    state = LogState(id=1, size=size, frontier=bytes(frontier), last_head_at=last_head_at)
    state._state.adding = False  # it exists: saving it must UPDATE
    return state


ENTRY_COLUMNS = [str(f.column) for f in AccessLogEntry._meta.concrete_fields if not f.primary_key]


def append_many(many: list[dict[str, Any]], batch_size: int = 5000) -> int:
    """Append entries in bulk under one lock (imports, replays, benchmarks): same tree, same
    hashes as ``append`` one by one, a fraction of the round trips."""
    with transaction.atomic():
        state = _locked_state()
        frontier = bytes(state.frontier)
        now = timezone.now()
        for start in range(0, len(many), batch_size):
            entries, nodes = [], []
            for fields in many[start : start + batch_size]:
                entry = AccessLogEntry(leaf_index=state.size, created_at=now, **fields)
                entry.leaf_hash = leaf_hash(entry.leaf_data())
                entries.append(entry)
                frontier, completed = _extend(state.size, frontier, entry.leaf_hash)
                nodes.extend(completed)
                state.size += 1
            AccessLogEntry.objects.bulk_create(entries)
            MerkleNode.objects.bulk_create(nodes)
        state.frontier = frontier
        _sign(state)
        state.save(update_fields=["size", "frontier", "last_head_at"])
    return len(many)


def _extend(index: int, frontier: bytes, leaf: bytes) -> tuple[bytes, list[MerkleNode]]:
    """Add leaf ``index`` to the tree whose perfect subtrees are ``frontier``: the new frontier,
    and the subtrees the leaf completes (to be stored)."""
    hashes = [frontier[i : i + 32] for i in range(0, len(frontier), 32)]
    completed = []
    carry, level = leaf, 0
    while index & (1 << level):
        carry = node_hash(hashes.pop(), carry)
        level += 1
        completed.append(MerkleNode(level=level, index=index >> level, hash=carry))
    return b"".join([*hashes, carry]), completed


def sign_tree_head() -> TreeHead | None:
    """Sign the current tree now (on demand). None when the log is empty."""
    with transaction.atomic():
        state = _locked_state()
        if state.size == 0:
            return None
        head = _sign(state)
        state.save(update_fields=["last_head_at"])
        return head


def sign_pending() -> TreeHead | None:
    """Sign a head if entries were appended since the last one (the periodic
    ``audit.sign-head``); None when every entry is already covered by a signed head."""
    last = TreeHead.objects.order_by("-tree_size").values_list("tree_size", flat=True).first()
    if LogState.objects.filter(size__gt=last or 0).exists():
        return sign_tree_head()
    return None


def _sign(state: LogState) -> TreeHead:
    """Sign the tree of ``state.size`` leaves (the caller holds the lock and saves ``state``)."""
    existing = TreeHead.objects.filter(tree_size=state.size).first()
    if existing is not None:
        return existing
    root = _frontier_root(bytes(state.frontier))
    state.last_head_at = timezone.now()
    return TreeHead.objects.create(
        tree_size=state.size,
        root_hash=root,
        signed_at=state.last_head_at,
        key_id=key_id(),
        signature=sign_head(state.size, root, state.last_head_at),
    )


def _frontier_root(frontier: bytes) -> bytes:
    hashes = [frontier[i : i + 32] for i in range(0, len(frontier), 32)]
    if not hashes:
        return EMPTY_ROOT
    root = hashes[-1]
    for left in reversed(hashes[:-1]):
        root = node_hash(left, root)
    return root


def head_covering(index: int) -> TreeHead:
    """The latest signed head, signing a new one if it does not yet contain leaf ``index``."""
    head = TreeHead.objects.order_by("-tree_size").first()
    if head is None or head.tree_size <= index:
        head = sign_tree_head()
        assert head is not None and head.tree_size > index
    return head
