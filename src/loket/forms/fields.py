"""Turning a page of a form definition into a Django form, with translated error messages."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from loket.core.i18n import pick
from loket.forms.definitions import FieldDefinition, PageDefinition

PLATE_FORMATS = (
    re.compile(r"^[1-9][A-Z]{3}[0-9]{3}$"),  # 1-ABC-234, since 2010
    re.compile(r"^[A-Z]{3}[0-9]{3}$"),  # ABC-123, 1973-2008
    re.compile(r"^[0-9]{3}[A-Z]{3}$"),  # 123-ABC, 2008-2010
)


def normalise_plate(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value).upper()


def format_plate(compact: str) -> str:
    if len(compact) == 7:
        return f"{compact[0]}-{compact[1:4]}-{compact[4:]}"
    return f"{compact[:3]}-{compact[3:]}"


class LicencePlateField(forms.CharField):
    default_error_messages = {
        "invalid": _("Enter a Belgian registration plate, for example 1-ABC-234."),
        "required": _("Enter the registration plate."),
    }

    def clean(self, value: Any) -> str:
        cleaned = super().clean(value)
        if not cleaned:
            return ""
        compact = normalise_plate(cleaned)
        if not any(pattern.match(compact) for pattern in PLATE_FORMATS):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return format_plate(compact)


class BoundedDateField(forms.DateField):
    """A date between today + ``min_days`` and today + ``max_days``."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(self, *, min_days: int | None, max_days: int | None, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"])
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("Enter a date."),
                "invalid": _("Enter a real date, for example 15/03/2027."),
            },
        )
        super().__init__(**kwargs)
        self.min_days = min_days
        self.max_days = max_days

    def validate(self, value: date | None) -> None:
        super().validate(value)
        if value is None:
            return
        today = timezone.localdate()
        if self.min_days is not None and value < today + timedelta(days=self.min_days):
            earliest = formats.date_format(today + timedelta(days=self.min_days))
            raise forms.ValidationError(
                _("The date must be %(date)s or later.") % {"date": earliest}, code="too_early"
            )
        if self.max_days is not None and value > today + timedelta(days=self.max_days):
            latest = formats.date_format(today + timedelta(days=self.max_days))
            raise forms.ValidationError(
                _("The date must be %(date)s or earlier.") % {"date": latest}, code="too_late"
            )


def _choices_from_facts(
    definition: FieldDefinition, facts: dict[str, Any]
) -> list[tuple[str, str]]:
    source = definition.options.get("options_from")
    if not source:
        return [(str(k), pick(v)) for k, v in definition.options.get("choices", {}).items()]
    source_id, attribute = source.split(".", 1)
    entries = facts.get(source_id, {}).get(attribute) or []
    value_key = definition.options.get("option_value", "id")
    label = definition.options.get("option_label", "{" + value_key + "}")
    return [(str(entry[value_key]), label.format(**entry)) for entry in entries]


def build_field(definition: FieldDefinition, facts: dict[str, Any]) -> forms.Field:
    field = _build_field(definition, facts)
    if definition.required_message:
        field.error_messages["required"] = pick(definition.required_message)
    return field


def _build_field(definition: FieldDefinition, facts: dict[str, Any]) -> forms.Field:
    common: dict[str, Any] = {
        "label": pick(definition.label),
        "help_text": pick(definition.help),
        "required": definition.required,
    }
    choices = _choices_from_facts(definition, facts)
    if definition.type == "choice" or (definition.type == "licence_plate" and choices):
        return forms.ChoiceField(
            choices=choices,
            widget=forms.RadioSelect,
            error_messages={
                "required": _("Choose one of the options."),
                "invalid_choice": _("Choose one of the options."),
            },
            **common,
        )
    if definition.type == "licence_plate":
        return LicencePlateField(max_length=12, **common)
    if definition.type == "date":
        return BoundedDateField(
            min_days=definition.options.get("min_days"),
            max_days=definition.options.get("max_days"),
            **common,
        )
    return forms.CharField(
        max_length=int(definition.options.get("max_length", 200)),
        error_messages={"required": _("This field is required.")},
        **common,
    )


def page_form(
    page: PageDefinition, facts: dict[str, Any], data: Any = None, initial: Any = None
) -> forms.Form:
    """An unbound (``data=None``) or bound form for one page of a definition."""
    form = forms.Form(data=data, initial=initial)
    for field in page.fields:
        form.fields[field.name] = build_field(field, facts)
    return form
