"""Every request observed: its id, one JSON log line, and its latency and status in the metrics.

The id is the caller's ``X-Request-ID`` when that is a safe token (a proxy's own id, so that one
request can be followed through both logs), otherwise a new one; the response carries it back in
``X-Request-ID``. The log line and the metrics name the route (``web:procedure``), never the path,
which can hold a case reference or a verification code; and the user by pseudonym only.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST

from loket.core.access import access
from loket.core.identifiers import user_pseudonym
from loket.core.models import Membership
from loket.observe import logs
from loket.observe import metrics as observe_metrics

log = logging.getLogger("loket.requests")
security_log = logging.getLogger("loket.security")
UNRESOLVED = "unresolved"  # no route matched: a 404, or refused before routing (unknown host)
STATIC = "static"  # a static file, served by WhiteNoise before routing


class RequestObservationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request_id = logs.request_id_from(request.headers.get("X-Request-ID"))
        logs.clear()
        logs.bind(request_id=request_id)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            route = logs.current().get("route") or _unrouted(request)
            duration = time.perf_counter() - started
            log.info(
                "%s %s %s",
                request.method,
                route,
                response.status_code,
                extra={
                    "method": request.method,
                    "status": response.status_code,
                    "duration_ms": round(duration * 1000, 1),
                },
            )
            observe_metrics.request_observed(route, request.method or "", response.status_code,
                                             duration)  # fmt: skip
            return response
        finally:
            logs.clear()

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        """Bind the route and who is asking, now that routing and the session are done."""
        match = request.resolver_match
        logs.bind(route=match.view_name if match else UNRESOLVED)
        # Who is asking costs a query; only the JSON lines write it (plain text has no fields).
        if log.isEnabledFor(logging.INFO):
            logs.bind(**_who(request))


def _unrouted(request: HttpRequest) -> str:
    """The route of a request answered before routing: the static files (WhiteNoise), or none."""
    return STATIC if request.path.startswith(settings.STATIC_URL or "/static/") else UNRESOLVED


def _who(request: HttpRequest) -> dict[str, str]:
    """The user's pseudonym and the administrations they work for, if logged in."""
    user = getattr(request, "user", None)
    try:
        if user is None or not user.is_authenticated:
            return {}
        administrations = Membership.objects.filter(user_id=user.pk).values_list(
            "administration_id", flat=True
        )
        return {
            "user": user_pseudonym(user),
            "administration": ",".join(sorted(set(administrations))),
        }
    except (OperationalError, InterfaceError):  # the database is down: the 503 says so
        return {}


@access("token")
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus' scrape: only with ``Authorization: Bearer <LOKET_METRICS_TOKEN>``.

    Without a configured token the endpoint refuses everyone (403); a missing or wrong token is
    refused (401) and logged as a security event, so a scan of the endpoint shows up.
    """
    expected = settings.LOKET_METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if not expected:
        security_log.warning("metrics refused: LOKET_METRICS_TOKEN is not set")
        return HttpResponse("metrics are off: no token configured\n", status=403,
                            content_type="text/plain")  # fmt: skip
    if not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
        security_log.warning("metrics refused: %s bearer token", "wrong" if given else "no")
        response = HttpResponse("a bearer token is needed\n", status=401,
                                content_type="text/plain")  # fmt: skip
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(observe_metrics.exposition(), content_type=CONTENT_TYPE_LATEST)
