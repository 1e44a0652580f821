"""What the public pages themselves collect: accessibility problems reported by visitors."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The accessibility statement promises an answer within this many days.
ANSWER_WITHIN = timedelta(days=30)


class AccessibilityReport(models.Model):
    """A problem of accessibility reported on the accessibility statement's form (EU 2016/2102,
    art. 7(1)(b)): what the operator must answer. Staff read them in the back-office."""

    created_at = models.DateTimeField(auto_now_add=True)
    name = models.CharField(max_length=120, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    page = models.CharField(max_length=300)
    description = models.TextField(max_length=4000)
    language = models.CharField(max_length=2)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("accessibility problem report")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.page[:40]}"

    @property
    def answer_by(self) -> date:
        """The last day of the answer the statement promises."""
        return timezone.localdate(self.created_at + ANSWER_WITHIN)

    @property
    def overdue(self) -> bool:
        return self.answered_at is None and timezone.localdate() > self.answer_by
