"""Sessions that hold on the host they were issued on, and on no other door (#18).

The session cookie is host-only (no ``Domain``: ``SESSION_COOKIE_DOMAIN`` stays None), so a
browser never sends it to another door. The session also remembers its host name (bound at login,
or on first sight for a session from before doors): a cookie copied to another host by hand or by
a script is refused. The request goes on with an empty session (logged out), the session on its
own host is left alone, and the attempt is a security event.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from loket.audit.actions import do_record_security_event
from loket.doors.hosts import host_name

HOST_KEY = "loket_host"


def bind_session_to_host(request: HttpRequest) -> None:
    """Call at login: the session now holds on this host only."""
    request.session[HOST_KEY] = host_name(request.get_host())


class SessionHostMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        host = host_name(request.get_host())
        session = request.session
        bound = session.get(HOST_KEY)
        if bound is None:
            if not session.is_empty():
                session[HOST_KEY] = host  # a session from before doors, or a test's login
        elif bound != host:
            do_record_security_event(
                "session-other-host",
                issued_for=str(bound)[:253],
                presented_on=host[:253],
                path=request.path[:200],
            )
            engine = import_module(settings.SESSION_ENGINE)
            request.session = engine.SessionStore()
        return self.get_response(request)
