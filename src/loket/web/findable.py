"""What makes a procedure findable where people search (#18): schema.org ``GovernmentService``
structured data, the EU Single Digital Gateway's meta tags, canonical and alternate-language
addresses. Every address is on the door the request came through, so a door's page never points
at another door."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.urls import reverse, translate_url
from django.utils.html import _json_script_escapes  # type: ignore[attr-defined]
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from loket.catalog.models import Procedure
from loket.doors.models import Door

# The Brussels-Capital Region's NUTS code (level 1 and 2: BE1, BE10), for DC.Location.
REGION_NUTS = "BE10"
LANGUAGE_CODES = ("fr", "nl", "en")


def origin(request: HttpRequest) -> str:
    """The scheme and host the request came to: the door's own address."""
    return f"{request.scheme}://{request.get_host()}"


def canonical_url(request: HttpRequest) -> str:
    """This page on this door, without query string."""
    return origin(request) + request.path


def alternates(request: HttpRequest) -> list[dict[str, str]]:
    """This page in each language (absolute, on this door, without query string), then
    ``x-default``: the language-neutral root, which picks a language from the browser's."""
    links = [
        {"hreflang": code, "href": origin(request) + translate_url(request.path, code)}
        for code in LANGUAGE_CODES
    ]
    links.append({"hreflang": "x-default", "href": origin(request) + "/"})
    return links


def _provider(procedure: Procedure, door: Door | None) -> dict[str, Any]:
    if not procedure.is_municipal:
        assert procedure.administration is not None
        return {"@type": "GovernmentOrganization", "name": procedure.administration.name}
    if door is not None and door.administration is not None:
        return {"@type": "GovernmentOrganization", "name": door.administration.name}
    return {
        "@type": "GovernmentOrganization",
        "name": _("The 19 municipalities of the Brussels-Capital Region"),
    }


def _area(door: Door | None) -> dict[str, Any]:
    if door is not None and door.administration is not None:
        return {"@type": "AdministrativeArea", "name": door.administration.name}
    return {"@type": "AdministrativeArea", "name": _("Brussels-Capital Region")}


def government_service(
    request: HttpRequest, procedure: Procedure, summary: str, can_apply_online: bool
) -> dict[str, Any]:
    """schema.org ``GovernmentService`` of a procedure page, in the page's language."""
    door: Door | None = getattr(request, "door", None)
    page = canonical_url(request)
    audience = (
        {"@type": "BusinessAudience", "audienceType": _("Businesses based in Brussels")}
        if procedure.audience == "business"
        else {"@type": "PeopleAudience", "audienceType": _("Residents of Brussels")}
    )
    channel: dict[str, Any] = {
        "@type": "ServiceChannel",
        "name": _("Online"),
        "serviceUrl": (
            origin(request) + reverse("web:apply-start", args=[procedure.id])
            if can_apply_online
            else page
        ),
        "availableLanguage": list(LANGUAGE_CODES),
    }
    service: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "@id": page,
        "name": procedure.name,
        "description": summary,
        "url": page,
        "provider": _provider(procedure, door),
        "areaServed": _area(door),
        "audience": audience,
        "availableChannel": channel,
    }
    if procedure.fee_eur:
        service["offers"] = {
            "@type": "Offer",
            "price": f"{procedure.fee_eur:.2f}",
            "priceCurrency": "EUR",
        }
    return service


def json_ld(data: dict[str, Any]) -> SafeString:
    """``<script type="application/ld+json">`` with <, > and & escaped, as Django's json_script."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_json_script_escapes)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


def sdg_tags(can_apply_online: bool) -> list[tuple[str, str]]:
    """The Single Digital Gateway's meta tags (docs/findability.md says which specification):
    the page belongs to the gateway, is Belgian, where it applies, and what kind of service it
    describes. ``policy-code``/``DC.Policy`` are left out until the catalogue maps procedures
    to the regulation's annexes."""
    return [
        ("sdg-tag", "sdg"),
        ("DC.ISO3166", "BE"),
        ("DC.Location", REGION_NUTS),
        ("DC.Service", "procedure" if can_apply_online else "information"),
    ]
