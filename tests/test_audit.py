"""The access log: a Merkle tree of consultations, signed heads, verification, proofs, triggers."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from loket.audit.actions import do_record_consultation
from loket.audit.gauges import access_log_gauges
from loket.audit.immutability import create_triggers_sql, drop_triggers_sql
from loket.audit.log import root_at, sign_tree_head
from loket.audit.merkle import leaf_hash, root_from_leaf_hashes, verify_inclusion
from loket.audit.models import AccessLogEntry, MerkleNode, TreeHead
from loket.audit.proofs import ProofError, check_proof, proof_document
from loket.audit.signing import key_id
from loket.audit.tasks import SIGN_TASK
from loket.audit.verify import verify_log
from loket.tasks.queue import PERIODIC, enqueue, run_until_empty


def record(n: int, subject: str = "a" * 64) -> list[AccessLogEntry]:
    return [
        do_record_consultation(
            subject_pseudonym=subject,
            subject_kind="person",
            source="population",
            attributes=["identity", "address"],
            procedure_id="residents-parking-card",
            purpose="identify-applicant",
            legal_basis_id="residents-parking-card/identify-applicant",
            actor_pseudonym="b" * 64,
            actor_role="self",
            administration_id="parking-brussels",
            outcome="answered",
        )
        for _ in range(n)
    ]


def audit(*args: str) -> str:
    out = StringIO()
    call_command("audit", *args, stdout=out)
    return out.getvalue()


def without_triggers(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in drop_triggers_sql(connection.vendor):
            cursor.execute(statement)
        for statement in statements:
            cursor.execute(statement)


@pytest.mark.django_db
def test_entries_get_consecutive_indices_and_the_stored_tree_matches_a_recomputed_one() -> None:
    entries = record(13)
    assert [e.leaf_index for e in entries] == list(range(13))
    leaves = [bytes(e.leaf_hash) for e in entries]
    for size in range(1, 14):
        assert root_at(size) == root_from_leaf_hashes(leaves[:size])
    # 13 leaves complete 6 + 3 + 1 perfect subtrees above the leaves.
    assert MerkleNode.objects.count() == 10


@pytest.mark.django_db
def test_awkward_characters_are_hashed_as_the_verifier_spells_the_leaf() -> None:
    # On PostgreSQL the database spells the leaf (loket_append_entry); Python re-spells it.
    awkward = ['quote " backslash \\ tab \t', "line\nbreak \x01 \x1f \x7f", "é ß Ω 🚲 \u2028"]
    entries = [
        do_record_consultation(
            subject_pseudonym=text,
            subject_kind="person",
            source="population",
            attributes=[text, "identity"],
            procedure_id="residents-parking-card",
            purpose=text,
            legal_basis_id=text,
            actor_pseudonym="b" * 64,
            actor_role="self",
            administration_id="parking-brussels",
            outcome="answered",
            case_reference=text[:20],
            acting_for_pseudonym=text,
        )
        for text in awkward
    ]
    for entry in entries:
        stored = AccessLogEntry.objects.get(pk=entry.pk)
        assert bytes(stored.leaf_hash) == bytes(entry.leaf_hash) == leaf_hash(stored.leaf_data())
        assert stored.created_at == entry.created_at
    report = verify_log()
    assert report.ok, report.problems
    assert report.entries == 3


@pytest.mark.django_db
def test_the_first_entry_signs_a_head_and_more_are_signed_on_demand() -> None:
    record(3)
    assert list(TreeHead.objects.values_list("tree_size", flat=True)) == [1]
    head = sign_tree_head()
    assert head is not None and head.tree_size == 3
    assert head.key_id == key_id()


@pytest.mark.django_db
def test_verify_accepts_an_untouched_log() -> None:
    record(9)
    sign_tree_head()
    record(4)
    sign_tree_head()
    assert "access log OK: 13 entries, 3 signed tree heads match" in audit("verify")


@pytest.mark.django_db
def test_update_and_delete_are_refused_by_the_database() -> None:
    record(2)
    for statement in (
        "UPDATE audit_accesslogentry SET purpose = 'x' WHERE leaf_index = 0",
        "DELETE FROM audit_accesslogentry WHERE leaf_index = 1",
        "UPDATE audit_treehead SET tree_size = 5",
        "DELETE FROM audit_merklenode",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert AccessLogEntry.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "column",
    ["purpose", "source", "subject_pseudonym", "administration_id", "outcome", "created_at"],
)
def test_changing_any_field_with_triggers_dropped_is_found_and_named(column: str) -> None:
    record(6)
    sign_tree_head()
    value = "'2020-01-01 00:00:00'" if column == "created_at" else "'tampered'"
    without_triggers([f"UPDATE audit_accesslogentry SET {column} = {value} WHERE leaf_index = 3"])  # noqa: S608
    with pytest.raises(CommandError, match=r"entry #3 was changed"):
        audit("verify")


@pytest.mark.django_db
def test_rewriting_an_entry_and_its_stored_hash_is_caught_by_the_signed_head() -> None:
    entries = record(6)
    sign_tree_head()
    forged = entries[2]
    forged.purpose = "tampered"
    new_hash = __import__("loket.audit.merkle", fromlist=["leaf_hash"]).leaf_hash(
        forged.leaf_data()
    )
    without_triggers([])
    AccessLogEntry.objects.filter(pk=forged.pk).update(purpose="tampered", leaf_hash=new_hash)
    with pytest.raises(CommandError, match=r"tree head of size 6 does not match"):
        audit("verify")


@pytest.mark.django_db
def test_a_deleted_entry_is_found_and_named() -> None:
    record(6)
    sign_tree_head()
    without_triggers(["DELETE FROM audit_accesslogentry WHERE leaf_index = 4"])
    with pytest.raises(CommandError, match=r"entry #4 is missing"):
        audit("verify")


@pytest.mark.django_db
def test_a_deleted_last_entry_is_found() -> None:
    record(6)
    sign_tree_head()
    without_triggers(["DELETE FROM audit_accesslogentry WHERE leaf_index = 5"])
    with pytest.raises(CommandError, match=r"covers entries that are missing"):
        audit("verify")


@pytest.mark.django_db
def test_two_swapped_entries_are_found_and_named() -> None:
    record(3, subject="c" * 64)
    record(3, subject="d" * 64)
    sign_tree_head()
    without_triggers(
        [
            "UPDATE audit_accesslogentry SET leaf_index = -1 WHERE leaf_index = 1",
            "UPDATE audit_accesslogentry SET leaf_index = 1 WHERE leaf_index = 4",
            "UPDATE audit_accesslogentry SET leaf_index = 4 WHERE leaf_index = -1",
        ]
    )
    with pytest.raises(CommandError, match=r"entry #1 was changed"):
        audit("verify")


@pytest.mark.django_db
def test_an_inserted_entry_is_found() -> None:
    entries = record(4)
    sign_tree_head()
    without_triggers(["UPDATE audit_accesslogentry SET leaf_index = leaf_index + 10"])
    # Shifting everything to make room is itself a change of every position.
    with pytest.raises(CommandError, match=r"entry #0 is missing"):
        audit("verify")
    assert len(entries) == 4


@pytest.mark.django_db
def test_a_proof_verifies_offline_and_one_changed_byte_makes_it_fail(tmp_path: Path) -> None:
    entries = record(7)
    document = proof_document(entries[5])
    text = json.dumps(document)
    assert check_proof(text)["index"] == 5
    proof = [base64.b64decode(h) for h in document["inclusion_proof"]]
    root = base64.b64decode(document["tree_head"]["root_hash"])
    assert verify_inclusion(
        5, document["tree_head"]["tree_size"], bytes(entries[5].leaf_hash), proof, root
    )

    path = tmp_path / "proof.json"
    path.write_text(text)
    assert "proof OK: entry #5" in audit("verify-proof", str(path))

    raw = text.encode()
    refused = 0
    for position in range(0, len(raw), max(1, len(raw) // 120)):
        changed = bytearray(raw)
        changed[position] = ord("0") if raw[position] != ord("0") else ord("1")
        try:
            check_proof(bytes(changed).decode("utf-8", "replace"))
        except ProofError:
            refused += 1
        else:  # a change that only touched JSON whitespace or an equivalent spelling
            assert json.loads(bytes(changed).decode()) == json.loads(text)
    assert refused > 100
    path.write_text(
        text.replace('"purpose": "identify-applicant"', '"purpose": "identify-applicanT"')
    )
    with pytest.raises(CommandError, match="proof REFUSED"):
        audit("verify-proof", str(path))


@pytest.mark.django_db
def test_a_proof_signed_by_another_key_is_refused_when_a_key_is_trusted(tmp_path: Path) -> None:
    entries = record(2)
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(proof_document(entries[0])))
    with pytest.raises(CommandError, match="not the trusted"):
        audit("verify-proof", str(path), "--key-id", "0" * 16)
    assert "proof OK" in audit("verify-proof", str(path), "--key-id", key_id())


def test_triggers_exist_for_both_databases() -> None:
    assert len(create_triggers_sql("postgresql")) == 4
    assert len(create_triggers_sql("sqlite")) == 6


@pytest.mark.django_db
def test_bulk_appends_build_the_same_tree_as_single_appends() -> None:
    from loket.audit.log import append_many

    single = record(5)
    fields = {k: v for k, v in single[0].leaf_fields().items()}
    many = [
        {
            "subject_pseudonym": fields["subject"],
            "subject_kind": "person",
            "source": "vehicle",
            "attributes": ["registrations"],
            "procedure_id": "residents-parking-card",
            "purpose": "check-vehicle-ownership",
            "legal_basis_id": "residents-parking-card/check-vehicle-ownership",
            "actor_pseudonym": "b" * 64,
            "actor_role": "self",
            "administration_id": "parking-brussels",
            "outcome": "answered",
        }
    ] * 11
    assert append_many(many, batch_size=4) == 11
    record(3)
    leaves = [
        bytes(h)
        for h in AccessLogEntry.objects.order_by("leaf_index").values_list("leaf_hash", flat=True)
    ]
    assert len(leaves) == 19
    assert root_at(19) == root_from_leaf_hashes(leaves)
    assert "access log OK: 19 entries" in audit("verify")


def unsigned_entries() -> float:
    gauge = next(g for g in access_log_gauges() if g.name == "loket_access_log_unsigned_entries")
    return next(iter(gauge.samples))[1]


@pytest.mark.django_db
def test_the_periodic_task_signs_the_tail_of_a_burst_so_a_quiet_night_leaves_none_unsigned() -> (
    None
):
    record(3)  # the first entry signed a head; the next two wait for the next append
    assert unsigned_entries() == 2
    assert PERIODIC[SIGN_TASK] <= timedelta(minutes=15)
    enqueue(SIGN_TASK, {})
    assert run_until_empty() == 1
    assert unsigned_entries() == 0
    assert TreeHead.objects.order_by("-tree_size").values_list("tree_size", flat=True)[0] == 3
    enqueue(SIGN_TASK, {})  # nothing new appended: no new head
    run_until_empty()
    assert TreeHead.objects.count() == 2
