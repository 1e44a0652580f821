"""Session limits: logged out after ``LOKET_SESSION_IDLE_MINUTES`` without a request, and after
``LOKET_SESSION_MAX_HOURS`` in all, whatever the activity.

The person is sent to the login page with a message; what they were filling in is kept, since
drafts are saved on the server at every page.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from loket.accounts.authentication import log_out
from loket.core.identifiers import user_pseudonym
from loket.core.models import User

log = logging.getLogger("loket.auth")

STARTED_KEY = "loket_session_started"
LAST_SEEN_KEY = "loket_session_last_seen"
# The last request is written at most once a minute, not on every request.
LAST_SEEN_RESOLUTION_SECONDS = 60


def mark_session_start(request: HttpRequest) -> None:
    now = int(time.time())
    request.session[STARTED_KEY] = now
    request.session[LAST_SEEN_KEY] = now


def session_expired(request: HttpRequest, now: int) -> bool:
    started = request.session.get(STARTED_KEY)
    last_seen = request.session.get(LAST_SEEN_KEY)
    if not isinstance(started, int) or not isinstance(last_seen, int):
        return False
    idle = now - last_seen > int(settings.LOKET_SESSION_IDLE_MINUTES) * 60
    too_long = now - started > int(settings.LOKET_SESSION_MAX_HOURS) * 3600
    return idle or too_long


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            if session_expired(request, now):
                return self._expire(request)
            if STARTED_KEY not in request.session:
                # A login that did not go through the OpenID callback (the demo login).
                mark_session_start(request)
            elif now - request.session[LAST_SEEN_KEY] >= LAST_SEEN_RESOLUTION_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)

    def _expire(self, request: HttpRequest) -> HttpResponse:
        if isinstance(request.user, User):  # only a logged-in user's session expires
            log.info("session expired user=%s", user_pseudonym(request.user))
        log_out(request)
        messages.warning(
            request,
            _(
                "Your session has expired. Log in again to continue; what you already filled "
                "in has been saved."
            ),
        )
        login_url = reverse("accounts:login")
        if request.method == "GET":
            login_url += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(login_url)
