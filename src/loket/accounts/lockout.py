"""Lockout after repeated failed logins, per client address and per account, in the database.

``FAILURE_LIMIT`` failures within ``WINDOW`` lock the address (or the account) until the oldest
of them leaves the window; the lockout is answered with 429 and ``Retry-After``. The database
(not a per-process cache) keeps the count right across workers.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from loket.accounts.models import LoginFailure
from loket.audit.actions import do_record_security_event

FAILURE_LIMIT = 10
WINDOW = timedelta(minutes=15)
KEEP = timedelta(days=1)


def _retry_after(**lookup: str) -> int | None:
    now = timezone.now()
    times = list(
        LoginFailure.objects.filter(created_at__gt=now - WINDOW, **lookup)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:FAILURE_LIMIT]
    )
    if len(times) < FAILURE_LIMIT:
        return None
    # Allowed again when the FAILURE_LIMIT-th most recent failure leaves the window.
    return max(1, int((times[-1] + WINDOW - now).total_seconds()) + 1)


def retry_after(ip_address: str, account: str = "") -> int | None:
    """Seconds until a login may be tried again, or None when it may be tried now."""
    waits = [_retry_after(ip_address=ip_address)] if ip_address else []
    if account:
        waits.append(_retry_after(account=account))
    known = [wait for wait in waits if wait is not None]
    return max(known) if known else None


def record_failure(ip_address: str, account: str, reason: str) -> None:
    """Count a failed login; the failure that reaches the limit records a security event."""
    now = timezone.now()
    LoginFailure.objects.filter(created_at__lt=now - KEEP).delete()
    LoginFailure.objects.create(ip_address=ip_address, account=account, reason=reason[:60])
    since = now - WINDOW
    for field, value in (("ip_address", ip_address), ("account", account)):
        if value and (
            LoginFailure.objects.filter(created_at__gt=since, **{field: value}).count()
            == FAILURE_LIMIT
        ):
            do_record_security_event(
                "login_locked_out",
                actor_pseudonym=account if field == "account" else "",
                by=field,
                ip_address=ip_address,
                minutes=int(WINDOW.total_seconds() // 60),
            )
