"""The field types of form definitions, in one registry (``FIELD_TYPES``).

Each type holds the options a definition may give it (a typed model: unknown keys and wrong
types are refused, defaults stated once) and the builder of its Django form field. The
definition schema (``schema.py``), the page renderer (``pages.py``) and the table of types in
docs/forms.md (``loket definitions types``) all read this registry.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Literal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from pydantic import Field, model_validator

from loket.core.holidays import next_working_day
from loket.core.i18n import pick
from loket.core.reference import municipality_choices
from loket.forms import validators
from loket.forms.spec import FactName, Number, Scalar, Spec, Texts

if TYPE_CHECKING:
    from loket.forms.definitions import FieldDefinition

REQUIRED = {"required": _("This field is required.")}
MUNICIPALITIES = "loket.municipalities"  # options_from: the 19 municipalities


class Options(Spec):
    """A type without options."""


class TextOptions(Options):
    max_length: int = Field(default=200, ge=1, description="the longest answer accepted")


class LongTextOptions(Options):
    max_length: int = Field(default=4000, ge=1, description="the longest answer accepted")


class NumberOptions(Options):
    min: Number | None = Field(default=None, description="the smallest number accepted")
    max: Number | None = Field(default=None, description="the largest number accepted")
    decimals: bool = Field(
        default=True,
        description="`false` accepts only whole numbers (a count: children, tables, days); "
        "else decimals, typed with a comma or a point",
    )

    @model_validator(mode="after")
    def _ordered(self) -> NumberOptions:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is above max")
        return self


class DateOptions(Options):
    min_days: int | None = Field(
        default=None, description="earliest date, in days from today (< 0: past)"
    )
    max_days: int | None = Field(default=None, description="latest date, in days from today")
    after_answer_deadline: bool = Field(
        default=False,
        description="`true`: the earliest date is the first working day after the time the "
        "administration has to answer (the procedure's processing days, in working days)",
    )

    @model_validator(mode="after")
    def _ordered(self) -> DateOptions:
        bounded = self.min_days is not None and self.max_days is not None
        if bounded and self.min_days > self.max_days:  # type: ignore[operator]
            raise ValueError("min_days is above max_days")
        return self


class FactChoiceOptions(Options):
    options_from: FactName | None = Field(
        None,
        description="a list fact (`source.attribute`) whose entries are offered, or "
        f"`{MUNICIPALITIES}` (the 19 municipalities, value = NIS code)",
    )
    option_value: str = Field(default="{id}", description='each entry\'s value, e.g. `"{plate}"`')
    option_label: str | None = Field(
        None, description='each entry\'s label, e.g. `"{a} {b}"` (default: its value)'
    )


class ChoiceOptions(FactChoiceOptions):
    choices: dict[Scalar, Texts] | None = Field(
        None, description="fixed choices, `{value: {fr, nl, en}}`; more than 8 make a list box"
    )
    multiple: bool = Field(
        default=False, description="`true`: several may be ticked (answer: a list)"
    )
    preselect_language: bool = Field(
        default=False,
        description="`true`: the choices are language codes and the one the person is reading "
        "in is ticked until they answer (a document's language, say)",
    )
    includes_applicant: bool = Field(
        default=False,
        description="`true` (with `multiple` and `options_from` a list of people): the "
        "applicant is always in the answer, shown as a fixed line instead of a box, and added "
        "by the server whatever is posted (who moves in their own change of address)",
    )

    @model_validator(mode="after")
    def _has_choices(self) -> ChoiceOptions:
        if not self.choices and not self.options_from:
            raise ValueError("a choice needs 'choices' or 'options_from'")
        if self.includes_applicant and not (self.multiple and self.options_from):
            raise ValueError("'includes_applicant' needs 'multiple' and 'options_from'")
        return self


class NearbyReports(Spec):
    url: str
    category_from: str


class LocationOptions(Options):
    nearby_reports: NearbyReports | None = Field(
        None,
        description="`{url, category_from}`: the map lists open reports of the category "
        "answered in `category_from` within 50 m",
    )


class FileOptions(Options):
    accept: list[Literal["pdf", "jpeg", "png"]] = Field(
        ["pdf"], min_length=1, description="the kinds accepted, checked by content"
    )
    max_mb: Number = Field(
        default=10, gt=0, le=20, description="the largest file, in MB (at most 20)"
    )


class GroupOptions(Options):
    max: int = Field(default=10, ge=1, description="the most items")
    item: Texts | None = Field(
        default=None,
        description="what one item is called, per language (Personne, Persoon, Person): "
        "numbered on the page (Person 1, Person 2)",
    )


class CleanedCharField(forms.CharField):
    """A text field whose value is checked and normalised by a function from validators."""

    def __init__(self, *, normalise: Callable[[str], str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.normalise = normalise

    def clean(self, value: Any) -> str:
        cleaned = super().clean(value)
        return self.normalise(cleaned) if cleaned else ""


class UncutCharField(forms.CharField):
    """A text field whose limit is checked on the server, with a message, and not given to the
    browser: a ``maxlength`` makes it cut what is typed or pasted without a word (a box number
    "bte 12 gauche" would arrive as "bte 12 gau")."""

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


BOX_LENGTH = 40


def box_field() -> UncutCharField:
    """The box (bus, boîte) of an address, kept whole as typed."""
    return UncutCharField(
        label=_("Box (optional)"), max_length=BOX_LENGTH, required=False,
        error_messages={"max_length": _("The box can have at most %(limit_value)d characters.")},
    )  # fmt: skip


class BoundedDateField(forms.DateField):
    """A date between today + ``min_days`` and today + ``max_days``; with an ``answer_deadline``
    (the last day the administration has to answer), no earlier than the first working day
    after it. The bounds are given to the browser too (``min``, ``max``) and said in the hint."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(
        self, *, min_days: int | None, max_days: int | None, answer_deadline: date | None = None,
        **kwargs: Any,
    ) -> None:  # fmt: skip
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
        self.answer_deadline = answer_deadline
        earliest, latest = self.earliest, self.latest
        if earliest is not None:
            self.widget.attrs["min"] = earliest.isoformat()
        if latest is not None:
            self.widget.attrs["max"] = latest.isoformat()
        if answer_deadline is not None and earliest is not None:
            said = _(
                "The administration has until %(deadline)s to answer your application: "
                "choose %(date)s or later."
            ) % {"deadline": formats.date_format(answer_deadline),
                 "date": formats.date_format(earliest)}  # fmt: skip
            self.help_text = f"{self.help_text} {said}".strip()

    @property
    def after_answer(self) -> date | None:
        """The first working day after the administration's time to answer, or None."""
        if self.answer_deadline is None:
            return None
        return next_working_day(self.answer_deadline + timedelta(days=1))

    @property
    def earliest(self) -> date | None:
        """The first date accepted today, or None."""
        bounds = [] if self.after_answer is None else [self.after_answer]
        if self.min_days is not None:
            bounds.append(timezone.localdate() + timedelta(days=self.min_days))
        return max(bounds) if bounds else None

    @property
    def latest(self) -> date | None:
        if self.max_days is None:
            return None
        return timezone.localdate() + timedelta(days=self.max_days)

    def validate(self, value: date | None) -> None:
        super().validate(value)
        if value is None:
            return
        earliest, latest = self.earliest, self.latest
        if earliest is not None and value < earliest:
            shown = formats.date_format(earliest)
            if self.answer_deadline is not None and earliest == self.after_answer:
                message = _(
                    "The date must be %(date)s or later: the administration has until "
                    "%(deadline)s to answer your application."
                ) % {"date": shown, "deadline": formats.date_format(self.answer_deadline)}
            else:
                message = _("The date must be %(date)s or later.") % {"date": shown}
            raise ValidationError(message, code="too_early")
        if latest is not None and value > latest:
            raise ValidationError(
                _("The date must be %(date)s or earlier.") % {"date": formats.date_format(latest)},
                code="too_late",
            )


def choices_for(definition: FieldDefinition, facts: dict[str, Any]) -> list[tuple[str, str]]:
    """Fixed choices, or choices taken from a fact (e.g. the vehicles, the household)."""
    source = definition.options.get("options_from")
    if not source:
        fixed = definition.options.get("choices") or {}
        return [(str(k), pick(v)) for k, v in fixed.items()]
    if source == MUNICIPALITIES:
        return municipality_choices()
    source_id, attribute = source.split(".", 1)
    entries = facts.get(source_id, {}).get(attribute) or []
    value = definition.options["option_value"]
    label = definition.options["option_label"] or value
    return [(value.format(**entry), label.format(**entry)) for entry in entries]


def applicant_choice(definition: FieldDefinition, facts: dict[str, Any]) -> tuple[str, str]:
    """The applicant as an entry of the list (value, label), from their identity (read from the
    register, or typed when they declined it); ("", "") when it is not known."""
    identity = facts.get("population", {}).get("identity") or {}
    value = definition.options["option_value"]
    label = definition.options["option_label"] or value
    try:
        return value.format(**identity), label.format(**identity)
    except (KeyError, IndexError):
        return "", ""


class WithApplicant:
    """A list of people that always holds the applicant: shown as a fixed line (not a box one
    could leave unticked), put first in the answer whatever was posted. Posting the applicant
    anyway is accepted (an older page, a script): they are in the answer once."""

    applicant: str
    applicant_label: str

    def with_applicant(self, others: list[str]) -> list[str]:
        return [self.applicant, *(name for name in others if name != self.applicant)]


class PeopleWithApplicant(WithApplicant, forms.MultipleChoiceField):
    def valid_value(self, value: Any) -> bool:
        return str(value) == self.applicant or super().valid_value(value)

    def clean(self, value: Any) -> list[str]:
        return self.with_applicant([str(v) for v in super().clean(value)])

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return [v for v in value if v != self.applicant]
        return value


class TypedPeopleWithApplicant(WithApplicant, CleanedCharField):
    """The register's list is not at hand: the others are typed, the applicant still included."""

    def clean(self, value: Any) -> list[str]:  # type: ignore[override]
        typed = super().clean(value)
        return self.with_applicant([typed] if typed else [])

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(str(v) for v in value if v != self.applicant)
        return value


def _people_with_applicant(
    definition: FieldDefinition, facts: dict[str, Any], common: dict[str, Any]
) -> forms.Field | None:
    """``includes_applicant``: the applicant fixed, the others (optional) to tick or type."""
    applicant, label = applicant_choice(definition, facts)
    if not applicant:
        return None
    others = [choice for choice in choices_for(definition, facts) if choice[0] != applicant]
    field: PeopleWithApplicant | TypedPeopleWithApplicant
    if definition.options.get("options_from") and not choices_for(definition, facts):
        field = TypedPeopleWithApplicant(
            normalise=lambda value: " ".join(value.split()),
            max_length=300,
            **{**common, "required": False,
               "help_text": _("Type the names of the others, if any: the register's list is "
                              "not available.")},
        )  # fmt: skip
    else:
        field = PeopleWithApplicant(
            choices=others, widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": _("Choose one of the options.")},
            **{**common, "required": False},
        )  # fmt: skip
    field.applicant, field.applicant_label = applicant, label
    return field


def _choice(
    definition: FieldDefinition, facts: dict[str, Any], common: dict[str, Any]
) -> forms.Field:
    if definition.options.get("includes_applicant"):
        with_applicant = _people_with_applicant(definition, facts, common)
        if with_applicant is not None:
            return with_applicant
    choices = choices_for(definition, facts)
    source = definition.options.get("options_from")
    if source and source != MUNICIPALITIES and not choices:
        # The register's list is not at hand (declined, unavailable, or empty): the person types
        # the answer instead of facing a list with nothing to choose.
        return CleanedCharField(
            normalise=lambda value: " ".join(value.split()),
            max_length=300,
            error_messages=REQUIRED,
            **{**common, "help_text": _("Type your answer: the register's list is not available.")},
        )
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
    field = forms.ChoiceField(choices=choices, widget=widget, error_messages=messages, **common)
    reading = (get_language() or "")[:2]
    if definition.options.get("preselect_language") and reading in dict(choices):
        field.initial = reading
    return field


class TelInput(forms.TextInput):
    """A phone number: a phone shows its number keypad; the browser may offer the own number."""

    input_type = "tel"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "tel", **(attrs or {})})


def _text(
    normalise: Callable[[str], str], max_length: int = 60, widget: type[forms.Widget] | None = None
) -> Callable[..., forms.Field]:
    def build(_d: FieldDefinition, _f: dict[str, Any], common: dict[str, Any]) -> forms.Field:
        extra = {"widget": widget} if widget is not None else {}
        return CleanedCharField(
            normalise=normalise, max_length=max_length, error_messages=REQUIRED, **extra, **common
        )

    return build


class WholeNumberField(forms.IntegerField):
    """A count. "12,5" is a number, but not a whole one: say so, rather than "Enter a number"."""

    def to_python(self, value: Any) -> int | None:
        try:
            return super().to_python(value)
        except ValidationError:
            try:
                forms.DecimalField(localize=True).to_python(value)
            except ValidationError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            raise ValidationError(
                _("Enter a whole number, without decimals."), code="whole"
            ) from None


def _number(
    definition: FieldDefinition, _facts: dict[str, Any], common: dict[str, Any]
) -> forms.Field:
    options = definition.options
    kind = forms.DecimalField if options["decimals"] else WholeNumberField
    # Localised: "1,5" is one and a half in French and Dutch (a text input, as a browser's
    # number input may refuse the comma), and a number shown again keeps the page's separator.
    # Decimals are the default: a quantity (metres, m², euros) refused for its comma is worse
    # than a count that must say ``decimals: false``.
    return kind(
        min_value=options["min"],
        max_value=options["max"],
        localize=True,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal" if options["decimals"] else "numeric"}
        ),
        error_messages={**REQUIRED, "invalid": _("Enter a number.")},
        **common,
    )


def _date(
    definition: FieldDefinition, _facts: dict[str, Any], common: dict[str, Any]
) -> forms.Field:
    return BoundedDateField(
        min_days=definition.options["min_days"],
        max_days=definition.options["max_days"],
        **common,
    )


def _plate(
    definition: FieldDefinition, facts: dict[str, Any], common: dict[str, Any]
) -> forms.Field:
    if definition.options["options_from"] and choices_for(definition, facts):
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


def _plain_text(
    definition: FieldDefinition, _facts: dict[str, Any], common: dict[str, Any]
) -> forms.Field:
    return forms.CharField(
        max_length=definition.options["max_length"], error_messages=REQUIRED, **common
    )


def _long_text(
    definition: FieldDefinition, _facts: dict[str, Any], common: dict[str, Any]
) -> forms.Field:
    return forms.CharField(
        max_length=definition.options["max_length"],
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages=REQUIRED,
        **common,
    )


def _email(
    _definition: FieldDefinition, _facts: dict[str, Any], common: dict[str, Any]
) -> forms.Field:
    return forms.EmailField(
        max_length=200,
        error_messages={**REQUIRED, "invalid": _("Enter an e-mail address like name@example.be.")},
        **common,
    )


Builder = Callable[["FieldDefinition", dict[str, Any], dict[str, Any]], forms.Field]


@dataclass(frozen=True)
class FieldType:
    """A field type: its name in definitions, what its answer is (for docs/forms.md), the
    options it accepts, and the builder of its Django field. ``build`` is None for the
    composites that pages.py lays out from several parts: an address, a place on a map, and
    a group of repeated items."""

    name: str
    answer: str
    options: type[Options]
    build: Builder | None
    note: str = ""


FIELD_TYPES: dict[str, FieldType] = {
    kind.name: kind
    for kind in (
        FieldType("text", "text", TextOptions, _plain_text),
        FieldType("long_text", "text, on several lines", LongTextOptions, _long_text),
        FieldType("number", "number", NumberOptions, _number),
        FieldType("date", "date", DateOptions, _date),
        FieldType(
            "choice", "value, or a list of values with `multiple: true`", ChoiceOptions, _choice,
            "`choices` or `options_from` is needed",
        ),
        FieldType("yes_no", "`yes` or `no`", Options, _yes_no),
        FieldType("email", "address", Options, _email),
        FieldType("phone", "`+32…`", Options, _text(validators.phone, 30, TelInput),
                  "Belgian numbers may be typed with a leading 0"),
        FieldType("iban", "IBAN, checked with python-stdnum", Options,
                  _text(validators.iban_number, 42)),
        FieldType("bic", "BIC, checked with python-stdnum", Options,
                  _text(validators.bic_code, 11)),
        FieldType("national_number", "11 digits, checked", Options,
                  _text(validators.national_number, 20),
                  "never for the applicant's own: the register gives it"),
        FieldType("enterprise_number", "10 digits, checked", Options,
                  _text(validators.enterprise_number, 20),
                  "never for the applicant's own: the register gives it"),
        FieldType("licence_plate", "`1-ABC-234`", FactChoiceOptions, _plate,
                  "`options_from: vehicle.registrations` offers the registered vehicles; "
                  "typing is the fallback"),
        FieldType("brussels_address", "street, number, box, postcode, municipality", Options,
                  None, "checked against the address register; the municipality is asked "
                  "when the postcode is shared"),
        FieldType("location", "an address plus an optional point (set on a map with JavaScript)",
                  LocationOptions,
                  None),
        FieldType("file", "an attachment", FileOptions, _file),
        FieldType("group", "a list of items", GroupOptions, None,
                  "`fields:` the fields of one item (no group inside a group); "
                  '"add another" works without JavaScript'),
    )
}  # fmt: skip


def build_field(
    definition: FieldDefinition, facts: dict[str, Any], answer_deadline: date | None = None
) -> forms.Field:
    """The Django field for a simple field type (composites are built in pages.py).
    ``answer_deadline``: the last day the administration has to answer, for a date field that
    must come after it (``after_answer_deadline``)."""
    common: dict[str, Any] = {
        "label": pick(definition.label),
        "help_text": pick(definition.help),
        "required": definition.required,
    }
    if definition.type == "date" and definition.options.get("after_answer_deadline"):
        if answer_deadline is None:
            raise ValueError(f"{definition.name} needs the procedure's answer deadline")
        common["answer_deadline"] = answer_deadline
    build = FIELD_TYPES[definition.type].build
    if build is None:
        raise ValueError(f"{definition.type} is laid out by pages.py, from several parts")
    field = build(definition, facts, common)
    if definition.required_message:
        field.error_messages["required"] = pick(definition.required_message)
    return field


def types_table() -> str:
    """The table of field types and their options in docs/forms.md, from the registry."""
    rows = ["| type | answer | options (default) |", "| --- | --- | --- |"]
    for kind in FIELD_TYPES.values():
        options = []
        for name, info in kind.options.model_fields.items():
            default = info.get_default()
            shown = "" if default is None else f" ({json.dumps(default)})"
            options.append(f"`{name}`{shown}: {info.description}")
        if kind.note:
            options.append(kind.note)
        rows.append(f"| `{kind.name}` | {kind.answer} | {'; '.join(options)} |")
    return "\n".join(rows) + "\n"
