"""Watching Loket run: structured logs, Prometheus metrics, OpenTelemetry traces, progress.

A base module: it imports nothing of Loket but ``config``, so every app can report to it. The
request middleware and the ``/metrics`` view, which need users and the database, live in
``loket.web.observability``; apps that own a gauge read from the database (the task queue, the
access log) register a collector here at start-up.
"""
