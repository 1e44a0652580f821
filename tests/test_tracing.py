"""OpenTelemetry: off unless the standard OTEL_* variables ask; once on, one parking-card
application shows as traces (the SDK's in-memory exporter): the request that reads the
registers has one ``register <source>`` span per read as its children, and the submission is a
trace of its own, with no personal data in any span."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from django.test import Client
from opentelemetry import trace
from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from loket.observe import tracing
from loket.observe.logs import JsonFormatter, RequestContextFilter
from tests.conftest import demo_user
from tests.test_cases import apply_for_parking_card


@pytest.mark.parametrize(
    ("environ", "names"),
    [
        ({}, []),
        ({"OTEL_SERVICE_NAME": "loket"}, []),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, []),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, ["otlp"]),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, ["otlp"]),
        ({"OTEL_TRACES_EXPORTER": "console,otlp"}, ["console", "otlp"]),
        ({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_SDK_DISABLED": "true"}, []),
    ],
)
def test_tracing_is_off_unless_the_otel_variables_ask(
    environ: dict[str, str], names: list[str]
) -> None:
    assert tracing.exporter_names(environ) == names


def test_off_by_default_nothing_is_set_up() -> None:
    assert tracing.configure({}) is None


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = tracing.configure({}, extra_exporters=[exporter])
    assert provider is not None
    if trace.get_tracer_provider() is not provider:  # set once per process by OpenTelemetry
        trace.get_tracer_provider().add_span_processor(  # type: ignore[attr-defined]
            provider._active_span_processor
        )
    try:
        yield exporter
    finally:
        tracing.uninstrument()
        exporter.shutdown()


def children_of(parent: ReadableSpan, every: tuple[ReadableSpan, ...]) -> list[ReadableSpan]:
    return [s for s in every if s.parent is not None and s.parent.span_id == parent.context.span_id]


def registers_under(parent: ReadableSpan, every: tuple[ReadableSpan, ...]) -> list[ReadableSpan]:
    return [span for span in children_of(parent, every) if span.name.startswith("register ")]


@pytest.mark.django_db
def test_a_parking_card_application_is_traced_with_register_reads_as_child_spans(
    spans: InMemorySpanExporter,
) -> None:
    client = Client()  # made after the instrumentation: its middleware includes the tracing one
    assert client.post("/en/demo-login/", {"identity": "resident"}).status_code == 302
    case = apply_for_parking_card(client, pay=False)
    finished = spans.get_finished_spans()

    servers = [s for s in finished if s.kind == trace.SpanKind.SERVER]
    assert len(servers) >= 7, [s.name for s in servers]
    posts = [s for s in servers if s.attributes and s.attributes.get("http.method") == "POST"]
    reading = [s for s in posts if registers_under(s, finished)]
    assert len(reading) == 1, "the registers are read by one request: the choice to use them"
    registers = registers_under(reading[0], finished)
    assert sorted(s.name for s in registers) == [
        "register population", "register population", "register social", "register vehicle",
    ]  # fmt: skip
    assert all(s.context.trace_id == reading[0].context.trace_id for s in registers)
    # SQL becomes spans on connections opened from now on (the test's own connection was
    # opened before; a server's first one comes after loket.wsgi set tracing up).
    assert PsycopgInstrumentor().is_instrumented_by_opentelemetry

    submits = [s for s in servers if s.attributes
               and s.attributes.get("http.method") == "POST"
               and "check" in str(s.attributes.get("http.route", ""))]  # fmt: skip
    assert len(submits) == 1 and submits[0].attributes
    assert submits[0].attributes.get("http.status_code") == 302

    resident = demo_user("resident")
    personal = [resident.national_number, resident.last_name, resident.email,
                case.answers["plate"]]  # fmt: skip
    text = repr([(s.name, dict(s.attributes or {})) for s in finished])
    assert [value for value in personal if value and value in text] == []


def test_a_json_log_line_written_inside_a_trace_carries_its_trace_id(
    spans: InMemorySpanExporter,
) -> None:
    record = logging.makeLogRecord({"name": "loket.tests", "msg": "inside", "levelno": 20})
    outside = json.loads(JsonFormatter().format(record))
    assert "trace_id" not in outside
    with tracing.span("tests.work", {}):
        record = logging.makeLogRecord({"name": "loket.tests", "msg": "inside", "levelno": 20})
        RequestContextFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    (finished,) = [s for s in spans.get_finished_spans() if s.name == "tests.work"]
    assert finished.context is not None
    assert line["trace_id"] == trace.format_trace_id(finished.context.trace_id)
    assert line["span_id"] == trace.format_span_id(finished.context.span_id)
