"""Loket's Prometheus metrics: what each process counts, and the gauges read at each scrape.

Counters and histograms are counted where things happen (the register door, the submission,
the mail, the webhook, the payment, the certificate) through the small functions below, so the
call sites stay one line. Under gunicorn with several workers, set ``PROMETHEUS_MULTIPROC_DIR``
(an empty directory, the same for the web workers and ``loket worker``): each process writes its
numbers there and ``/metrics`` adds them up (prometheus_client's multiprocess mode).

Gauges that describe the database (the task queue, the access log) are not counted by a process:
the apps that own them register a function with :func:`register_gauges`, read at each scrape.

Labels are codes only (a route name, a register, a procedure, a provider): never a path, a case
reference or anything about a person, so the number of series stays small and nothing personal
leaves through the metrics.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError, transaction
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.registry import Collector

import loket

log = logging.getLogger("loket.observe")
DATABASE_DOWN = (OperationalError, InterfaceError)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HTTP_LATENCY = Histogram(
    "loket_http_request_duration_seconds",
    "Time to answer a request, by route name and method.",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
)
HTTP_RESPONSES = Counter(
    "loket_http_responses", "Responses by route name, method and status code.",
    ["route", "method", "status"],
)  # fmt: skip
SUBMISSIONS = Counter(
    "loket_submissions", "Applications submitted (cases created), by procedure and channel.",
    ["procedure", "channel"],
)  # fmt: skip
REGISTER_CONSULTATIONS = Counter(
    "loket_register_consultations", "Reads of an authentic register through the door, by outcome.",
    ["source", "outcome"],
)  # fmt: skip
REGISTER_LATENCY = Histogram(
    "loket_register_latency_seconds", "Time a register took to answer (or to fail).",
    ["source"], buckets=LATENCY_BUCKETS,
)  # fmt: skip
REGISTER_FAILURES = Counter(
    "loket_register_failures", "Reads of a register that did not answer (unavailable).",
    ["source"],
)  # fmt: skip
PAYMENTS = Counter(
    "loket_payments", "Payments by provider and event: started, completed, failed.",
    ["provider", "event"],
)  # fmt: skip
MAILS = Counter("loket_mails", "E-mails handed to the mail server, by outcome.", ["outcome"])
WEBHOOK_DELIVERIES = Counter(
    "loket_webhook_deliveries", "Webhook deliveries to integrators, by outcome.", ["outcome"]
)
CERTIFICATES_ISSUED = Counter("loket_certificates_issued", "Sealed certificates issued.")
CERTIFICATES_VERIFIED = Counter(
    "loket_certificates_verified", "Certificate verifications, by outcome.", ["outcome"]
)


@dataclass(frozen=True)
class Gauge:
    """One reading of a gauge taken from the database at scrape time."""

    name: str
    documentation: str
    labels: tuple[str, ...]
    samples: Iterable[tuple[tuple[str, ...], float]]


GaugeReader = Callable[[], Iterable[Gauge]]
_gauge_readers: list[GaugeReader] = []


def register_gauges(reader: GaugeReader) -> None:
    """Let an app (the task queue, the access log) report gauges read at each scrape."""
    if reader not in _gauge_readers:
        _gauge_readers.append(reader)


class DatabaseGauges(Collector):
    """The registered gauge readers, as one collector (read by the scraping process only).

    When the database cannot be reached the scrape still answers: ``loket_database_up`` is 0 and
    the gauges read from the database are left out, so monitoring sees the outage instead of
    going blind with it.
    """

    def collect(self) -> Iterator[Metric]:
        families: list[Metric] = []
        up = 1.0
        try:
            for reader in _gauge_readers:
                for gauge in reader():
                    family = GaugeMetricFamily(gauge.name, gauge.documentation,
                                               labels=gauge.labels)  # fmt: skip
                    for labels, value in gauge.samples:
                        family.add_metric(list(labels), value)
                    families.append(family)
        except DATABASE_DOWN as problem:
            log.warning("metrics: database unavailable (%s)", type(problem).__name__)
            families, up = [], 0.0
        yield GaugeMetricFamily(
            "loket_database_up",
            "Whether the database answered this scrape's queries (1) or not (0).",
            value=up,
        )
        yield from families


class BuildInfo(Collector):
    """``loket_build_info{version}`` 1: which version each server runs (during an upgrade, two)."""

    def collect(self) -> Iterator[Metric]:
        yield InfoMetricFamily("loket_build", "The version of Loket this server runs.",
                               value={"version": loket.__version__})  # fmt: skip


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def multiprocess_warning(workers: int, metrics_on: bool) -> str:
    """What ``loket serve`` warns about when several workers would each count alone."""
    if workers > 1 and metrics_on and not multiprocess_dir():
        return (
            f"loket: {workers} workers and no PROMETHEUS_MULTIPROC_DIR: each scrape of /metrics "
            "would show one worker's counts (docs/operations.md, Monitoring)"
        )
    return ""


def exposition() -> bytes:
    """The text a scrape reads: every process's counts (or this one's) and the gauges."""
    if multiprocess_dir():
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)
    else:
        counted = REGISTRY
    gauges = CollectorRegistry()
    gauges.register(BuildInfo())
    gauges.register(DatabaseGauges())
    return generate_latest(counted) + generate_latest(gauges)


def request_observed(route: str, method: str, status: int, seconds: float) -> None:
    HTTP_LATENCY.labels(route, method).observe(seconds)
    HTTP_RESPONSES.labels(route, method, str(status)).inc()


def register_read(source: str, seconds: float, unavailable: bool) -> None:
    REGISTER_LATENCY.labels(source).observe(seconds)
    REGISTER_CONSULTATIONS.labels(source, "unavailable" if unavailable else "answered").inc()
    if unavailable:
        REGISTER_FAILURES.labels(source).inc()


def submitted(procedure: str, channel: str) -> None:
    """Count a submission once its transaction commits (a rolled-back one did not happen)."""
    counter = SUBMISSIONS.labels(procedure, channel or "online")
    transaction.on_commit(counter.inc)


def payment(provider: str, event: str) -> None:
    """Count a payment event once its transaction commits (a rolled-back one did not happen)."""
    transaction.on_commit(PAYMENTS.labels(provider, event).inc)


def mail(outcome: str) -> None:
    MAILS.labels(outcome).inc()


def webhook_delivery(outcome: str) -> None:
    WEBHOOK_DELIVERIES.labels(outcome).inc()


def certificate_issued() -> None:
    """Count an issued certificate once its transaction commits."""
    transaction.on_commit(CERTIFICATES_ISSUED.inc)


def certificate_verified(outcome: str) -> None:
    CERTIFICATES_VERIFIED.labels(outcome).inc()
