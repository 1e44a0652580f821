"""The platform's public address, as printed where no request is at hand (a certificate's QR
code, a DCAT catalogue read by harvesters, a link in an e-mail)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

LOCAL = "http://127.0.0.1:8000"  # where `loket demo` listens


def public_base(request: HttpRequest | None = None) -> str:
    """``LOKET_PUBLIC_URL`` when set (production refuses to start without it), else the
    request's own origin, else the demo's local address."""
    configured = str(getattr(settings, "LOKET_PUBLIC_URL", "") or "")
    if configured:
        return configured.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return LOCAL
