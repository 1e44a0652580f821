"""Error pages in the visitor's language, never a stack trace."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from loket.web.resilience import database_unavailable, unavailable_response


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {"title": title, "message": message, "status": status},
        status=status,
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        404,
        _("Page not found"),
        _(
            "This page does not exist or you may not see it. "
            "Check the address, or start from the home page."
        ),
    )


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        403,
        _("Access refused"),
        _("You may not do this. If you think this is a mistake, contact the helpdesk."),
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        400,
        _("Request not understood"),
        _("Something in the request was not valid. Go back and try again."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    # Called while the exception is being handled: a database outage raised in a middleware
    # (the session, the user) is a 503 to retry, not a failure of ours.
    problem = sys.exc_info()[1]
    if database_unavailable(problem):
        assert problem is not None
        return unavailable_response(request, problem)
    # No request context: the database may be what failed, and the page must still render.
    html = render_to_string(
        "web/500.html",
        {
            "title": _("Something went wrong on our side"),
            "message": _("Your data is safe. Please try again in a few minutes."),
            "home": _("Go to the home page"),
            "LANGUAGE_CODE": get_language(),
        },
    )
    return HttpResponse(html, status=500)
