"""Errors as RFC 9457 problem details (``application/problem+json``), translated.

API views raise :class:`Problem`; :func:`loket.api.http.api_view` turns it (and anything a
view did not expect from its input) into a problem response, so no error under /api/v1 is HTML.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://loket.brussels/problems/"


class Problem(Exception):
    """An answer that is not a success: HTTP status, a stable type slug, and human text."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str = "",
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {slug}")
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}


def problem_response(request: HttpRequest, problem: Problem) -> HttpResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + problem.slug,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail or problem.title,
        "instance": request.get_full_path()[:500],
    }
    if problem.errors:
        body["errors"] = problem.errors
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=problem.status, content_type=CONTENT_TYPE
    )
    for name, value in problem.headers.items():
        response[name] = value
    return response


def invalid(field: str, detail: str) -> Problem:
    """A request whose ``field`` is wrong: 422 with the field named."""
    return Problem(
        422,
        "validation",
        _("The request is not valid."),
        detail,
        errors=[{"field": field, "detail": detail}],
    )


def not_found(detail: str = "") -> Problem:
    return Problem(
        404, "not-found", _("Not found."), detail or _("There is nothing at this address.")
    )


def unauthorised(detail: str) -> Problem:
    return Problem(
        401,
        "unauthorised",
        _("Authentication is needed."),
        detail,
        headers={"WWW-Authenticate": 'Bearer realm="loket"'},
    )
