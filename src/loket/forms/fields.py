"""Django form fields for each field type of a definition, with their translated messages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from loket.core.i18n import pick
from loket.core.reference import municipality_choices
from loket.forms import validators
from loket.forms.definitions import FieldDefinition

REQUIRED = {"required": _("This field is required.")}
MUNICIPALITIES = "loket.municipalities"  # options_from: the 19 municipalities


class CleanedCharField(forms.CharField):
    """A text field whose value is checked and normalised by a function from validators."""

    def __init__(self, *, normalise: Callable[[str], str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.normalise = normalise

    def clean(self, value: Any) -> str:
        cleaned = super().clean(value)
        return self.normalise(cleaned) if cleaned else ""


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
            raise ValidationError(
                _("The date must be %(date)s or later.") % {"date": earliest}, code="too_early"
            )
        if self.max_days is not None and value > today + timedelta(days=self.max_days):
            latest = formats.date_format(today + timedelta(days=self.max_days))
            raise ValidationError(
                _("The date must be %(date)s or earlier.") % {"date": latest}, code="too_late"
            )


def choices_for(definition: FieldDefinition, facts: dict[str, Any]) -> list[tuple[str, str]]:
    """Fixed choices, or choices taken from a fact (e.g. the vehicles, the household)."""
    source = definition.options.get("options_from")
    if not source:
        return [(str(k), pick(v)) for k, v in definition.options.get("choices", {}).items()]
    if source == MUNICIPALITIES:
        return municipality_choices()
    source_id, attribute = source.split(".", 1)
    entries = facts.get(source_id, {}).get(attribute) or []
    value = definition.options.get("option_value", "{id}")
    label = definition.options.get("option_label", value)
    return [(value.format(**entry), label.format(**entry)) for entry in entries]


def _choice(
    definition: FieldDefinition, facts: dict[str, Any], common: dict[str, Any]
) -> forms.Field:
    choices = choices_for(definition, facts)
    messages = {
        "required": _("Choose one of the options."),
        "invalid_choice": _("Choose one of the options."),
    }
    if definition.options.get("multiple"):
        messages["required"] = _("Choose at least one option.")
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, error_messages=messages, **common
        )
    widget = forms.Select if len(choices) > 8 else forms.RadioSelect
    if widget is forms.Select:
        choices = [("", "—"), *choices]
    return forms.ChoiceField(choices=choices, widget=widget, error_messages=messages, **common)


def _text(normalise: Callable[[str], str], max_length: int = 60) -> Callable[..., forms.Field]:
    return lambda d, f, c: CleanedCharField(
        normalise=normalise, max_length=max_length, error_messages=REQUIRED, **c
    )


def _number(
    definition: FieldDefinition, _facts: dict[str, Any], common: dict[str, Any]
) -> forms.Field:
    options = definition.options
    kind = forms.DecimalField if options.get("decimals") else forms.IntegerField
    return kind(
        min_value=options.get("min"),
        max_value=options.get("max"),
        error_messages={**REQUIRED, "invalid": _("Enter a number.")},
        **common,
    )


def _date(
    definition: FieldDefinition, _facts: dict[str, Any], common: dict[str, Any]
) -> forms.Field:
    return BoundedDateField(
        min_days=definition.options.get("min_days"),
        max_days=definition.options.get("max_days"),
        **common,
    )


def _plate(
    definition: FieldDefinition, facts: dict[str, Any], common: dict[str, Any]
) -> forms.Field:
    if definition.options.get("options_from") and choices_for(definition, facts):
        return _choice(definition, facts, common)
    return CleanedCharField(
        normalise=validators.licence_plate,
        max_length=12,
        error_messages={"required": _("Enter the registration plate.")},
        **common,
    )


def _yes_no(
    _definition: FieldDefinition, _facts: dict[str, Any], common: dict[str, Any]
) -> forms.Field:
    return forms.ChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Answer yes or no."),
            "invalid_choice": _("Answer yes or no."),
        },
        **common,
    )


def _file(
    definition: FieldDefinition, _facts: dict[str, Any], common: dict[str, Any]
) -> forms.Field:
    return forms.FileField(
        error_messages={"required": _("Choose a file."), "empty": _("The file is empty.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        **common,
    )


BUILDERS: dict[str, Callable[[FieldDefinition, dict[str, Any], dict[str, Any]], forms.Field]] = {
    "text": lambda d, f, c: forms.CharField(
        max_length=int(d.options.get("max_length", 200)), error_messages=REQUIRED, **c
    ),
    "long_text": lambda d, f, c: forms.CharField(
        max_length=int(d.options.get("max_length", 4000)),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages=REQUIRED,
        **c,
    ),
    "email": lambda d, f, c: forms.EmailField(
        max_length=200,
        error_messages={**REQUIRED, "invalid": _("Enter an e-mail address like name@example.be.")},
        **c,
    ),
    "number": _number,
    "date": _date,
    "choice": _choice,
    "yes_no": _yes_no,
    "phone": _text(validators.phone, 30),
    "iban": _text(validators.iban_number, 42),
    "bic": _text(validators.bic_code, 11),
    "national_number": _text(validators.national_number, 20),
    "enterprise_number": _text(validators.enterprise_number, 20),
    "licence_plate": _plate,
    "file": _file,
}


def build_field(definition: FieldDefinition, facts: dict[str, Any]) -> forms.Field:
    """The Django field for a simple field type (composites are built in pages.py)."""
    common: dict[str, Any] = {
        "label": pick(definition.label),
        "help_text": pick(definition.help),
        "required": definition.required,
    }
    field = BUILDERS[definition.type](definition, facts, common)
    if definition.required_message:
        field.error_messages["required"] = pick(definition.required_message)
    return field
