"""The limit on final submissions of applications per person (``LOKET_SUBMISSION_RATE_LIMIT``),
counted by core's rate limiter; over it, a page says when to try again."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from loket.core.client import client_address
from loket.core.ratelimit import hit

View = Callable[..., HttpResponse]


def limit_submissions(view: View) -> View:
    """Limit the final submission of applications per person (POST only). Over the limit, a
    page says when to try again; the draft is untouched, so nothing typed is lost."""

    @wraps(view)
    def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            user_id = getattr(request.user, "pk", None)
            key = f"submit:user:{user_id}" if user_id else f"submit:addr:{client_address(request)}"
            wait = hit(key, "LOKET_SUBMISSION_RATE_LIMIT")
            if wait is not None:
                response = render(
                    request,
                    "web/apply/too_many_submissions.html",
                    {"minutes": max(1, (wait + 59) // 60), "back": request.get_full_path()},
                    status=429,
                )
                response["Retry-After"] = str(wait)
                return response
        return view(request, *args, **kwargs)

    return limited
