"""Optional OpenTelemetry traces (filled in by the tracing commit)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from opentelemetry import trace

_tracer = trace.get_tracer("loket")


@contextmanager
def span(name: str, attributes: Mapping[str, str]) -> Iterator[None]:
    """A child span of the running trace (a no-op while tracing is off)."""
    with _tracer.start_as_current_span(name, attributes=dict(attributes)):
        yield
