"""Typed readers of the ``LOKET_*`` variables: each refuses a malformed value and names it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from loket.config.defaults import VARIABLES


class ConfigurationError(Exception):
    """The environment describes a deployment Loket refuses to run."""


class Environment:
    """The variables as given, with the defaults of :data:`VARIABLES` for those left unset."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = values

    def is_set(self, name: str) -> bool:
        return bool(self.values.get(name, "").strip())

    def text(self, name: str) -> str:
        """The value, stripped, or the default when unset or empty."""
        default = VARIABLES[name]  # a KeyError here: add the variable to the table first
        return self.values.get(name, "").strip() or default

    def flag(self, name: str, default: bool) -> bool:
        value = self.text(name).lower()
        if not value:
            return default
        if value in ("1", "true", "yes", "on"):
            return True
        if value in ("0", "false", "no", "off"):
            return False
        raise ConfigurationError(f"{name}={value!r} must be 1, true, yes, on, or 0, false, no, off")

    def whole_number(self, name: str, minimum: int) -> int:
        value = self.text(name)
        if not value.isdigit() or int(value) < minimum:
            raise ConfigurationError(f"{name}={value!r} must be a whole number, at least {minimum}")
        return int(value)

    def names(self, name: str) -> list[str]:
        """A comma-separated list."""
        return [item.strip() for item in self.text(name).split(",") if item.strip()]

    def json_object(self, name: str) -> dict[str, Any]:
        raw = self.text(name)
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as problem:
            raise ConfigurationError(f"{name} is not valid JSON ({problem.msg})") from None
        if not isinstance(value, dict):
            raise ConfigurationError(f"{name} must be a JSON object")
        return value

    def rate(self, name: str) -> tuple[int, int]:
        """A rate limit written ``requests/seconds`` (e.g. ``600/60``)."""
        value = self.text(name)
        requests, _slash, seconds = value.partition("/")
        if not (requests.isdigit() and seconds.isdigit() and int(requests) and int(seconds)):
            raise ConfigurationError(f"{name}={value!r} is not 'requests/seconds', e.g. '600/60'.")
        return int(requests), int(seconds)

    def web_address(self, name: str) -> str:
        """An http(s) address without query or fragment, without its final slash; or empty."""
        value = self.text(name)
        if not value:
            return ""
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"{name}={value!r} must be an http:// or https:// address")
        if parts.query or parts.fragment:
            raise ConfigurationError(f"{name}={value!r} must have no query (?) or fragment (#)")
        return value.rstrip("/")

    def email_address(self, name: str) -> str:
        return self.email_address_value(name, self.text(name))

    def email_address_value(self, name: str, value: str) -> str:
        """``value`` (read from ``name``, perhaps after a prefix) if it is an e-mail address."""
        try:
            validate_email(value)
        except ValidationError:
            raise ConfigurationError(f"{name}={value!r} is not an e-mail address") from None
        return value

    def bind_address(self, name: str) -> str:
        """Where gunicorn listens: ``host:port`` or ``unix:/path``."""
        value = self.text(name)
        _host, colon, port = value.rpartition(":")
        if not value.startswith("unix:") and not (colon and port.isdigit()):
            raise ConfigurationError(f"{name}={value!r} must be host:port or unix:/path")
        return value
