"""Errors of machine endpoints as RFC 9457 problem details (``application/problem+json``).

One shape for every JSON endpoint (the REST API, the address API, the address register's feed):

    {"type": "https://loket.brussels/problems/<slug>", "title": "<translated>", "status": 422,
     "detail": "<translated>", "instance": "<path>", ...extension members such as "errors"}

A view raises :class:`Problem`; :func:`problem_endpoint` turns it (and a wrong method, a missing
object, a database outage) into the answer, so no error of such an endpoint is an HTML page.
Titles and details are translated in the language of the request.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

log = logging.getLogger("loket.problems")
CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://loket.brussels/problems/"
RETRY_AFTER_OUTAGE = 30
MEMBERS = ("type", "title", "status", "detail", "instance")

View = Callable[..., HttpResponseBase]


class Problem(Exception):
    """An answer that is not a success: HTTP status, a stable type slug, and human text.

    ``errors`` (each ``{"field", "detail"}``) names the invalid fields; ``extensions`` adds other
    members to the document (never in place of the five standard ones); ``headers`` go on the
    response (``Allow``, ``Retry-After``, ``WWW-Authenticate``).
    """

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str = "",
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {slug}")
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}
        self.extensions = extensions or {}

    def as_dict(self, instance: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            key: value for key, value in self.extensions.items() if key not in MEMBERS
        }
        body.update(
            type=TYPE_BASE + self.slug,
            title=self.title,
            status=self.status,
            detail=self.detail or self.title,
            instance=instance[:500],
        )
        if self.errors:
            body["errors"] = self.errors
        return body


def problem_response(request: HttpRequest, problem: Problem) -> HttpResponse:
    body = problem.as_dict(request.get_full_path())
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=problem.status, content_type=CONTENT_TYPE
    )
    response["Cache-Control"] = "no-store"
    for name, value in problem.headers.items():
        response[name] = value
    return response


def invalid(field: str, detail: str) -> Problem:
    """A request whose ``field`` (in the body or the query) is wrong: 422 with the field named."""
    return Problem(
        422,
        "validation",
        _("The request is not valid."),
        detail,
        errors=[{"field": field, "detail": detail}],
    )


def malformed_json(detail: str = "") -> Problem:
    return Problem(400, "malformed-json", _("The body is not valid JSON."), detail)


def not_found(detail: str = "") -> Problem:
    return Problem(
        404, "not-found", _("Not found."), detail or _("There is nothing at this address.")
    )


def unauthorised(detail: str, realm: str = "loket") -> Problem:
    return Problem(
        401,
        "unauthorised",
        _("Authentication is needed."),
        detail,
        headers={"WWW-Authenticate": f'Bearer realm="{realm}"'},
    )


def method_not_allowed(methods: tuple[str, ...]) -> Problem:
    return Problem(
        405,
        "method-not-allowed",
        _("This method is not allowed here."),
        headers={"Allow": ", ".join(methods)},
    )


def too_many_requests(wait: int) -> Problem:
    return Problem(
        429,
        "rate-limited",
        _("Too many requests."),
        _("Try again in %(seconds)s seconds.") % {"seconds": wait},
        headers={"Retry-After": str(wait)},
    )


def unavailable() -> Problem:
    return Problem(
        503,
        "unavailable",
        _("The service is briefly unavailable."),
        _("Nothing was changed. Try again in a minute."),
        headers={"Retry-After": str(RETRY_AFTER_OUTAGE)},
    )


def problem_endpoint(methods: tuple[str, ...]) -> Callable[[View], View]:
    """Declare a JSON endpoint and the methods it answers: another method is a 405 problem with
    ``Allow``; a :class:`Problem` raised by the view is its answer; ``Http404`` is a 404 problem;
    an unreachable database is a 503 problem with ``Retry-After``."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            try:
                if request.method not in methods:
                    raise method_not_allowed(methods)
                return view(request, *args, **kwargs)
            except Problem as problem:
                return problem_response(request, problem)
            except Http404:
                return problem_response(request, not_found())
            except (OperationalError, InterfaceError) as outage:  # the database is unreachable
                log.warning("database unavailable (%s) for %s %s", type(outage).__name__,
                            request.method, request.path)  # fmt: skip
                return problem_response(request, unavailable())

        return wrapped

    return decorate
