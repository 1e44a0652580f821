"""Logs a machine can read: one JSON object per line, carrying the request's context.

The request middleware (``loket.web.observability``) binds the request id, the user's pseudonym
and administration, and the route name to the running request; :class:`RequestContextFilter` adds
them to every record logged while it runs, and :class:`JsonFormatter` writes the record as one
line. Only pseudonyms and codes are bound: never a national number, a name, an e-mail address.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace

# A request id from a proxy is kept only when it is a plain token (no spaces, quotes or control
# characters that could forge a log line or a header); otherwise a fresh one is made.
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,99}$")
CONTEXT_FIELDS = ("request_id", "user", "administration", "route", "task", "task_id")

_context: ContextVar[dict[str, str] | None] = ContextVar("loket_log_context", default=None)


def request_id_from(incoming: str | None) -> str:
    """The id of a request: the caller's own if it is a safe token, else a new random one."""
    if incoming and SAFE_REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


def bind(**values: str) -> None:
    """Add ``values`` to the context of the running request (or task)."""
    current = dict(_context.get() or {})
    current.update({key: value for key, value in values.items() if value})
    _context.set(current)


@contextmanager
def context(**values: str) -> Iterator[None]:
    """Add ``values`` for the time of the block, then restore what was bound before (a task run
    inside a request keeps the request's id, and gets its own name beside it)."""
    token = _context.set({**current(), **{key: value for key, value in values.items() if value}})
    try:
        yield
    finally:
        _context.reset(token)


def clear() -> None:
    _context.set(None)


def current() -> dict[str, str]:
    return dict(_context.get() or {})


class RequestContextFilter(logging.Filter):
    """Copies the bound context onto each record (``record.request_id`` …), never dropping one,
    and, while a trace runs, its ``trace_id`` and ``span_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in current().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        # With OpenTelemetry on, the trace of the running request or task, to find it from a line.
        span = trace.get_current_span().get_span_context()
        if span.is_valid and not hasattr(record, "trace_id"):
            record.trace_id = trace.format_trace_id(span.trace_id)
            record.span_id = trace.format_span_id(span.span_id)
        return True


# The attributes every LogRecord has; anything else was passed in ``extra`` and is written out.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request context, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def logging_config(log_format: str) -> dict[str, Any]:
    """Django's LOGGING for ``plain`` (the default) or ``json``.

    ``loket.requests`` writes one line per request; in plain text gunicorn's access log says the
    same, so it is kept quiet there.
    """
    formatter = "json" if log_format == "json" else "plain"
    handler = {"class": "logging.StreamHandler", "formatter": formatter, "filters": ["context"]}
    loggers: dict[str, Any] = {
        "loket": {"handlers": ["console"], "level": "INFO"},
        "loket.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "loket.requests": {"level": "INFO" if log_format == "json" else "WARNING"},
    }
    if log_format == "json":  # a server error's traceback as one JSON line too
        loggers["django.request"] = {"handlers": ["console"], "level": "ERROR", "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "loket.observe.logs.RequestContextFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {"()": "loket.observe.logs.JsonFormatter"},
        },
        "handlers": {"console": handler},
        "loggers": loggers,
    }


def gunicorn_logging_config() -> dict[str, Any]:
    """gunicorn's own ``logconfig_dict`` for JSON logs: its messages (start, a worker's timeout)
    as JSON lines, and no access log (``loket.requests`` writes one line per request, without
    the path, the referer, the user agent or the address that gunicorn's would carry)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "loket.observe.logs.JsonFormatter"}},
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["json"], "propagate": False},
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
        },
    }
