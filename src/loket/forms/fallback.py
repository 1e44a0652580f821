"""What the applicant types when a register cannot be used (declined, or unavailable).

The EU once-only system requires that an applicant can always go on without the register. The
case then shows the civil servant that this data was declared, not read from a register.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loket.core.models import Postcode
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


POSTCODE = "population.address.postcode"
MUNICIPALITY = "population.address.municipality"


def municipalities_of(postcode: str) -> list[tuple[str, str]]:
    """The municipalities a Brussels postcode covers, as (NIS code, name in the active language):
    one for most, two for a few (1050 is Ixelles and part of the City of Brussels), none for the
    postcodes of institutions."""
    found = Postcode.objects.filter(code=postcode[:4]).first()
    if found is None:
        return []
    return [(m.id, m.name) for m in found.municipalities.order_by("id")]


class DeclarationForm(forms.Form):
    """The declared data; a typed address also says its municipality, which routes the case."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        postcode = cleaned.get(POSTCODE)
        if postcode and not cleaned.get(MUNICIPALITY):
            municipalities = municipalities_of(postcode)
            if len(municipalities) == 1:
                cleaned[MUNICIPALITY] = municipalities[0][0]
            elif not municipalities:
                self.add_error(
                    POSTCODE,
                    _("No municipality has this postcode: enter the postcode of your address."),
                )
        return cleaned


def declaration_form(
    attributes: list[str], data: Mapping[str, Any] | None = None,
    initial: dict[str, Any] | None = None,
) -> forms.Form:  # fmt: skip
    """A form asking, for each attribute in ``attributes``, what the register would have said.
    A postcode shared by several municipalities also asks which one (what was typed stays)."""
    form = DeclarationForm(data=data, initial=initial)
    fields = _fields()
    for attribute in attributes:
        for name, field in fields.get(attribute, []):
            form.fields[f"{attribute}.{name}"] = field
    if POSTCODE in form.fields:
        postcode = str((data if data is not None else initial or {}).get(POSTCODE) or "").strip()
        shared = municipalities_of(postcode)
        if len(shared) > 1:
            form.fields[MUNICIPALITY] = forms.ChoiceField(
                label=_("Municipality"),
                choices=shared,
                widget=forms.RadioSelect,
                help_text=_("Postcode %(postcode)s covers more than one municipality.")
                % {"postcode": postcode},
                error_messages={"required": _("Choose the municipality of your address.")},
            )
    return form


def declarable(attributes: list[str]) -> list[str]:
    fields = _fields()
    return [attribute for attribute in attributes if attribute in fields]


def declaration_missing(unavailable: list[str], declared: Mapping[str, Any]) -> bool:
    """Whether data the registers could not give is still to be typed (before sending)."""
    attributes = declarable(unavailable)
    if not attributes:
        return False
    form = declaration_form(attributes, data=dict(declared))
    return not form.is_valid()
