"""Django's model backend, reading the logged-in user with a query compiled once per process.

Every request of someone logged in reads their account (``request.user``); building and compiling
that query in the ORM cost more than running it. Logging in is OpenID Connect's (accounts.flow):
there are no passwords, so ``authenticate`` is never what this backend is for.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from loket.core.models import User
from loket.core.prepared import PreparedInstance

_USER = PreparedInstance(User, lambda pk: User.objects.filter(pk=pk), kinds=(int,))


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        if type(user_id) is not int:
            return super().get_user(user_id)
        user = _USER.first(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
