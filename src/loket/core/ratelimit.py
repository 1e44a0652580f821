"""Rate limits in the database, so that every worker process counts the same requests.

A fixed window per key: ``limit`` requests per ``seconds``, read from the settings (each a
``(requests, seconds)`` pair, loaded by ``loket.config``):

- ``LOKET_API_RATE_LIMIT``: per API client;
- ``LOKET_API_ANONYMOUS_RATE_LIMIT``: per client address on the public API (the catalogue and
  the address API);
- ``LOKET_SUBMISSION_RATE_LIMIT``: final submissions per person.

The first refusal in a window sends :data:`rate_limited` (the audit app records it as a security
event; core sits below audit, so it tells it with a signal rather than calling it).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.dispatch import Signal
from django.http import HttpRequest
from django.utils import timezone

from loket.core.client import client_address
from loket.core.models import RateCounter
from loket.core.problems import too_many_requests
from loket.tasks.queue import every, handler

KEEP = timedelta(days=1)
EXPIRE_TASK = "core.rate-counters-expire"

# Sent once per key and window, on the first refused request: key, limit, seconds.
rate_limited = Signal()


def limit_for(setting: str) -> tuple[int, int]:
    requests, seconds = getattr(settings, setting)
    return int(requests), max(1, int(seconds))


def _window_start(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def _count(key: str, start: datetime) -> int:
    """Add one to the window's counter and return it: one upsert statement, safe when several
    processes count the same key at once (PostgreSQL and SQLite ≥ 3.35 both take it)."""
    table = connection.ops.quote_name(RateCounter._meta.db_table)  # the model's, not input
    sql = (
        f'INSERT INTO {table} ("key", "window_start", "count") VALUES (%s, %s, 1) '  # noqa: S608
        f'ON CONFLICT ("key", "window_start") DO UPDATE SET "count" = {table}."count" + 1 '
        'RETURNING "count"'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, start])
        row = cursor.fetchone()
    return int(row[0])


def hit(key: str, setting: str) -> int | None:
    """Count one request for ``key``; return the seconds to wait when over the limit, else None."""
    limit, seconds = limit_for(setting)
    now = timezone.now()
    start = _window_start(now, seconds)
    count = _count(key[:120], start)
    if count <= limit:
        return None
    if count == limit + 1:
        rate_limited.send(sender=None, key=key[:120], limit=limit, seconds=seconds)
    return max(1, int((start + timedelta(seconds=seconds) - now).total_seconds()) + 1)


def limit(key: str, setting: str) -> None:
    """Count one request for ``key``; over the limit, raise a 429 problem with Retry-After."""
    wait = hit(key, setting)
    if wait is not None:
        raise too_many_requests(wait)


def limit_anonymous(request: HttpRequest) -> None:
    """Count a request to the public API against its client address (one count for the whole
    public API: catalogue, address search and refused tokens alike)."""
    limit(f"api:addr:{client_address(request)}", "LOKET_API_ANONYMOUS_RATE_LIMIT")


@handler(EXPIRE_TASK)
def forget_old_counters(payload: dict[str, Any]) -> None:
    """Hourly: the counters of windows that ended more than a day ago are of no more use."""
    RateCounter.objects.filter(window_start__lt=timezone.now() - KEEP).delete()


every(EXPIRE_TASK, timedelta(hours=1))
