"""What the applicant types when a register cannot be used (declined, or unavailable).

The EU once-only system requires that an applicant can always go on without the register. The
case then shows the civil servant that this data was declared, not read from a register.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from loket.forms.fields import BoundedDateField


def _fields() -> dict[str, list[tuple[str, forms.Field]]]:
    name_error = {"required": _("Enter your name as on your identity card.")}
    return {
        "population.identity": [
            (
                "first_name",
                forms.CharField(label=_("First name"), max_length=80, error_messages=name_error),
            ),
            (
                "last_name",
                forms.CharField(label=_("Last name"), max_length=80, error_messages=name_error),
            ),
            (
                "birth_date",
                BoundedDateField(label=_("Date of birth"), min_days=-120 * 366, max_days=0),
            ),
        ],
        "population.address": [
            (
                "street",
                forms.CharField(
                    label=_("Street"),
                    max_length=200,
                    error_messages={"required": _("Enter the street.")},
                ),
            ),
            (
                "house_number",
                forms.CharField(
                    label=_("House number and box"),
                    max_length=20,
                    error_messages={"required": _("Enter the house number.")},
                ),
            ),
            (
                "postcode",
                forms.RegexField(
                    label=_("Postcode"),
                    regex=r"^1[0-2]\d\d$",
                    error_messages={
                        "required": _("Enter the postcode."),
                        "invalid": _("Enter a Brussels postcode, for example 1050."),
                    },
                ),
            ),
        ],
    }


def declaration_form(
    attributes: list[str], data: object = None, initial: object = None
) -> forms.Form:
    """A form asking, for each attribute in ``attributes``, what the register would have said."""
    form = forms.Form(data=data, initial=initial)  # type: ignore[arg-type]
    fields = _fields()
    for attribute in attributes:
        for name, field in fields.get(attribute, []):
            form.fields[f"{attribute}.{name}"] = field
    return form


def declarable(attributes: list[str]) -> list[str]:
    fields = _fields()
    return [attribute for attribute in attributes if attribute in fields]
