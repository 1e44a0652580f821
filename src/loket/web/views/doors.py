"""The region's staff configure the front doors: host names, brand, contact details (#18).

Only the region's service designers (``paradigm``, who run the platform) may: a door decides what
every page on its host names looks like. The rules (contrast, host names) are ``doors.actions``'.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loket.core.models import Administration, User
from loket.doors.actions import DoorRefused, DoorSettings, do_save_door
from loket.doors.contrast import WHITE
from loket.doors.models import Door
from loket.web.region import is_region_designer

LANGUAGES = ("fr", "nl", "en")
# doors.actions' problem keys → the form's fields
_FIELD_OF = {"names": "name_fr", "hosts": "hosts", "accent": "accent", "logo": "logo"}


def may_configure_doors(user: User) -> bool:
    return is_region_designer(user)


def _region_staff(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not may_configure_doors(user):
        raise PermissionDenied
    return user


class DoorForm(forms.Form):
    door_id = forms.SlugField(
        label=gettext_lazy("Identifier"), max_length=40,
        help_text=gettext_lazy("Lower-case letters, digits and hyphens, e.g. ixelles."),
    )  # fmt: skip
    administration = forms.ChoiceField(label=gettext_lazy("Municipality"), required=False)
    name_fr = forms.CharField(label=gettext_lazy("Name in French"), max_length=100)
    name_nl = forms.CharField(label=gettext_lazy("Name in Dutch"), max_length=100)
    name_en = forms.CharField(label=gettext_lazy("Name in English"), max_length=100, required=False)
    hosts = forms.CharField(
        label=gettext_lazy("Host names"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "One per line, e.g. e-loket.ixelles.be. The first is the door's main address: "
            "search engines are given it, and the others redirect to it."
        ),
    )  # fmt: skip
    logo = forms.CharField(
        label=gettext_lazy("Logo"), required=False, max_length=200,
        help_text=gettext_lazy("The path of a static file, e.g. doors/ixelles.svg."),
    )  # fmt: skip
    accent = forms.CharField(
        label=gettext_lazy("Accent colour"), required=False, max_length=7,
        help_text=gettext_lazy(
            "#rrggbb. It must reach a contrast of 4.5:1 with white and with the text on it."
        ),
    )  # fmt: skip
    accent_text = forms.CharField(
        label=gettext_lazy("Text colour on the accent"), max_length=7, initial=WHITE
    )
    email = forms.EmailField(label=gettext_lazy("E-mail address"), required=False)
    phone = forms.CharField(label=gettext_lazy("Phone number"), required=False, max_length=40)
    address = forms.CharField(
        label=gettext_lazy("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    hours_fr = forms.CharField(label=gettext_lazy("Opening hours in French"), required=False)
    hours_nl = forms.CharField(label=gettext_lazy("Opening hours in Dutch"), required=False)
    hours_en = forms.CharField(label=gettext_lazy("Opening hours in English"), required=False)
    help_points = forms.CharField(
        label=gettext_lazy("Help points"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}), help_text=gettext_lazy("One per line."),
    )  # fmt: skip
    embed_origins = forms.CharField(
        label=gettext_lazy("Websites that may show this door's procedures in a frame"),
        required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One address per line, e.g. https://www.ixelles.be."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipalities = Administration.objects.filter(kind=Administration.Kind.MUNICIPALITY)
        choice = self.fields["administration"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [
            ("", _("None: the region's door")),
            *((m.id, m.name) for m in municipalities),
        ]

    def settings(self) -> DoorSettings:
        data = self.cleaned_data
        return DoorSettings(
            names={code: data[f"name_{code}"] for code in LANGUAGES if data[f"name_{code}"]},
            hosts=data["hosts"].split(),
            administration_id=data["administration"],
            logo=data["logo"], accent=data["accent"], accent_text=data["accent_text"],
            email=data["email"], phone=data["phone"], address=data["address"],
            opening_hours={c: data[f"hours_{c}"] for c in LANGUAGES if data[f"hours_{c}"]},
            help_points=data["help_points"], embed_origins=data["embed_origins"].split(),
        )  # fmt: skip


def _initial(door: Door) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "door_id": door.id, "administration": door.administration_id or "",
        "hosts": "\n".join(door.hosts.values_list("host", flat=True)),
        "logo": door.logo, "accent": door.accent, "accent_text": door.accent_text,
        "email": door.email, "phone": door.phone, "address": door.address,
        "help_points": door.help_points, "embed_origins": "\n".join(door.embed_origins),
    }  # fmt: skip
    for code in LANGUAGES:
        initial[f"name_{code}"] = door.names.get(code, "")
        initial[f"hours_{code}"] = door.opening_hours.get(code, "")
    return initial


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _region_staff(request)
    doors = Door.objects.select_related("administration").prefetch_related("hosts")
    return render(request, "web/doors/index.html", {"doors": doors})


@login_required
def edit(request: HttpRequest, door_id: str = "") -> HttpResponse:
    _region_staff(request)
    door = get_object_or_404(Door, pk=door_id) if door_id else None
    form = DoorForm(request.POST or None, initial=_initial(door) if door else None)
    if door is not None:
        form.fields["door_id"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            saved = do_save_door(form.cleaned_data["door_id"], form.settings())
        except DoorRefused as refused:
            for key, problem in refused.problems.items():
                form.add_error(_FIELD_OF.get(key, key), problem)
        else:
            messages.success(request, _("The door “%(name)s” is saved.") % {"name": saved.name})
            return redirect("web:doors")
    return render(
        request,
        "web/doors/edit.html",
        {"form": form, "door": door},
        status=422 if form.errors else 200,
    )
