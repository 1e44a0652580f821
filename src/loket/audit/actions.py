"""The only functions that write to the access log and the security event log."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from loket.audit import log
from loket.audit.models import AccessLogEntry, SecurityEvent

security_log = logging.getLogger("loket.security")


def do_record_consultation(
    *,
    subject_pseudonym: str,
    subject_kind: str,
    source: str,
    attributes: Sequence[str],
    procedure_id: str,
    purpose: str,
    legal_basis_id: str,
    actor_pseudonym: str,
    actor_role: str,
    administration_id: str,
    outcome: str,
    acting_for_pseudonym: str = "",
    case_reference: str = "",
) -> AccessLogEntry:
    """Append one consultation to the tamper-evident access log."""
    return log.append(
        {
            "subject_pseudonym": subject_pseudonym,
            "subject_kind": subject_kind,
            "source": source,
            "attributes": list(attributes),
            "procedure_id": procedure_id,
            "purpose": purpose,
            "legal_basis_id": legal_basis_id,
            "actor_pseudonym": actor_pseudonym,
            "actor_role": actor_role,
            "acting_for_pseudonym": acting_for_pseudonym,
            "administration_id": administration_id,
            "case_reference": case_reference,
            "outcome": outcome,
        }
    )


def do_record_security_event(kind: str, actor_pseudonym: str = "", **detail: Any) -> None:
    """Log a refused attempt both to the log stream (for operations) and to the database (DPO)."""
    security_log.warning("%s actor=%s %s", kind, actor_pseudonym[:12], detail)
    SecurityEvent.objects.create(kind=kind, actor_pseudonym=actor_pseudonym, detail=detail)


def record_rate_limited(sender: object, *, key: str, limit: int, seconds: int, **_: Any) -> None:
    """Receiver of ``loket.core.ratelimit.rate_limited`` (connected in ``AuditConfig.ready``):
    the first refused request of a window is a security event."""
    do_record_security_event("rate-limited", key=key, limit=limit, seconds=seconds)
