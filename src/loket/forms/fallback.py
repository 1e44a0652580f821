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
from loket.forms.fields import BoundedDateField, box_field
from loket.forms.pages import municipality_field
from loket.geo.search import Candidate, did_you_mean, validate_address
from loket.geo.text import NUMBER_BOX, fold, name_key


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
                    label=_("House number"),
                    max_length=20,
                    error_messages={"required": _("Enter the house number.")},
                ),
            ),
            ("box", box_field()),
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


STREET = "population.address.street"
NUMBER = "population.address.house_number"
BOX = "population.address.box"
POSTCODE = "population.address.postcode"
MUNICIPALITY = "population.address.municipality"
# Offered when the address register does not know the typed address: its closest addresses,
# and the applicant's word that the address is right all the same.
SUGGESTION = "population.address.suggestion"
CONFIRMED = "population.address.confirmed"


def municipalities_of(postcode: str) -> list[tuple[str, str]]:
    """The municipalities a Brussels postcode covers, as (NIS code, name in the active language):
    one for most, two for a few (1050 is Ixelles and part of the City of Brussels), none for the
    postcodes of institutions."""
    found = Postcode.objects.filter(code=postcode[:4]).first()
    if found is None:
        return []
    return [(m.id, m.name) for m in found.municipalities.order_by("id")]


def split_box(number: str, box: str) -> tuple[str, str]:
    """A box typed with the number ("12 bte 3", "12b bus 3A gauche", "12/3") is moved, whole,
    to the box; a box typed on its own is kept as it is."""
    typed = number.strip()
    found = NUMBER_BOX.match(fold(typed))
    if box.strip() or found is None:
        return number, box
    end = found.end(2) if found.group(2) else found.end(1)  # digits and a letter fold to themselves
    return typed[:end], typed[end:].strip(" /")


def address_label(candidate: Candidate) -> str:
    """How a suggested address reads: "Rue du Trône 98, 1050"."""
    street = candidate.street_fr if fold(candidate.street_fr) else candidate.street_nl
    number = f" {candidate.house_number}" if candidate.house_number else ""
    return f"{street}{number}, {candidate.postcode}".strip(", ")


class DeclarationForm(forms.Form):
    """The declared data; a typed address also says its municipality, which routes the case.
    A typed address is checked against the address register: an address it does not know is
    refused with its closest addresses to choose from, or accepted once the applicant confirms
    it; what was typed is kept in the form either way."""

    suggestions: dict[str, Candidate]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if STREET in self.fields and not self.errors:
            self._check_address(cleaned)
        postcode = cleaned.get(POSTCODE)
        chosen = cleaned.get(MUNICIPALITY)
        covering = [nis for nis, _name in municipalities_of(postcode or "")]
        if postcode and chosen and covering and chosen not in covering:
            if MUNICIPALITY not in self.errors:
                self.add_error(
                    MUNICIPALITY, _("This postcode is not in the municipality you chose.")
                )
        elif postcode and not chosen:
            municipalities = municipalities_of(postcode)
            if len(municipalities) == 1:
                cleaned[MUNICIPALITY] = municipalities[0][0]
            elif not municipalities:
                self.add_error(
                    POSTCODE,
                    _("No municipality has this postcode: enter the postcode of your address."),
                )
            elif MUNICIPALITY in self.fields and MUNICIPALITY not in self.errors:
                # shared, and the register did not tell (nor already said why, on the field)
                self.add_error(MUNICIPALITY, _("Choose the municipality of your address."))
        return cleaned

    def _check_address(self, cleaned: dict[str, Any]) -> None:
        cleaned[NUMBER], cleaned[BOX] = split_box(cleaned[NUMBER], cleaned.get(BOX) or "")
        chosen = self.suggestions.get(cleaned.get(SUGGESTION) or "")
        if chosen is not None:
            cleaned[STREET] = chosen.street_fr or chosen.street_nl
            cleaned[NUMBER] = chosen.house_number or cleaned[NUMBER]
            cleaned[POSTCODE] = chosen.postcode or cleaned[POSTCODE]
            cleaned[MUNICIPALITY] = chosen.nis_code
        check = validate_address(
            cleaned[STREET], cleaned[NUMBER], cleaned[POSTCODE], cleaned.get(MUNICIPALITY) or ""
        )
        if cleaned.get(CONFIRMED):
            pass  # the applicant vouches for the address as typed
        elif not check.ok:  # on the part to correct: a shared street asks the municipality
            self.add_error(PARTS[check.wrong], str(check.errors[0]))
        elif not named_as_in_register(cleaned[STREET], check.candidate):
            self.add_error(STREET, str(CLOSE_NAME))
        if check.ok and check.nis_code:  # the street decides, not a postcode shared by two
            cleaned[MUNICIPALITY] = check.nis_code
        cleaned.pop(SUGGESTION, None)


PARTS = {"street": STREET, "house_number": NUMBER, "postcode": POSTCODE,
         "municipality": MUNICIPALITY}  # fmt: skip

CLOSE_NAME = _(
    "The address register knows this street under a slightly different name: choose the "
    "address below, or confirm what you typed."
)


def named_as_in_register(street: str, found: Candidate | None) -> bool:
    """Whether the street was typed as the register names it (in French or in Dutch; accents,
    case and dashes aside), rather than only close to it."""
    if found is None:
        return True
    return name_key(street) in {name_key(found.street_fr), name_key(found.street_nl)}


def _offer_suggestions(form: DeclarationForm, data: Mapping[str, Any]) -> None:
    """Where the register does not know the typed address, or knows it under another name: its
    closest addresses, to choose from, and a box to confirm the address as typed."""
    street, number = str(data.get(STREET) or ""), str(data.get(NUMBER) or "")
    postcode = str(data.get(POSTCODE) or "").strip()
    number, _box = split_box(number, str(data.get(BOX) or ""))
    if not street.strip():
        return
    chosen = str(data.get(MUNICIPALITY) or "")
    check = validate_address(street, number, postcode, chosen)
    if check.ok and named_as_in_register(street, check.candidate):
        return
    if check.street_found and check.wrong == "municipality":
        return  # the street is known, in more than one municipality: only that is asked
    found = [check.candidate] if check.ok and check.candidate else []
    form.suggestions = {
        f"{c.id}:{c.house_number}": c for c in [*found, *did_you_mean(street, number, postcode)]
    }
    if form.suggestions:
        form.fields[SUGGESTION] = forms.ChoiceField(
            label=_("Did you mean one of these addresses?"),
            choices=[(key, address_label(c)) for key, c in form.suggestions.items()],
            widget=forms.RadioSelect,
            required=False,
            help_text=_("Choose one to use it, or leave them all and confirm what you typed."),
        )
    form.fields[CONFIRMED] = forms.BooleanField(
        label=_("This address is right, even if the address register does not know it"),
        required=False,
    )


def declaration_form(
    attributes: list[str], data: Mapping[str, Any] | None = None,
    initial: dict[str, Any] | None = None,
) -> forms.Form:  # fmt: skip
    """A form asking, for each attribute in ``attributes``, what the register would have said.
    A postcode shared by several municipalities also asks which one (what was typed stays)."""
    form = DeclarationForm(data=data, initial=initial)
    form.suggestions = {}
    fields = _fields()
    for attribute in attributes:
        for name, field in fields.get(attribute, []):
            form.fields[f"{attribute}.{name}"] = field
    if POSTCODE in form.fields:
        postcode = str((data if data is not None else initial or {}).get(POSTCODE) or "").strip()
        # Asked at once (not only after a refusal): a postcode shared between municipalities
        # is said beside it, and the street found in the address register tells, if it can.
        form.fields[MUNICIPALITY] = municipality_field(postcode)
        if data is not None:
            _offer_suggestions(form, data)
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
