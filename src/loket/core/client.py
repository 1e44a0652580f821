"""Where a request comes from, as every rate limit, lockout and security event counts it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

MAX_ADDRESS = 45  # the longest textual IPv6 address (with an embedded IPv4 one)


def client_address(request: HttpRequest) -> str:
    """The address the request came from: the web server's peer, or, when that peer is one of
    ``LOKET_TRUSTED_PROXIES``, the last address the proxy added to X-Forwarded-For."""
    peer = str(request.META.get("REMOTE_ADDR", ""))
    if peer in getattr(settings, "LOKET_TRUSTED_PROXIES", ()):
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")[-1].strip()
        if forwarded:
            return forwarded[:MAX_ADDRESS]
    return peer[:MAX_ADDRESS]
