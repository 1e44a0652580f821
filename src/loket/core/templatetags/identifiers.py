"""``{% load identifiers %}``: identifiers as a page shows them."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from loket.core.identifiers import national_number_html

register = template.Library()


@register.filter
def national_number(value: str) -> SafeString:
    """``{{ number|national_number }}``: 85.07.30-033.28, never broken over two lines."""
    return national_number_html(str(value or ""))
