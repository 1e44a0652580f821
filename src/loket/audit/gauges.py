"""The access log as Prometheus reads it: its size, and how long since a tree head was signed."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Max
from django.utils import timezone

from loket.audit.models import AccessLogEntry, TreeHead
from loket.observe.metrics import Gauge


def access_log_gauges() -> Iterable[Gauge]:
    # The leaf index is the position in the tree: the largest one plus one is the size, read
    # from the unique index rather than counting a table of millions of rows.
    last = AccessLogEntry.objects.aggregate(last=Max("leaf_index"))["last"]
    size = 0 if last is None else last + 1
    yield Gauge("loket_access_log_entries", "Entries in the access log.", (), [((), size)])
    head = TreeHead.objects.order_by("-tree_size").first()
    # With no head at all the log has never been signed: the age of its first entry instead.
    if head is not None:
        since = head.signed_at
    else:
        first = AccessLogEntry.objects.order_by("leaf_index").first()
        since = first.created_at if first else timezone.now()
    yield Gauge(
        "loket_access_log_unsigned_entries",
        "Entries appended since the last signed tree head.",
        (),
        [((), float(size - (head.tree_size if head else 0)))],
    )
    yield Gauge(
        "loket_access_log_seconds_since_signed_head",
        "Seconds since the last signed tree head (or, never signed, since the first entry).",
        (),
        [((), max(0.0, (timezone.now() - since).total_seconds()))],
    )
