"""``{% load fields %}``: a field's radios or check boxes, written in Python.

Through the template engine each option of a radio list cost a loop turn, two conditions and
five variable lookups: the five-step feedback question alone took about 0.6 ms of a procedure
page. This tag writes the same HTML as the loop it replaced in web/includes/field.html (the
option blocked by a running grant still comes from its template, it is rare and has links and
translated text); tests/test_field_radios.py compares the two.
"""

from __future__ import annotations

from django import forms, template
from django.template import Context
from django.template.base import render_value_in_context
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

BLOCKED = "web/includes/radio_blocked.html"


@register.simple_tag(takes_context=True)
def field_options(context: Context, field: forms.BoundField) -> SafeString:
    """``{% field_options field %}``: each option of a radio list (or of check boxes) as
    ``<div class="radio">``, its input and its label."""

    def text(value: object) -> str:
        return str(render_value_in_context(value, context))

    input_type = text(getattr(field.field.widget, "input_type", ""))
    parts = []
    for option in field:
        data = option.data
        if data.get("blocked"):
            blocked = get_template(BLOCKED).render({"field": field, "radio": option})
            parts.append(f"\n      {blocked.rstrip()}\n      ")
            continue
        option_id = text(option.id_for_label)
        checked = " checked" if data.get("selected") else ""
        parts.append(
            f'\n      <div class="radio"><input type="{input_type}" name="{text(data["name"])}"'
            f' value="{text(data["value"])}" id="{option_id}"{checked}>'
            f'<label for="{option_id}">{text(option.choice_label)}</label></div>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped by text()
