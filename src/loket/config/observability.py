"""How Loket is watched: the log format and the token that guards ``/metrics``.

Plain text logs stay the default (the demo's console); ``LOKET_LOG_FORMAT=json`` writes one JSON
object per line for a log collector. ``/metrics`` answers only a bearer token named in
``LOKET_METRICS_TOKEN``; without one it refuses every caller.
"""

from __future__ import annotations

from typing import Any

from loket.config.environment import ConfigurationError, Environment

LOG_FORMATS = ("plain", "json")
MIN_METRICS_TOKEN_LENGTH = 16


def observability_settings(env: Environment) -> dict[str, Any]:
    log_format = env.text("LOKET_LOG_FORMAT").lower()
    if log_format not in LOG_FORMATS:
        raise ConfigurationError(
            f"LOKET_LOG_FORMAT={log_format!r} must be one of {', '.join(LOG_FORMATS)}"
        )
    token = env.text("LOKET_METRICS_TOKEN")
    if token and (len(token) < MIN_METRICS_TOKEN_LENGTH or not token.isprintable() or " " in token):
        raise ConfigurationError(
            f"LOKET_METRICS_TOKEN must be at least {MIN_METRICS_TOKEN_LENGTH} printable "
            "characters without spaces"
        )
    return {"log_format": log_format, "metrics_token": token}
