"""Django's form renderer, with its commonest widgets written out in Python.

Django renders every widget through templates: a select box is one template, plus one included
template per option and one per attribute list. On the back-office queue (eight filters, 37
options) that was about 3 ms of a page's 9 ms of templates (``python -m bench.profile page
/en/back-office/ agent-parking``). This renderer writes the same HTML for the templates below
without the template engine, and hands every other template (a widget of the project's own, an
option template of another name) to Django's renderer unchanged.

The HTML is Django's, character for character: tests/test_form_renderer.py renders a range of
widgets (values to escape, safe strings, numbers, groups, several selected, no value) with both
renderers and compares them, so a Django upgrade that changes a template fails there first.
Loaded with ``FORM_RENDERER`` in settings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData

_WIDGETS = "django/forms/widgets/"
_OPTION = _WIDGETS + "select_option.html"
# Every input widget's template is ``{% include "…/input.html" %}``. Django's renderer strips
# what it renders; these write nothing to strip.
_INPUTS = "checkbox color date datetime email file hidden number password search tel text time url"


# What ``render_value_in_context`` reads of a context (escaping, localisation and time zone): the
# renderer's contexts have the engine's defaults, as a new Context has. Only read, never changed.
_CONTEXT = Context()


def _string(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: ``"%s" % value``, escaped unless the value was safe."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: Mapping[str, Any]) -> str:
    """``django/forms/widgets/attrs.html``."""
    return "".join(
        f" {conditional_escape(name)}" + ("" if value is True else f'="{_string(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


def _variable(value: Any) -> str:
    """``{{ value }}`` as a template prints it (localised, escaped)."""
    return str(render_value_in_context(value, _CONTEXT))


def _input(widget: Mapping[str, Any]) -> str:
    value = "" if widget["value"] is None else f' value="{_string(widget["value"])}"'
    return (
        f'<input type="{_variable(widget["type"])}" name="{_variable(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )


def _select(widget: Mapping[str, Any]) -> str | None:
    parts = [f'<select name="{_variable(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_variable(group_name)}">')
        for option in options:
            if option["template_name"] != _OPTION:
                return None  # an option template of its own: Django renders the whole widget
            parts.append(
                f'\n  <option value="{_string(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_variable(option['label'])}</option>\n"  # the included file's line end
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: Mapping[str, Any]) -> str:
    value = _variable(widget["value"]) if widget["value"] else ""
    name = _variable(widget["name"])
    return f'<textarea name="{name}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


_QUICK: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    **{f"{_WIDGETS}{name}.html": _input for name in _INPUTS.split()},
    _WIDGETS + "select.html": _select,
    _WIDGETS + "textarea.html": _textarea,
}


class QuickWidgets(DjangoTemplates):
    """Django's template renderer, but the templates in ``_QUICK`` are written in Python."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        quick = _QUICK.get(template_name)
        html = quick(context["widget"]) if quick is not None else None
        return html if html is not None else super().render(template_name, context, request)
