"""Security headers on every response: Content-Security-Policy and its companions.

The policy allows no inline script at all. The only inline ``<style>`` (the deployment's accent
colour in ``web/base.html``) carries a per-response nonce, ``request.csp_nonce``; style
*attributes* are not allowed, so templates use classes. Images may come from our origin, from
``data:`` URLs (Leaflet) and from the origin of ``LOKET_MAP_TILES_URL``. Forms may post to our
origin and to the OpenID providers' origins (the login and logout hand-over redirects there).

Django's ``SecurityMiddleware`` already sets ``X-Content-Type-Options``, ``Referrer-Policy``,
``Cross-Origin-Opener-Policy`` and, in production, HSTS; this middleware sets them too when they
are missing, so that a response never lacks them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

PERMISSIONS_POLICY = ", ".join(
    [
        "geolocation=()",  # the map sets a point by click or keyboard, never from the device
        "camera=()",
        "microphone=()",
        "payment=()",
        "usb=()",
        "serial=()",
        "bluetooth=()",
        "magnetometer=()",
        "gyroscope=()",
        "accelerometer=()",
        "display-capture=()",
        "browsing-topics=()",
    ]
)


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL or URL template; ``{s}.host`` becomes ``*.host``."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    host = parts.netloc.rsplit("@", 1)[-1]
    if host.startswith("{s}."):
        host = "*." + host[len("{s}.") :]
    if any(character in host for character in "{} ;,'\""):
        return ""
    return f"{parts.scheme}://{host}"


def _origins(urls: Iterable[str]) -> list[str]:
    found: list[str] = []
    for url in urls:
        origin = origin_of(url)
        if origin and origin not in found:
            found.append(origin)
    return found


def content_security_policy(nonce: str, frame_ancestors: Iterable[str] = ()) -> str:
    """The policy; ``frame_ancestors``: the origins that may frame this response (an embedded
    description, ``web.views.findable.allow_framing``), none by default."""
    tiles = _origins([str(getattr(settings, "LOKET_MAP_TILES_URL", "") or "")])
    providers = _origins(
        str(getattr(client, "issuer", ""))
        for client in (
            getattr(settings, "LOKET_OIDC", None),
            getattr(settings, "LOKET_OIDC_AGENT", None),
        )
        if client is not None
    )
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", f"'nonce-{nonce}'"],
        "img-src": ["'self'", "data:", *tiles],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": _origins(frame_ancestors) or ["'none'"],
        "form-action": ["'self'", *providers],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class SecurityHeadersMiddleware:
    """Give each request a CSP nonce and each response the security headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        framing = getattr(response, "frame_ancestors", ())
        response.headers.setdefault(
            "Content-Security-Policy", content_security_policy(nonce, framing)
        )
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
