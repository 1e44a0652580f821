"""The address API: search and reverse geocoding as JSON, part of the public API under
``/api/v1/addresses/`` (described in its OpenAPI document, counted against the same anonymous
rate limit per client address), with every refusal as an RFC 9457 problem from core."""

from __future__ import annotations

import math

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from loket.core.problems import invalid, problem_endpoint
from loket.core.ratelimit import limit_anonymous
from loket.geo.search import Candidate, geocode, reverse

MAX_LIMIT = 50
MAX_QUERY = 200
CACHE_SECONDS = 300  # the register changes by import, a few times a year at most


def results(candidates: list[Candidate]) -> JsonResponse:
    response = JsonResponse({"results": [candidate.as_dict() for candidate in candidates]})
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


def _limit(request: HttpRequest, default: int) -> int:
    text = request.GET.get("limit", "")
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or not 1 <= int(text[:12]) <= MAX_LIMIT:
        raise invalid(
            "limit",
            _("%(name)s must be a whole number from %(low)s to %(high)s.")
            % {"name": "limit", "low": 1, "high": MAX_LIMIT},
        )
    return int(text)


def _coordinate(request: HttpRequest, name: str, bound: float) -> float:
    text = request.GET.get(name, "").strip()
    try:
        value = float(text[:40])
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > bound:
        raise invalid(
            name,
            _("Give %(name)s in decimal degrees (WGS 84), from -%(bound)s to %(bound)s.")
            % {"name": name, "bound": f"{bound:g}"},
        )
    return value


@problem_endpoint(("GET",))
def search_addresses(request: HttpRequest) -> JsonResponse:
    """``GET ?q=…&limit=``: the addresses and streets ``q`` may mean, best first."""
    limit_anonymous(request)
    query = request.GET.get("q", "")
    if not query.strip():
        raise invalid("q", _("Give q: the address as typed."))
    if len(query) > MAX_QUERY:
        raise invalid(
            "q",
            _("%(name)s is longer than %(max)s characters.") % {"name": "q", "max": MAX_QUERY},
        )
    return results(geocode(query, _limit(request, 10)))


@problem_endpoint(("GET",))
def reverse_geocode(request: HttpRequest) -> JsonResponse:
    """``GET reverse?lat=…&lon=…&limit=``: the addresses nearest to a point, nearest first."""
    limit_anonymous(request)
    lat = _coordinate(request, "lat", 90.0)
    lon = _coordinate(request, "lon", 180.0)
    return results(reverse(lat, lon, _limit(request, 5)))
