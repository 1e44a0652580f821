"""``/healthz`` for load balancers and operators: 200 when everything answers, else 503."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from loket import __version__


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database()}
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "unavailable", **checks, "version": __version__}
    return JsonResponse(body, status=200 if healthy else 503)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error means "down" to the load balancer
        return "down"
    return "ok"
