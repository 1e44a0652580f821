"""The feed for the register's owner: ``/urbis/feed.csv``, ``/urbis/feed.geojson`` and the
status answers (``POST /urbis/feed/<id>/status``).

Reading needs the token ``LOKET_URBIS_FEED_TOKEN`` (``Authorization: Bearer …``) or a session of
a Paradigm member (DPO, agent, head of service); answering needs the token. Without a token set,
only Paradigm staff read it and nobody answers through HTTP (``loket urbis_feedback`` does).
"""

from __future__ import annotations

import hmac
import io
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from loket.core import csv_export
from loket.core.models import Membership
from loket.core.problems import (
    Problem,
    invalid,
    malformed_json,
    not_found,
    problem_endpoint,
    unauthorised,
)
from loket.geo.feedback import UnknownVerdict, do_set_verdict
from loket.geo.models import RegisterFeedback

REGISTER_OWNER = "paradigm"
STAFF_ROLES = (Membership.Role.DPO, Membership.Role.AGENT, Membership.Role.MANAGER)
COLUMNS = [
    "id", "kind", "register_id", "register_precision", "municipality", "address_as_given",
    "problem", "proposed_correction", "lat", "lon", "case_reference", "created_at", "status",
    "status_note", "status_at",
]  # fmt: skip


def _has_token(request: HttpRequest) -> bool:
    token = str(getattr(settings, "LOKET_URBIS_FEED_TOKEN", "") or "")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(token) and hmac.compare_digest(token.encode(), given.encode())


def _is_owner_staff(request: HttpRequest) -> bool:
    user = request.user
    return (
        bool(user.is_authenticated)
        and Membership.objects.filter(
            user_id=user.pk or 0, administration_id=REGISTER_OWNER, role__in=STAFF_ROLES
        ).exists()
    )


def _refused() -> Problem:
    return unauthorised(
        _("Send the feed's token as: Authorization: Bearer <token>."), realm="urbis-feed"
    )


def _row(item: RegisterFeedback) -> dict[str, object]:
    return {
        "id": item.pk, "kind": item.kind, "register_id": item.register_id,
        "register_precision": item.register_precision, "municipality": item.municipality,
        "address_as_given": item.address_as_given, "problem": item.problem,
        "proposed_correction": item.proposed_correction, "lat": item.lat, "lon": item.lon,
        "case_reference": item.case_reference, "created_at": item.created_at.isoformat(),
        "status": item.status, "status_note": item.status_note,
        "status_at": item.status_at.isoformat() if item.status_at else None,
    }  # fmt: skip


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


@problem_endpoint(("GET",))
def feed_csv(request: HttpRequest) -> HttpResponse:
    if not (_has_token(request) or _is_owner_staff(request)):
        raise _refused()
    out = io.StringIO()
    writer = csv_export.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for item in RegisterFeedback.objects.all():
        writer.writerow({k: "" if v is None else v for k, v in _row(item).items()})
    return _private(HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8"))


@problem_endpoint(("GET",))
def feed_geojson(request: HttpRequest) -> HttpResponse:
    if not (_has_token(request) or _is_owner_staff(request)):
        raise _refused()
    features = []
    for item in RegisterFeedback.objects.all():
        row = _row(item)
        geometry = None
        if item.lat is not None and item.lon is not None:
            geometry = {"type": "Point", "coordinates": [round(item.lon, 6), round(item.lat, 6)]}
        properties = {k: v for k, v in row.items() if k not in ("lat", "lon")}
        features.append({"type": "Feature", "id": item.pk, "geometry": geometry,
                         "properties": properties})  # fmt: skip
    document = {"type": "FeatureCollection", "features": features}
    return _private(HttpResponse(json.dumps(document), content_type="application/geo+json"))


@csrf_exempt  # token-authenticated machine endpoint: no cookie, no CSRF
@problem_endpoint(("POST",))
def feed_status(request: HttpRequest, feedback_id: int) -> JsonResponse:
    """``POST {"status": "accepted"|"rejected", "note": "…"}`` (JSON or form) with the token."""
    if not _has_token(request):
        raise _refused()
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body)
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise malformed_json() from None
    else:
        data = request.POST.dict()
    if not isinstance(data, dict):
        raise malformed_json(_("The body must be a JSON object."))
    note = str(data.get("note", ""))
    if "\x00" in note:  # PostgreSQL cannot store it
        raise invalid("note", _("This value cannot be used."))
    try:
        item = do_set_verdict(feedback_id, str(data.get("status", "")), note)
    except UnknownVerdict:
        raise invalid("status", _("Give status as accepted, rejected or open.")) from None
    except RegisterFeedback.DoesNotExist:
        raise not_found() from None
    return JsonResponse(_row(item))
