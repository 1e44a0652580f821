"""What the public pages themselves collect: accessibility problems reported by visitors."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("accessibility problem report")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.page[:40]}"
