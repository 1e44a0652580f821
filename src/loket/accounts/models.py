"""Who logged in through which identity provider, and the failed logins that lead to a lockout."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ExternalIdentity(models.Model):
    """A user's account at an OpenID provider: the provider's ``sub`` is stable per issuer.

    Civil servants are matched by it (their organisation's provider knows no national number);
    residents are matched by national number, and their identity is recorded here too.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="unique_external_identity")
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"


class LoginFailure(models.Model):
    """One refused login, counted per client address and per account for the lockout.

    Kept only as long as the lockout window needs it (see ``lockout``).
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip_address = models.CharField(max_length=45, db_index=True)
    account = models.CharField(max_length=64, blank=True, db_index=True)
    reason = models.CharField(max_length=60)

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.ip_address} {self.reason}"
