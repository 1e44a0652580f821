"""The one seam through which people log in and out, whatever the identity provider.

The demo login calls ``log_in`` with a demo user; the OpenID Connect login calls it with the
user matched from the ID token. Django's ``login`` rotates the session key, so a session fixed
before login is worthless after it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest

from loket.accounts.hosts import bind_session_to_host
from loket.core.identifiers import user_pseudonym
from loket.core.models import User

log = logging.getLogger("loket.auth")


def demo_login_enabled() -> bool:
    return bool(settings.LOKET_ENV in ("demo", "development", "test"))


def log_in(request: HttpRequest, user: User, method: str) -> None:
    login(request, user, backend="loket.accounts.backends.AccountBackend")
    request.session["loket_login_method"] = method
    bind_session_to_host(request)
    log.info("login user=%s method=%s", user_pseudonym(user), method)


def log_out(request: HttpRequest) -> None:
    logout(request)
