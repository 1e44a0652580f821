"""``{{ text|written_in }}``: the name of the language a resident wrote in (fr, nl, en)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from loket.assist.language import detect_language

register = template.Library()


@register.filter
def written_in(text: str) -> str:
    names = {"fr": _("French"), "nl": _("Dutch"), "en": _("English")}
    return names.get(detect_language(str(text)), "")


@register.filter
def written_in_code(text: str) -> str:
    return detect_language(str(text))
