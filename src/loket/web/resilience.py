"""When the database cannot be reached: a quick, clear 503 instead of a stack trace.

PostgreSQL restarts (an upgrade, a failover, a crash) make every query raise ``OperationalError``
or ``InterfaceError`` until it is back. Those are not bugs in a view: the visitor should read that
the service is briefly unavailable and when to try again, the load balancer should see 503 (not
500) with ``Retry-After``, and operators should get one line per request, not a traceback each.
Nothing is lost: a failed request changed nothing (its transaction never committed), and the
draft is still on the server once the database is back.

Two places catch it, because the error can come from a view or from a middleware (the session
and the user are loaded lazily, and the session is saved after the view): the middleware below
for the first, ``loket.web.views.errors.server_error`` for the second. Both answer with
``unavailable_response``, which renders without a request context, so it never touches the
database it is reporting on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from loket.core.problems import problem_response, unavailable

log = logging.getLogger("loket.web.resilience")

RETRY_AFTER_SECONDS = 30
DATABASE_DOWN = (OperationalError, InterfaceError)


def database_unavailable(exception: BaseException | None) -> bool:
    """Whether ``exception`` means "the database cannot be reached", not a programming error."""
    return isinstance(exception, DATABASE_DOWN)


def unavailable_response(request: HttpRequest, exception: BaseException) -> HttpResponse:
    """503 with ``Retry-After``: a page in the visitor's language, the API's problem+json under
    /api/, or the health check's own JSON."""
    # The driver's message may name hosts; the class is enough to find it in the database logs.
    # No path: it may carry a case's reference; the line's request id finds the request.
    log.warning("database unavailable (%s) for %s", type(exception).__name__, request.method)
    response: HttpResponse
    if request.path.startswith("/api/"):
        return problem_response(request, unavailable())
    if request.path == "/healthz":
        response = JsonResponse(
            {
                "status": "unavailable",
                "database": "down",  # the same shape as /healthz answers
                "detail": _("The service is briefly unavailable."),
            },
            status=503,
        )
    else:
        html = render_to_string(
            "web/500.html",
            {
                "title": _("The service is briefly unavailable"),
                "message": _(
                    "Nothing you entered is lost: your saved answers are kept. "
                    "Please try again in a minute."
                ),
                "home": _("Go to the home page"),
                "LANGUAGE_CODE": get_language(),
            },
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Logged above, once: Django's own "Service Unavailable: <path>" line would repeat it, path
    # and all.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class DatabaseUnavailableMiddleware:
    """Turn a view's database outage into ``unavailable_response`` (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if database_unavailable(exception):
            return unavailable_response(request, exception)
        return None
