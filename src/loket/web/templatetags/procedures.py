"""``{% load procedures %}``: links to procedure pages, for the lists that show many of them.

A home page on a municipality's door links about a hundred procedures; ``{% url %}`` would
reverse each address on every request. The address of a procedure depends only on the language
(its prefix), the script prefix and the URL configuration, so it is reversed once per process.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=4096)
def _procedure_path(
    language: str | None, prefix: str, urlconf: str | None, procedure_id: str
) -> str:
    return reverse("web:procedure", args=[procedure_id], urlconf=urlconf)


@register.simple_tag
def procedure_url(procedure_id: str) -> str:
    """``{% procedure_url procedure.id %}``: what ``{% url 'web:procedure' procedure.id %}``
    gives, from memory after the first time."""
    return _procedure_path(get_language(), get_script_prefix(), get_urlconf(), procedure_id)
