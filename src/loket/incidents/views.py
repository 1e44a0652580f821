"""Public pages of reports in public space (map and list), the nearby-reports JSON used by the
form's map, and supporting a report. Thin: parse, call a selector or an action, render."""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from loket.core.problems import invalid, problem_endpoint
from loket.geo.map import tiles_url
from loket.incidents.actions import CannotSupport, do_support
from loket.incidents.models import Incident
from loket.incidents.selectors import (
    PUBLIC_STATUSES,
    PublicIncident,
    category_labels,
    open_incidents_near,
    public_incident,
    public_incidents,
)


def _as_json(item: PublicIncident) -> dict[str, object]:
    return {
        "id": item.id, "category": item.category_label, "category_id": item.category,
        "place": item.place, "municipality": item.municipality, "status": item.status_label,
        "status_id": item.status, "date": item.reported_on.isoformat(), "lat": item.lat,
        "lon": item.lon, "supporters": item.supporters,
        "support_url": reverse("incidents:support", args=[item.id]),
    }  # fmt: skip


@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    category = request.GET.get("category", "")
    labels = category_labels()
    incidents = public_incidents(status if status in PUBLIC_STATUSES else "", category)
    context = {
        "incidents": incidents,
        "status": status,
        "statuses": [(key, label) for key, (label, _s) in PUBLIC_STATUSES.items()],
        "category": category if category in labels else "",
        "categories": sorted(labels.items(), key=lambda pair: pair[1]),
        "tiles_url": tiles_url(),
        "geojson_url": reverse("incidents:geojson") + "?" + request.GET.urlencode(),
    }
    return render(request, "incidents/list.html", context)


@require_GET
def incidents_geojson(request: HttpRequest) -> JsonResponse:
    """The public reports as GeoJSON points, snapped to a grid of at least 100 m."""
    status = request.GET.get("status", "open")
    items = public_incidents(status if status in PUBLIC_STATUSES else "",
                             request.GET.get("category", ""))  # fmt: skip
    features = [
        {"type": "Feature", "id": item.id,
         "geometry": {"type": "Point", "coordinates": [item.lon, item.lat]},
         "properties": {k: v for k, v in _as_json(item).items() if k not in ("lat", "lon")}}
        for item in items if item.lat is not None
    ]  # fmt: skip
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Content-Type"] = "application/geo+json"
    return response


def _coordinate(text: str, low: float, high: float) -> float | None:
    try:
        value = float(text[:40])
    except ValueError:
        return None
    return value if math.isfinite(value) and low <= value <= high else None


@problem_endpoint(("GET",))
def nearby(request: HttpRequest) -> JsonResponse:
    """``?category=…&lat=…&lon=…``: open reports of that category within 50 m."""
    lat = _coordinate(request.GET.get("lat", ""), -90, 90)
    lon = _coordinate(request.GET.get("lon", ""), -180, 180)
    category = request.GET.get("category", "")
    missing = [name for name, value in (("category", category), ("lat", lat), ("lon", lon))
               if value is None or value == ""]  # fmt: skip
    if missing or lat is None or lon is None:
        raise invalid(missing[0], _("Give category, lat and lon (WGS 84 decimal degrees)."))
    found = [_as_json(public_incident(i)) for i in open_incidents_near(category, lat, lon)]
    response = JsonResponse({"results": found})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def support(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = get_object_or_404(Incident.objects.select_related("case"), pk=incident_id)
    try:
        added = do_support(incident, request.user)  # type: ignore[arg-type]
    except CannotSupport:
        messages.error(request, _("This report cannot be supported: it is closed or it is yours."))
    else:
        messages.success(
            request,
            _("Thank you: your support is recorded. You do not need to report it again.")
            if added
            else _("You already support this report."),
        )
    return redirect(reverse("incidents:list") + f"#incident-{incident.pk}")
