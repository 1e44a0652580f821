"""One page of a form: its fields (simple, address, location, repeated group) bound to a request.

Conditions: a field whose condition depends on an earlier page is left out when it does not
hold; one that depends on a field of the same page is shown (pages work without JavaScript) and
required only when its condition holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loket.catalog.models import Procedure
from loket.core.i18n import pick
from loket.core.models import Postcode, User
from loket.core.reference import municipality_choices
from loket.forms.definitions import FieldDefinition, PageDefinition
from loket.forms.fields import box_field, build_field
from loket.forms.uploads import check_upload, store_upload
from loket.geo.map import MapPointInput
from loket.geo.search import validate_address

BRUSSELS = {"lat": (50.76, 50.92), "lon": (4.24, 4.49)}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def address_fields(required: bool, postcode: str = "") -> dict[str, forms.Field]:
    """The parts of a typed address; ``postcode``, the one typed so far, narrows the choice of
    the municipality to those it covers when it is shared."""
    return {
        "street": forms.CharField(label=_("Street"), max_length=200, required=required,
                                  error_messages={"required": _("Enter the street.")}),
        "house_number": forms.CharField(label=_("Number"), max_length=10, required=required,
                                        error_messages={"required": _("Enter the house number.")}),
        "box": box_field(),
        "postcode": forms.RegexField(
            label=_("Postcode"), regex=r"^1[0-2]\d\d$", required=required,
            error_messages={"required": _("Enter the postcode."),
                            "invalid": _("Enter a Brussels postcode, for example 1050.")}),
        "municipality": municipality_field(postcode),
        "confirm_unknown": forms.BooleanField(
            label=_("This address is right, even if the address register does not know it"),
            required=False,
            help_text=_("Tick this only if we say we cannot find it. We then pass it on to the "
                        "address register so that it can be completed.")),
    }  # fmt: skip


def shared_postcodes() -> dict[str, list[str]]:
    """The postcodes that cover more than one municipality, each with their NIS codes, as the
    reference data says (1030, 1040, 1050 and 1070 also cover part of the City of Brussels)."""
    shared: dict[str, list[str]] = {}
    for code, nis in Postcode.municipalities.through.objects.values_list(
        "postcode_id", "administration_id"
    ).order_by("postcode_id", "administration_id"):
        shared.setdefault(code, []).append(nis)
    return {code: nis for code, nis in shared.items() if len(nis) > 1}


def shared_postcodes_hint() -> str:
    """ "Postcodes 1030, 1040, 1050, 1070 are shared between municipalities: …", from the data."""
    codes = ", ".join(shared_postcodes())
    if not codes:
        return ""
    return str(
        _("Postcodes %(codes)s are shared between municipalities: for these, choose the "
          "municipality.") % {"codes": codes}
    )  # fmt: skip


def municipality_field(postcode: str) -> forms.ChoiceField:
    """The municipality of a typed address: for a postcode shared between municipalities, a
    choice among those it covers; else any of the 19, needed only for a shared postcode."""
    covering = shared_postcodes().get(postcode.strip()[:4], [])
    if covering:
        names = dict(municipality_choices())
        return forms.ChoiceField(
            label=_("Municipality"), choices=[(nis, names.get(nis, nis)) for nis in covering],
            widget=forms.RadioSelect, required=False,
            help_text=_("Postcode %(postcode)s covers more than one municipality.")
            % {"postcode": postcode.strip()},
            error_messages={"invalid_choice": _("This postcode is not in the municipality you "
                                                "chose.")},
        )  # fmt: skip
    return forms.ChoiceField(
        label=_("Municipality"), choices=[("", "—"), *municipality_choices()], required=False,
        help_text=shared_postcodes_hint(),
    )  # fmt: skip


def check_address(value: dict[str, str]) -> dict[str, str]:
    """Check the address against the address register; the municipality is decided by the
    street or by the person's choice (1030, 1040, 1050 and 1070 are shared with the City of
    Brussels), not by the postcode. A refusal is a ``ValidationError`` keyed by the part of the
    address to correct (``street``, ``house_number``, ``postcode``, ``municipality``)."""
    postcode = Postcode.objects.filter(code=value.get("postcode", "")).first()
    covering = set(postcode.municipalities.values_list("id", flat=True)) if postcode else set()
    chosen = value.get("municipality", "")
    if not covering:
        raise ValidationError(
            {"postcode": _("This postcode is not in the Brussels-Capital Region.")}
        )
    if chosen and chosen not in covering:
        raise ValidationError(
            {"municipality": _("This postcode is not in the municipality you chose.")}
        )
    confirmed = bool(value.pop("confirm_unknown", False))
    checked = validate_address(
        value.get("street", ""), value.get("house_number", ""), value.get("postcode", ""), chosen
    )
    precision: str = checked.precision
    if not checked.ok:
        if not (confirmed and (chosen or len(covering) == 1)):
            raise ValidationError({checked.wrong: str(checked.errors[0])})
        # The applicant vouches for an address the register lacks: accepted as declared, and
        # passed on to the register's owner when the application is sent.
        precision = "declared"
    municipality = checked.nis_code or chosen or (covering.pop() if len(covering) == 1 else "")
    if not municipality:
        raise ValidationError(
            {"municipality": _("This postcode is shared by two municipalities: choose the "
                               "municipality.")}
        )  # fmt: skip
    names = {}
    if checked.candidate is not None and checked.candidate.street_fr:
        # Both official names, so that each language shows its own ("Verdunstraat" in Dutch).
        names = {
            "street_fr": checked.candidate.street_fr,
            "street_nl": checked.candidate.street_nl or checked.candidate.street_fr,
        }
    return {**value, **names, "municipality": municipality, "precision": precision}


@dataclass
class Item:
    """One thing to render: a plain field, a composite (address/location), or a group."""

    kind: str
    definition: FieldDefinition
    bound: list[forms.BoundField] = field(default_factory=list)
    formset: Any = None
    errors: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return pick(self.definition.label)

    @property
    def item_name(self) -> str:
        """What one item of a group is called ("Person"), numbered on the page."""
        return pick(self.definition.options.get("item")) or str(_("Item"))

    @property
    def help(self) -> str:
        return pick(self.definition.help)


class PageForm:
    def __init__(
        self,
        page: PageDefinition,
        facts: dict[str, Any],
        answers: dict[str, Any],
        data: Any = None,
        files: Any = None,
        adding: str = "",
        procedure: Procedure | None = None,
    ) -> None:
        self.page, self.facts, self.saved = page, facts, answers
        self.data = data
        self.adding = adding
        # A date that must follow the administration's time to answer counts from today.
        self.answer_deadline = (
            procedure.answer_deadline(timezone.localdate()) if procedure is not None else None
        )
        self.form = forms.Form(data=data, files=files, initial=self._initial())
        self.items: list[Item] = []
        for definition in page.fields:
            if not self._shown(definition):
                continue
            self._add(definition, files)

    # -- building ---------------------------------------------------------------------------
    def _same_page(self, name: str) -> bool:
        return any(f.name == name for f in self.page.fields)

    def _shown(self, definition: FieldDefinition) -> bool:
        condition = definition.show_if
        return condition is None or self._same_page(condition.field) or condition.holds(self.saved)

    def _initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for definition in self.page.fields:
            value = self.saved.get(definition.name)
            if isinstance(value, dict) and definition.type in ("brussels_address", "location"):
                initial.update({f"{definition.name}__{k}": v for k, v in value.items()})
            elif definition.type not in ("group", "file") and value is not None:
                initial[definition.name] = value  # else the field's own initial, if any
        return initial

    def _add(self, definition: FieldDefinition, files: Any) -> None:
        conditional = definition.show_if is not None
        required = definition.required and not conditional
        if definition.type in ("brussels_address", "location"):
            names = []
            subfields = address_fields(required, self._typed_postcode(definition.name))
            if definition.type == "location":
                for axis in ("lat", "lon"):
                    subfields[axis] = forms.FloatField(
                        label=_("Latitude") if axis == "lat" else _("Longitude"),
                        required=False, widget=forms.HiddenInput)  # fmt: skip
                subfields["lon"].widget = self._map_widget(definition)
            for sub, django_field in subfields.items():
                self.form.fields[f"{definition.name}__{sub}"] = django_field
                names.append(f"{definition.name}__{sub}")
            self.items.append(Item(definition.type, definition, [self.form[n] for n in names]))
        elif definition.type == "group":
            self.items.append(Item("group", definition, formset=self._formset(definition)))
        else:
            django_field = build_field(definition, self._field_facts(), self.answer_deadline)
            if conditional or (definition.type == "file" and definition.name in self.saved):
                django_field.required = False
            self.form.fields[definition.name] = django_field
            self.items.append(Item("field", definition, [self.form[definition.name]]))

    def _typed_postcode(self, name: str) -> str:
        """The postcode of an address as posted, or as saved before."""
        if self.data is not None:
            return str(self.data.get(f"{name}__postcode") or "")
        saved = self.saved.get(name)
        return str(saved.get("postcode") or "") if isinstance(saved, dict) else ""

    def _field_facts(self) -> dict[str, Any]:
        """The facts the fields draw on; the identity typed by one who declined the register
        stands in for the register's (the applicant is still named among the people moving)."""
        if self.facts.get("population", {}).get("identity"):
            return self.facts
        declared = self.saved.get("declared") or {}
        prefix = "population.identity."
        identity = {k[len(prefix) :]: v for k, v in declared.items() if k.startswith(prefix)}
        if not identity:
            return self.facts
        population = {**self.facts.get("population", {}), "identity": identity}
        return {**self.facts, "population": population}

    def _map_widget(self, definition: FieldDefinition) -> MapPointInput:
        """The map after the hidden point. ``nearby_reports: {url, category_from}`` in the
        definition lets it list open reports of the chosen category near the point."""
        nearby = definition.options.get("nearby_reports") or {}
        if not nearby:
            return MapPointInput()
        category = self.saved.get(str(nearby.get("category_from", ""))) or ""
        return MapPointInput(reverse(str(nearby["url"])), str(category))

    def _formset(self, definition: FieldDefinition) -> Any:
        facts, deadline = self.facts, self.answer_deadline
        item_fields = {sub.name: build_field(sub, facts, deadline) for sub in definition.fields}
        item_form = type("ItemForm", (forms.Form,), dict(item_fields))
        maximum = int(definition.options["max"])
        initial = self.saved.get(definition.name) or []
        extra = 1 if not initial or self.adding == definition.name else 0
        formset_class: Any = forms.formset_factory(
            item_form, extra=extra, can_delete=True, max_num=maximum, validate_max=True
        )
        if self.data is not None:
            return formset_class(self.data, prefix=definition.name, initial=initial)
        return formset_class(prefix=definition.name, initial=initial)

    # -- validating ---------------------------------------------------------------------------
    def is_valid(self, owner: User | None = None) -> bool:
        valid = self.form.is_valid()
        for item in self.items:
            valid = self._check_item(item, owner) and valid
        return valid

    def _condition_holds(self, definition: FieldDefinition) -> bool:
        condition = definition.show_if
        if condition is None:
            return True
        current = {**self.saved, **{k: self.form.cleaned_data.get(k) for k in self.form.fields}}
        return condition.holds(current)

    def _check_item(self, item: Item, owner: User | None) -> bool:
        definition = item.definition
        needed = definition.required and self._condition_holds(definition)
        if item.kind == "group":
            return bool(item.formset.is_valid())
        if item.kind in ("brussels_address", "location"):
            return self._check_address(item, needed)
        name = definition.name
        empty = self.form.cleaned_data.get(name) in (None, "", [])
        if needed and definition.show_if is not None and empty and name not in self.form.errors:
            message = pick(definition.required_message) or str(_("This field is required."))
            self.form.add_error(name, message)
            return False
        if definition.type == "file" and needed is not False and self._condition_holds(definition):
            return self._check_file(definition, owner)
        return True

    def _address_value(self, name: str) -> dict[str, Any]:
        prefix = f"{name}__"
        return {
            key[len(prefix) :]: value
            for key, value in self.form.cleaned_data.items()
            if key.startswith(prefix) and value not in (None, "")
        }

    def _check_address(self, item: Item, needed: bool) -> bool:
        name = item.definition.name
        if any(bound.errors for bound in item.bound):
            return False
        value = self._address_value(name)
        if not needed and not value.get("street"):
            return True
        missing = [part for part in ("street", "house_number", "postcode") if not value.get(part)]
        if missing:  # an optional address begun: each part left out is said where it is missing
            for part in missing:
                self.form.add_error(f"{name}__{part}", _("Enter the full address."))
            return False
        try:
            checked = check_address(value)
        except ValidationError as problem:
            for part, messages in problem.message_dict.items():  # on the field to correct
                self.form.add_error(f"{name}__{part}", messages)
            return False
        if item.kind == "location" and "lat" in checked:
            lat, lon = checked.get("lat"), checked.get("lon")
            inside = BRUSSELS["lat"][0] <= lat <= BRUSSELS["lat"][1] and (  # type: ignore[operator]
                BRUSSELS["lon"][0] <= lon <= BRUSSELS["lon"][1]  # type: ignore[operator]
            )
            if not inside:
                self.form.add_error(f"{name}__street", _("Choose a place inside Brussels."))
                return False
        self.form.cleaned_data[name] = checked
        return True

    def _check_file(self, definition: FieldDefinition, owner: User | None) -> bool:
        upload = self.form.cleaned_data.get(definition.name)
        if not isinstance(upload, UploadedFile):
            return True
        options = definition.options
        try:
            kind = check_upload(upload, list(options["accept"]), float(options["max_mb"]))
            if owner is None:
                raise ValidationError(_("Log in to upload a file."))
            attachment = store_upload(upload, kind, owner)
        except ValidationError as problem:
            self.form.add_error(definition.name, problem)
            return False
        except OSError:
            self.form.add_error(
                definition.name,
                _("The file could not be stored right now. Your other answers are kept; "
                  "try again in a few minutes."),
            )  # fmt: skip
            return False
        self.form.cleaned_data[definition.name] = {
            "attachment": str(attachment.id), "name": attachment.name,
            "size": attachment.size, "content_type": attachment.content_type,
        }  # fmt: skip
        return True

    # -- results ------------------------------------------------------------------------------
    def answers(self) -> dict[str, Any]:
        """The page's answers, ready for the draft (JSON-safe). An answer to a question whose
        condition does not hold is dropped: what is not needed is not kept."""
        result: dict[str, Any] = {}
        for item in self.items:
            name = item.definition.name
            if not self._condition_holds(item.definition):
                result[name] = None
                continue
            if item.kind == "group":
                result[name] = [
                    {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
                    for form in item.formset.forms
                    if form.cleaned_data and not form.cleaned_data.get("DELETE")
                ]
            elif item.kind in ("brussels_address", "location"):
                value = self.form.cleaned_data.get(name)
                result[name] = value if isinstance(value, dict) else None
            elif item.definition.type == "file":
                value = self.form.cleaned_data.get(name)
                result[name] = value if isinstance(value, dict) else self.saved.get(name)
            else:
                result[name] = self.form.cleaned_data.get(name)
        return _jsonable(result)

    def group_to_extend(self) -> str:
        """The group whose "add another" button was pressed, if any."""
        if self.data is None:
            return ""
        for item in self.items:
            if item.kind == "group" and self.data.get(f"{item.definition.name}-add"):
                return item.definition.name
        return ""

    def errors(self) -> list[tuple[str, str]]:
        """(anchor id, message) for the error summary, in page order."""
        listed: list[tuple[str, str]] = []
        for item in self.items:
            if item.kind == "group":
                for index, form in enumerate(item.formset.forms):
                    for name, messages in form.errors.items():
                        anchor = f"id_{item.definition.name}-{index}-{name}"
                        listed.extend((anchor, str(m)) for m in messages)
                listed.extend(
                    (f"id_{item.definition.name}-TOTAL_FORMS", str(m))
                    for m in item.formset.non_form_errors()
                )
                continue
            for bound in item.bound:
                anchor = bound.id_for_label or f"id_{bound.html_name}"
                if getattr(bound.field.widget, "input_type", "") == "radio" or isinstance(
                    bound.field.widget, forms.CheckboxSelectMultiple
                ):
                    anchor = f"{bound.auto_id}_0"
                listed.extend((anchor, str(m)) for m in bound.errors)
        return listed
