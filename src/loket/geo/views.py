"""The address API: search and reverse geocoding as JSON, errors as RFC 9457 problems."""

from __future__ import annotations

import math

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from loket.geo.search import Candidate, geocode, reverse

MAX_LIMIT = 50
MAX_QUERY = 200
CACHE_SECONDS = 300  # the register changes by import, a few times a year at most
PROBLEM_TYPE = "https://loket.brussels/problems/invalid-parameter"


class InvalidParameter(ValueError):
    """A query parameter that the API refuses, with the reason given to the client."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(reason)
        self.name, self.reason = name, reason


def problem(error: InvalidParameter) -> JsonResponse:
    """A 400 answer as ``application/problem+json`` naming the parameter at fault."""
    body = {
        "type": PROBLEM_TYPE,
        "title": "Invalid request parameter",
        "status": 400,
        "detail": f"{error.name}: {error.reason}",
        "invalid-params": [{"name": error.name, "reason": error.reason}],
    }
    response = JsonResponse(body, status=400, content_type="application/problem+json")
    response["Cache-Control"] = "no-store"
    return response


def results(candidates: list[Candidate]) -> JsonResponse:
    response = JsonResponse({"results": [candidate.as_dict() for candidate in candidates]})
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


def _limit(request: HttpRequest, default: int) -> int:
    text = request.GET.get("limit", "")
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise InvalidParameter("limit", f"must be a whole number from 1 to {MAX_LIMIT}")
    return int(text)


def _coordinate(request: HttpRequest, name: str, bound: float) -> float:
    text = request.GET.get(name, "").strip()
    if not text:
        raise InvalidParameter(name, "is required (WGS 84 decimal degrees)")
    try:
        value = float(text[:40])
    except ValueError:
        raise InvalidParameter(name, "must be a decimal number of degrees") from None
    if not math.isfinite(value) or abs(value) > bound:
        raise InvalidParameter(name, f"must be between -{bound:g} and {bound:g}")
    return value


@require_GET
def search_addresses(request: HttpRequest) -> JsonResponse:
    """``GET ?q=…&limit=``: the addresses and streets ``q`` may mean, best first."""
    try:
        query = request.GET.get("q", "")
        if not query.strip():
            raise InvalidParameter("q", "is required: the address as typed")
        if len(query) > MAX_QUERY:
            raise InvalidParameter("q", f"must be at most {MAX_QUERY} characters")
        limit = _limit(request, 10)
    except InvalidParameter as error:
        return problem(error)
    return results(geocode(query, limit))


@require_GET
def reverse_geocode(request: HttpRequest) -> JsonResponse:
    """``GET reverse?lat=…&lon=…&limit=``: the addresses nearest to a point, nearest first."""
    try:
        lat = _coordinate(request, "lat", 90.0)
        lon = _coordinate(request, "lon", 180.0)
        limit = _limit(request, 5)
    except InvalidParameter as error:
        return problem(error)
    return results(reverse(lat, lon, limit))
