"""Rate limits in the database, so that every worker process counts the same requests.

A fixed window per key: ``limit`` requests per ``seconds``. The first refusal in a window
records a security event (one, not one per refused request). Limits come from settings:

- ``LOKET_API_RATE_LIMIT``: (requests, seconds) per API client, default 600 per minute;
- ``LOKET_API_ANONYMOUS_RATE_LIMIT``: per client address on the public catalogue, 120 per minute;
- ``LOKET_SUBMISSION_RATE_LIMIT``: final submissions per user, 10 per hour;
- ``LOKET_VERIFY_RATE_LIMIT``: certificate verifications per client address, 30 per minute.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from loket.accounts.ratelimit import client_address
from loket.api.models import RateCounter
from loket.audit.actions import do_record_security_event
from loket.tasks.queue import every, handler

DEFAULTS: dict[str, tuple[int, int]] = {
    "LOKET_API_RATE_LIMIT": (600, 60),
    "LOKET_API_ANONYMOUS_RATE_LIMIT": (120, 60),
    "LOKET_SUBMISSION_RATE_LIMIT": (10, 3600),
    "LOKET_VERIFY_RATE_LIMIT": (30, 60),  # certificate verifications per client address
}
KEEP = timedelta(days=1)


def limit_for(setting: str) -> tuple[int, int]:
    requests, seconds = getattr(settings, setting, DEFAULTS[setting])
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
        do_record_security_event("rate-limited", key=key[:120], limit=limit, seconds=seconds)
    return max(1, int((start + timedelta(seconds=seconds) - now).total_seconds()) + 1)


@handler("api.rate-counters-expire")
def forget_old_counters(payload: dict[str, Any]) -> None:
    """Hourly: the counters of windows that ended more than a day ago are of no more use."""
    RateCounter.objects.filter(window_start__lt=timezone.now() - KEEP).delete()


every("api.rate-counters-expire", timedelta(hours=1))


View = Callable[..., HttpResponse]


def limit_submissions(view: View) -> View:
    """Limit the final submission of applications per person (POST only). Over the limit, a
    page says when to try again; the draft is untouched, so nothing typed is lost."""

    @wraps(view)
    def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            user_id = getattr(request.user, "pk", None)
            key = f"submit:user:{user_id}" if user_id else f"submit:addr:{client_address(request)}"
            wait = hit(key, "LOKET_SUBMISSION_RATE_LIMIT")
            if wait is not None:
                response = render(
                    request,
                    "api/rate_limited.html",
                    {"minutes": max(1, (wait + 59) // 60), "back": request.get_full_path()},
                    status=429,
                )
                response["Retry-After"] = str(wait)
                return response
        return view(request, *args, **kwargs)

    return limited
