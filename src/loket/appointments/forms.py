"""Forms of the finder, the management pages and the booking page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from loket.appointments.hours import HoursError, Range, format_hours, parse_hours
from loket.appointments.importer import LineError, _located
from loket.appointments.models import HelpPoint, Slot
from loket.appointments.services import LANGUAGES, SERVICES, WEEKDAY_NAMES
from loket.core.i18n import pick
from loket.core.models import Administration
from loket.forms.definitions import get_definition


def _choices(form: forms.BaseForm, name: str, choices: list[tuple[Any, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _municipalities() -> list[tuple[str, str]]:
    return [(a.id, a.name) for a in Administration.objects.filter(kind="municipality")]


class FinderForm(forms.Form):
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)
    service = forms.ChoiceField(label=_("Service"), required=False)
    language = forms.ChoiceField(label=_("Language spoken"), required=False)
    wheelchair = forms.ChoiceField(
        label=_("Wheelchair access"), required=False,
        choices=[("", _("Any")), ("yes", _("Accessible")), ("partly", _("At least partly"))],
    )  # fmt: skip
    open = forms.ChoiceField(label=_("Open"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("Any"))]
        _choices(self, "municipality", every + _municipalities())
        _choices(self, "service", every + list(SERVICES.items()))
        _choices(self, "language", every + list(LANGUAGES.items()))
        days = [(str(i), capfirst(name)) for i, name in enumerate(WEEKDAY_NAMES)]
        _choices(self, "open", [("", _("Any day")), ("now", _("Now")), *days])


class HelpPointForm(forms.ModelForm):
    """Add or edit a place; the address is checked against the address register."""

    municipality_name = forms.ChoiceField(label=_("Municipality"))
    services = forms.MultipleChoiceField(
        label=_("Services offered"), choices=list(SERVICES.items()),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"), choices=list(LANGUAGES.items()),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    hours = forms.CharField(
        label=_("Opening hours"), required=False, max_length=500,
        help_text=_("For example: mon 09:00-12:00 13:00-17:00; sat 10:00-13:00"),
    )  # fmt: skip

    class Meta:
        model = HelpPoint
        fields = [
            "external_id", "kind", "name", "administration", "street", "house_number",
            "postcode", "wheelchair", "wheelchair_note", "phone", "email", "website", "is_demo",
        ]  # fmt: skip
        labels = {
            "external_id": _("Identifier (as in the CSV file)"), "kind": _("Kind of place"),
            "name": _("Name"), "administration": _("Managing organisation"),
            "street": _("Street"), "house_number": _("Number"), "postcode": _("Postcode"),
            "wheelchair": _("Wheelchair access"), "wheelchair_note": _("Access note"),
            "phone": _("Phone"), "email": _("E-mail"), "website": _("Website"),
            "is_demo": _("Demo entry (not a real place)"),
        }  # fmt: skip

    field_order = [
        "external_id", "kind", "name", "administration", "street", "house_number", "postcode",
        "municipality_name", "services", "languages", "hours", "wheelchair", "wheelchair_note",
        "phone", "email", "website", "is_demo",
    ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "municipality_name", _municipalities())
        self.ranges: list[Range] = []
        self.location: dict[str, Any] = {}
        if self.instance.pk:
            self.fields["external_id"].disabled = True
            self.initial.setdefault("municipality_name", self.instance.municipality_id)
            self.initial.setdefault("hours", format_hours(
                [Range(r.weekday, r.opens, r.closes) for r in self.instance.hours.all()]
            ))  # fmt: skip

    def clean_hours(self) -> str:
        text: str = self.cleaned_data.get("hours", "")
        try:
            self.ranges = parse_hours(text)
        except HoursError as problem:
            raise forms.ValidationError(str(problem)) from None
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(data.get(k) for k in ("street", "postcode", "municipality_name")):
            try:
                self.location = _located({
                    "street": data["street"], "number": data.get("house_number", ""),
                    "postcode": data["postcode"], "municipality": data["municipality_name"],
                })  # fmt: skip
            except LineError as problem:
                self.add_error("street", str(problem))
        return data


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8, columns as documented."))
    replace = forms.BooleanField(
        label=_("Deactivate the places of the same origin that are not in the file"),
        required=False,
    )


def _slot_label(slot: Slot) -> str:
    start = formats.time_format(timezone.localtime(slot.starts_at), "TIME_FORMAT")
    left = _("%(count)s place left") if slot.remaining == 1 else _("%(count)s places left")
    return f"{start} ({left % {'count': slot.remaining}})"


class BookingForm(forms.Form):
    """A free time of one day, the questions of the procedure, and a note for the helper."""

    slot = forms.TypedChoiceField(
        label=_("Free times"), coerce=int, widget=forms.RadioSelect,
        error_messages={"required": _("Choose a time.")},
    )  # fmt: skip
    notes = forms.CharField(
        label=_("What would you like help with? (optional)"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args: Any, slots: list[Slot], procedure_id: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "slot", [(s.pk, _slot_label(s)) for s in slots])
        self.asked: list[str] = []
        self._add_procedure_questions(procedure_id)

    def _add_procedure_questions(self, procedure_id: str) -> None:
        """The identity card's reason, and police report number after a loss or theft,
        rendered from the procedure's form definition so both stay the same."""
        definition = get_definition(procedure_id) if procedure_id else None
        if definition is None:
            return
        known = {f.name: f for f in definition.fields()}
        if "reason" in known:
            reason = known["reason"]
            self.fields["reason"] = forms.ChoiceField(
                label=pick(reason.label), widget=forms.RadioSelect,
                choices=[(k, pick(v)) for k, v in reason.options["choices"].items()],
                error_messages={"required": _("Choose a reason.")},
            )  # fmt: skip
            self.asked.append("reason")
        if "police_report_number" in known:
            police = known["police_report_number"]
            self.fields["police_report_number"] = forms.CharField(
                label=pick(police.label), help_text=pick(police.help), required=False,
                max_length=40,
            )  # fmt: skip
            self.police_required = police.show_if.values if police.show_if else ()
            self.police_message = pick(police.required_message)
            self.asked.append("police_report_number")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "police_report_number" in self.fields:
            if data.get("reason") in self.police_required and not data.get("police_report_number"):
                self.add_error("police_report_number", self.police_message)
            elif data.get("reason") not in self.police_required:
                data["police_report_number"] = ""
        return data

    def answers(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in self.asked}
