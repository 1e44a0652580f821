"""The door a request came through (#18).

``DoorMiddleware`` sets ``request.door`` from the ``Host`` header. Django has already checked the
host against ``ALLOWED_HOSTS`` (the outer fence, with the deployment's patterns); a host that no
door claims gets a plain 400 page, never another door's page. With no door configured at all the
deployment is one site under ``LOKET_BRANDING`` and ``request.door`` is None.

Sessions hold on one host only: ``loket.accounts.hosts``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from loket.doors.hosts import door_for_host, doors_configured
from loket.web.resilience import DATABASE_DOWN, unavailable_response

# Machine endpoints that a load balancer or a scraper reaches by an internal name.
_ANY_HOST = ("/healthz", "/metrics")


class DoorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        door = None
        if not request.path.startswith(_ANY_HOST):
            try:
                door = door_for_host(request.get_host())
                unknown = door is None and doors_configured()
            except DATABASE_DOWN as problem:  # the first query of a request: a quick 503
                return unavailable_response(request, problem)
            if unknown:
                html = render_to_string("web/unknown_host.html", request=request)
                return HttpResponse(html, status=400)
        request.door = door  # type: ignore[attr-defined]
        return self.get_response(request)
