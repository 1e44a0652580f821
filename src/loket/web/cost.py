"""What a request cost the server, in two response headers, for the benchmarks (test runs only).

``Server-Timing: app;dur=<ms>`` is the time from the first middleware to the response, and
``X-SQL-Statements`` the number of SQL statements the request sent. Only ``LOKET_ENV=test``
installs this middleware (settings.MIDDLEWARE): a deployment does not tell the world how long
its pages take or how many queries they make.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse


class RequestCostMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        statements = [0]

        def count(execute: Callable[..., Any], sql: str, params: Any, many: bool,
                  context: dict[str, Any]) -> Any:  # fmt: skip
            statements[0] += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
        response["X-SQL-Statements"] = str(statements[0])
        return response
