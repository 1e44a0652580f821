"""The public finder of places of help, a place's page, and their management by Paradigm staff.

Thin views: parse, call a selector, the importer or an action, render.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from loket.appointments.actions import do_set_active
from loket.appointments.forms import FinderForm, HelpPointForm, UploadForm
from loket.appointments.importer import import_help_points, save_help_point
from loket.appointments.models import HelpPoint
from loket.appointments.selectors import (
    Filters,
    bookable_schedules,
    find_help_points,
    home_municipality,
    is_paradigm_staff,
    nearest_elsewhere,
)
from loket.appointments.services import BOOKABLE, SERVICES
from loket.audit.actions import do_record_security_event
from loket.audit.subjects import person_pseudonym
from loket.core.access import access
from loket.core.models import Administration, User
from loket.geo.map import tiles_url


def _filters(form: FinderForm) -> Filters:
    if not form.is_valid():
        return Filters()
    data = form.cleaned_data
    when = data.get("open") or ""
    return Filters(
        municipality=data.get("municipality") or "", service=data.get("service") or "",
        language=data.get("language") or "", wheelchair=data.get("wheelchair") or "",
        open_now=when == "now", weekday=int(when) if when.isdigit() else None,
    )  # fmt: skip


@access("anonymous")
@require_GET
def finder(request: HttpRequest) -> HttpResponse:
    """With no filter chosen, a logged-in person starts from their municipality."""
    home = ""
    query: QueryDict = request.GET
    if not query and isinstance(request.user, User):
        home = home_municipality(request.user)
        if home:
            query = QueryDict(urlencode({"municipality": home}))
    form = FinderForm(query or None)
    filters = _filters(form) if query else Filters()
    points = find_help_points(filters)
    nearby = nearest_elsewhere(filters) if not points else []
    municipality = (
        Administration.objects.filter(pk=filters.municipality).first()
        if filters.municipality
        else None
    )
    return render(request, "appointments/finder.html", {
        "form": form if query else FinderForm(), "points": points, "tiles_url": tiles_url(),
        "any_demo": any(p.is_demo for p in points) or any(n.point.is_demo for n in nearby),
        "nearby": nearby, "municipality": municipality, "from_home": bool(home),
    })  # fmt: skip


@access("anonymous")
@require_GET
def place(request: HttpRequest, point_id: int) -> HttpResponse:
    point = get_object_or_404(
        HelpPoint.objects.select_related("municipality", "administration"), pk=point_id,
        is_active=True,
    )  # fmt: skip
    bookable = [
        (schedule.service, SERVICES.get(schedule.service, schedule.service))
        for schedule in bookable_schedules(point) if schedule.service in BOOKABLE
    ]  # fmt: skip
    return render(request, "appointments/place.html", {
        "point": point, "bookable": bookable, "tiles_url": tiles_url(),
    })  # fmt: skip


def _staff(request: HttpRequest) -> User:
    """The logged-in member of Paradigm's staff; anyone else is refused, and that is recorded."""
    user = request.user
    assert isinstance(user, User)
    if not is_paradigm_staff(user):
        do_record_security_event(
            "help-points-management-refused",
            actor_pseudonym=person_pseudonym(user),
            user_id=user.pk, path=request.path[:200],
        )  # fmt: skip
        raise PermissionDenied
    return user


@access("agent")
@login_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    _staff(request)
    points = HelpPoint.objects.select_related("municipality").order_by("-is_active", "name")
    return render(request, "appointments/manage.html", {"points": points})


@access("agent")
@login_required
def edit(request: HttpRequest, point_id: int | None = None) -> HttpResponse:
    _staff(request)
    point = get_object_or_404(HelpPoint, pk=point_id) if point_id else None
    form = HelpPointForm(request.POST or None, instance=point)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items()
                  if k not in ("external_id", "municipality_name", "hours")}  # fmt: skip
        values.update(form.location, is_active=True)
        save_help_point(form.cleaned_data["external_id"], values, form.ranges)
        messages.success(request, _("The place is saved."))
        return redirect("help-points:manage")
    return render(request, "appointments/edit.html", {"form": form, "point": point})


@access("agent")
@login_required
@require_POST
def deactivate(request: HttpRequest, point_id: int) -> HttpResponse:
    _staff(request)
    point = get_object_or_404(HelpPoint, pk=point_id)
    do_set_active(point, request.POST.get("active") == "1")
    messages.success(request, _("The place is updated."))
    return redirect("help-points:manage")


@access("agent")
@login_required
def upload(request: HttpRequest) -> HttpResponse:
    _staff(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            text = form.cleaned_data["file"].read(5_000_000).decode("utf-8")
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text."))
        else:
            report = import_help_points(text, replace=form.cleaned_data["replace"])
    status = 400 if form.errors or (report and report.errors and not report.saved) else 200
    return render(request, "appointments/upload.html", {"form": form, "report": report},
                  status=status)  # fmt: skip
