"""gunicorn's configuration with ``LOKET_LOG_FORMAT=json`` (``loket serve`` passes
``-c python:loket.observe.gunicorn_json``): the metrics hooks, and gunicorn's own log as JSON
lines with no access log, so standard output and error carry nothing but JSON."""

from __future__ import annotations

from loket.observe.gunicorn import child_exit
from loket.observe.logs import gunicorn_logging_config

__all__ = ["child_exit", "logconfig_dict"]

logconfig_dict = gunicorn_logging_config()
