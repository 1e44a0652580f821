"""The only functions that write to the access log and the security event log."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from loket.audit.models import AccessLogEntry, SecurityEvent

security_log = logging.getLogger("loket.security")


def do_record_consultation(
    *,
    subject_pseudonym: str,
    source: str,
    attributes: Sequence[str],
    procedure_id: str,
    purpose: str,
    legal_basis: dict[str, str],
    actor_pseudonym: str,
    actor_role: str,
    administration_id: str,
    outcome: str,
) -> AccessLogEntry:
    return AccessLogEntry.objects.create(
        subject_pseudonym=subject_pseudonym,
        source=source,
        attributes=list(attributes),
        procedure_id=procedure_id,
        purpose=purpose,
        legal_basis=legal_basis,
        actor_pseudonym=actor_pseudonym,
        actor_role=actor_role,
        administration_id=administration_id,
        outcome=outcome,
    )


def do_record_security_event(kind: str, actor_pseudonym: str = "", **detail: Any) -> None:
    """Log a refused attempt both to the log stream (for operations) and to the database (DPO)."""
    security_log.warning("%s actor=%s %s", kind, actor_pseudonym[:12], detail)
    SecurityEvent.objects.create(kind=kind, actor_pseudonym=actor_pseudonym, detail=detail)
