"""``{% load procedures %}``: lists of links to procedure pages, for the pages that show many.

A home page on a municipality's door links about a hundred procedures. Through the template
engine each link cost a loop turn, a tag and a name lookup, about 1 ms of the region's home page
(``python -m bench.pages``); written here it is one loop in Python. The address of a procedure
depends only on the language (its prefix), the script prefix and the URL configuration, so it is
reversed once per process. tests/test_procedure_links.py holds the HTML to what ``{% url %}`` and
``{{ procedure.name }}`` give.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from loket.catalog.models import Procedure
from loket.core.i18n import current_language, pick

register = template.Library()


@lru_cache(maxsize=4096)
def _procedure_path(
    language: str | None, prefix: str, urlconf: str | None, procedure_id: str
) -> str:
    return reverse("web:procedure", args=[procedure_id], urlconf=urlconf)


@register.simple_tag
def procedure_list(procedures: Iterable[Procedure]) -> SafeString:
    """``{% procedure_list procedures %}``: the procedures as a list of links to their pages,
    each named in the active language."""
    language, active = get_language(), current_language()
    prefix, urlconf = get_script_prefix(), get_urlconf()
    items = "".join(
        f'\n  <li><a href="{escape(_procedure_path(language, prefix, urlconf, procedure.id))}">'
        f"{escape(pick(procedure.names, active))}</a></li>"
        for procedure in procedures
    )
    return mark_safe(f'<ul class="procedure-list">{items}\n</ul>')  # noqa: S308 (escaped above)
