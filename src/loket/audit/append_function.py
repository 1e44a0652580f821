"""The append of one access-log entry as a PostgreSQL function: one round trip instead of four.

``loket_append_entry(...)`` does, in the caller's transaction, what ``log.append`` does in Python
on SQLite: lock the ``LogState`` row, take the next leaf index, hash the canonical leaf
(``models.leaf_bytes``, spelled with ``to_json`` so that strings are escaped exactly as
``json.encoder.encode_basestring`` escapes them), store the perfect subtrees the leaf completes,
and save the new size and frontier. A BEGIN, the lock, the write and the COMMIT were a round trip
each; in autocommit the one statement is the whole transaction, and it commits (durably, as
every acknowledged write) before the door returns what it read. ``loket audit verify`` recomputes
every hash in Python, so a leaf spelled differently here would be caught at once.
"""

from __future__ import annotations

CREATE = r"""
CREATE OR REPLACE FUNCTION loket_append_entry(
    p_subject text, p_subject_kind text, p_actor text, p_actor_role text, p_acting_for text,
    p_administration text, p_procedure text, p_case text, p_source text, p_attributes jsonb,
    p_purpose text, p_legal_basis text, p_outcome text,
    OUT entry_id bigint, OUT leaf bigint, OUT at timestamptz, OUT digest bytea,
    OUT last_head timestamptz
) LANGUAGE plpgsql AS $$
DECLARE
    v_frontier bytea;
    v_carry bytea;
    v_level int := 0;
    v_attributes text;
BEGIN
    SELECT s.size, s.frontier, s.last_head_at INTO leaf, v_frontier, last_head
        FROM audit_logstate s WHERE s.id = 1 FOR UPDATE;
    IF NOT FOUND THEN  -- a database emptied by a test runner, or restored from a partial dump
        INSERT INTO audit_logstate (id, size, frontier) VALUES (1, 0, '')
            ON CONFLICT (id) DO NOTHING;
        SELECT s.size, s.frontier, s.last_head_at INTO leaf, v_frontier, last_head
            FROM audit_logstate s WHERE s.id = 1 FOR UPDATE;
    END IF;
    at := clock_timestamp();  -- once the lock is held, as in Python: times follow the indices
    SELECT coalesce(string_agg(to_json(a.value)::text, ',' ORDER BY a.n), '') INTO v_attributes
        FROM jsonb_array_elements_text(p_attributes) WITH ORDINALITY AS a(value, n);
    digest := sha256('\x00'::bytea || convert_to(
        '{"acting_for":' || to_json(p_acting_for)::text
        || ',"actor":' || to_json(p_actor)::text
        || ',"actor_role":' || to_json(p_actor_role)::text
        || ',"administration":' || to_json(p_administration)::text
        || ',"attributes":[' || v_attributes || ']'
        || ',"case":' || to_json(p_case)::text
        || ',"format":"loket-access-log/v1"'
        || ',"index":' || leaf::text
        || ',"legal_basis":' || to_json(p_legal_basis)::text
        || ',"outcome":' || to_json(p_outcome)::text
        || ',"procedure":' || to_json(p_procedure)::text
        || ',"purpose":' || to_json(p_purpose)::text
        || ',"source":' || to_json(p_source)::text
        || ',"subject":' || to_json(p_subject)::text
        || ',"subject_kind":' || to_json(p_subject_kind)::text
        || ',"time":"' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')
        || '+00:00"}', 'UTF8'));
    INSERT INTO audit_accesslogentry (
        leaf_index, created_at, subject_pseudonym, subject_kind, actor_pseudonym, actor_role,
        acting_for_pseudonym, administration_id, procedure_id, case_reference, source,
        attributes, purpose, legal_basis_id, outcome, leaf_hash
    ) VALUES (
        leaf, at, p_subject, p_subject_kind, p_actor, p_actor_role, p_acting_for,
        p_administration, p_procedure, p_case, p_source, p_attributes, p_purpose,
        p_legal_basis, p_outcome, digest
    ) RETURNING id INTO entry_id;
    -- The subtrees completed by this leaf: one per trailing 1 bit of its index (log._extend).
    v_carry := digest;
    WHILE (leaf >> v_level) & 1 = 1 LOOP
        v_carry := sha256('\x01'::bytea
            || substring(v_frontier FROM length(v_frontier) - 31 FOR 32) || v_carry);
        v_frontier := substring(v_frontier FROM 1 FOR length(v_frontier) - 32);
        v_level := v_level + 1;
        INSERT INTO audit_merklenode (level, index, hash)
            VALUES (v_level, leaf >> v_level, v_carry);
    END LOOP;
    UPDATE audit_logstate SET size = leaf + 1, frontier = v_frontier || v_carry WHERE id = 1;
END;
$$"""

DROP = "DROP FUNCTION IF EXISTS loket_append_entry"
