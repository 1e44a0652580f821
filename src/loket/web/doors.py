"""The door a request came through (#18).

``DoorMiddleware`` sets ``request.door`` from the ``Host`` header. Django has already checked the
host against ``ALLOWED_HOSTS`` (the outer fence, with the deployment's patterns); a host that no
door claims gets a plain 400 page, never another door's page. With no door configured at all the
deployment is one site under ``LOKET_BRANDING`` and ``request.door`` is None.

A door answers on its primary host only: a request on another of its host names is redirected
there (301; 308 for a POST, which must keep its method), with the same port, path and query, so
that each page has one address (docs/findability.md). ``request.primary_host`` is that host name.

Sessions hold on one host only: ``loket.accounts.hosts``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
)
from django.http.request import split_domain_port
from django.template.loader import render_to_string

from loket.doors.hosts import door_for_host, doors_configured, host_name, primary_host_of
from loket.doors.models import Door
from loket.web.resilience import DATABASE_DOWN, unavailable_response

# Machine endpoints that a load balancer or a scraper reaches by an internal name.
_ANY_HOST = ("/healthz", "/metrics")


def _to_primary(request: HttpRequest, primary: str) -> HttpResponse | None:
    """The redirect to the door's primary host, or None when the request is already there."""
    domain, port = split_domain_port(request.get_host())
    if not primary or domain == primary:
        return None
    if host_name(domain) in getattr(settings, "DOOR_HOSTS_SERVED_IN_PLACE", ()):
        return None
    address = f"{request.scheme}://{primary}{f':{port}' if port else ''}{request.get_full_path()}"
    response = HttpResponsePermanentRedirect(address)
    if request.method not in ("GET", "HEAD"):
        response.status_code = 308  # a 301 would turn a POST into a GET
    return response


class DoorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        door: Door | None = None
        primary = ""
        if not request.path.startswith(_ANY_HOST):
            try:
                door = door_for_host(request.get_host())
                unknown = door is None and doors_configured()
                primary = primary_host_of(door) if door is not None else ""
            except DATABASE_DOWN as problem:  # the first query of a request: a quick 503
                return unavailable_response(request, problem)
            if unknown:
                html = render_to_string("web/unknown_host.html", request=request)
                return HttpResponse(html, status=400)
            moved = _to_primary(request, primary)
            if moved is not None:
                return moved
        request.door = door  # type: ignore[attr-defined]
        request.primary_host = primary  # type: ignore[attr-defined]
        return self.get_response(request)
