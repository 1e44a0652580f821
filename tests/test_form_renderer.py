"""The quick form renderer writes Django's widget HTML character for character
(loket.web.form_renderer): each widget here is rendered by it and by Django's own templates."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils import translation
from django.utils.safestring import mark_safe

from loket.web.form_renderer import QuickWidgets

QUICK = QuickWidgets()
DJANGO = DjangoTemplates()

CHOICES: list[Any] = [
    ("", "—"),
    ("a&b", "Tom & Jerry <script>"),
    (3, 1234567),
    ("safe", mark_safe("<b>bold</b>")),
    ("Group “one”", [("g1", "First"), ("g2", 'Second "quoted"')]),
    (datetime.date(2000, 1, 31), datetime.date(2000, 1, 31)),
]

WIDGETS: list[tuple[forms.Widget, Any]] = [
    (forms.TextInput(), None),
    (forms.TextInput(), ""),
    (
        forms.TextInput(attrs={"autocomplete": "name", "required": True, "disabled": False}),
        'O\'Brien & "Sons" <x>',
    ),
    (forms.TextInput(), mark_safe("<i>already safe</i>")),
    (forms.NumberInput(attrs={"min": 0, "max": 3650, "step": 0.5}), 12),
    (
        forms.EmailInput(attrs={"aria-describedby": "x_helptext x_error", "aria-invalid": "true"}),
        "a@b.be",
    ),
    (forms.PasswordInput(render_value=True), "secret"),
    (forms.HiddenInput(), ("a", "b")),
    (forms.DateInput(attrs={"type": "date"}), datetime.date(2031, 5, 4)),
    (forms.DateInput(), datetime.date(2031, 5, 4)),
    (forms.URLInput(), "https://example.org/?a=1&b=2"),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput(), False),
    (forms.Textarea(attrs={"rows": 3, "maxlength": 4000}), "line 1\n<line 2> & more"),
    (forms.Textarea(), ""),
    (forms.Textarea(), None),
    (forms.Select(choices=CHOICES), "a&b"),
    (forms.Select(choices=CHOICES), "g2"),
    (forms.Select(choices=CHOICES), 3),
    (forms.Select(choices=CHOICES, attrs={"required": True, "class": "wide"}), None),
    (forms.Select(choices=[]), None),
    (forms.SelectMultiple(choices=CHOICES), ["a&b", "g1", "safe"]),
    (forms.NullBooleanSelect(), None),
    (forms.NullBooleanSelect(), True),
]


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
@pytest.mark.parametrize(("widget", "value"), WIDGETS, ids=lambda w: type(w).__name__)
def test_each_widget_is_written_as_djangos_templates_write_it(
    widget: forms.Widget, value: Any, language: str
) -> None:
    with translation.override(language):
        attrs = {"id": "id_field"}
        assert widget.render("field", value, attrs, QUICK) == widget.render(
            "field", value, attrs, DJANGO
        )


def test_a_widget_of_the_projects_own_goes_to_djangos_renderer() -> None:
    class Own(forms.Select):
        option_template_name = "django/forms/widgets/radio_option.html"

    widget = Own(choices=[("a", "A")])
    assert widget.render("f", "a", {}, QUICK) == widget.render("f", "a", {}, DJANGO)
    assert "<label>" in widget.render("f", "a", {}, QUICK)  # its own option template


def test_the_settings_use_the_quick_renderer() -> None:

    assert isinstance(get_default_renderer(), QuickWidgets)


def test_no_template_of_the_project_overrides_a_widget_template_written_in_python() -> None:
    """A project template under django/forms/widgets/ would be skipped for the quick ones."""
    source = Path(__file__).resolve().parent.parent / "src" / "loket"
    assert not [path for path in source.rglob("templates/django/forms/*")]
