"""Optional OpenTelemetry traces: where the time of a request goes.

Off by default. The standard variables switch it on: ``OTEL_TRACES_EXPORTER`` (``otlp``,
``console``; ``none`` keeps it off) or an OTLP endpoint (``OTEL_EXPORTER_OTLP_ENDPOINT`` or
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``), unless ``OTEL_SDK_DISABLED=true``. The exporter reads
its own ``OTEL_EXPORTER_OTLP_*`` variables, the resource ``OTEL_SERVICE_NAME`` (default
``loket``) and ``OTEL_RESOURCE_ATTRIBUTES``, the sampler ``OTEL_TRACES_SAMPLER``.

Once on, every request is a trace (Django), with a span per SQL statement (psycopg), per
outgoing HTTP call (requests: the registers, the payment providers, webhooks) and per register
read through the door (:func:`span`, named ``register <source>``). Span attributes are codes:
the psycopg spans carry the SQL text with its ``%s`` placeholders, never the values.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace

log = logging.getLogger("loket.observe")
_tracer = trace.get_tracer("loket")
_TRUE = ("1", "true", "yes", "on")


@contextmanager
def span(name: str, attributes: Mapping[str, str]) -> Iterator[None]:
    """A child span of the running trace (costs next to nothing while tracing is off)."""
    with _tracer.start_as_current_span(name, attributes=dict(attributes)):
        yield


def exporter_names(environ: Mapping[str, str]) -> list[str]:
    """The exporters the ``OTEL_*`` variables ask for; empty: tracing stays off."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() in _TRUE:
        return []
    named = [n.strip() for n in environ.get("OTEL_TRACES_EXPORTER", "").split(",") if n.strip()]
    if named:
        return [] if named == ["none"] else named
    endpoints = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    return ["otlp"] if any(environ.get(name, "").strip() for name in endpoints) else []


def _exporter(name: str) -> Any:
    if name == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    if name == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    raise ValueError(f"OTEL_TRACES_EXPORTER={name!r}: Loket knows otlp, console and none")


def configure(
    environ: Mapping[str, str] | None = None, extra_exporters: Sequence[Any] = ()
) -> Any | None:
    """Set up tracing if the environment asks for it (or ``extra_exporters`` are given, as the
    tests do), and instrument Django, psycopg and requests. Returns the tracer provider, or None
    when tracing stays off. Call it before Django builds its middleware (``loket.wsgi``)."""
    names = exporter_names(os.environ if environ is None else environ)
    if not names and not extra_exporters:
        return None
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": "loket"}))
    for name in names:
        provider.add_span_processor(BatchSpanProcessor(_exporter(name)))
    for exporter in extra_exporters:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    instrument()
    log.info("tracing on: %s", ", ".join(names) or "in-process exporters")
    return provider


def instrument() -> None:
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.requests import RequestsInstrumentor

    for instrumentor in (DjangoInstrumentor(), PsycopgInstrumentor(), RequestsInstrumentor()):
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument()


def uninstrument() -> None:
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.requests import RequestsInstrumentor

    for instrumentor in (DjangoInstrumentor(), PsycopgInstrumentor(), RequestsInstrumentor()):
        if instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.uninstrument()
