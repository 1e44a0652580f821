"""What makes a procedure findable where people search (#18): schema.org ``GovernmentService``
structured data, the EU Single Digital Gateway's meta tags, canonical and alternate-language
addresses. Every address is on the primary host of the door the request came through, except the
canonical address (and hreflang) of a regional procedure's page on a municipality's door, which
is the region's page: one canonical page per procedure (docs/findability.md)."""

from __future__ import annotations

import json
from contextlib import suppress
from typing import Any

from django.http import HttpRequest
from django.http.request import split_domain_port
from django.urls import NoReverseMatch, reverse
from django.utils.encoding import escape_uri_path
from django.utils.html import _json_script_escapes  # type: ignore[attr-defined]
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from loket.catalog.models import Procedure
from loket.core.administrations import administration_names
from loket.core.i18n import pick
from loket.doors.hosts import primary_host_of, region_door
from loket.doors.models import Door
from loket.payments.fees import FeeLine, fee_lines

# The Brussels-Capital Region's NUTS code (level 1 and 2: BE1, BE10), for DC.Location.
REGION_NUTS = "BE10"
LANGUAGE_CODES = ("fr", "nl", "en")


def origin(request: HttpRequest, door: Door | None = None) -> str:
    """The scheme and primary host (with the request's port, for the demo's :8000) of ``door``,
    by default the door the request came through; the request's host without doors."""
    host, port = split_domain_port(request.get_host())
    here: Door | None = getattr(request, "door", None)
    if door is None or (here is not None and door.pk == here.pk):
        host = getattr(request, "primary_host", "") or host
    else:
        host = primary_host_of(door) or host
    return f"{request.scheme}://{host}" + (f":{port}" if port else "")


def canonical_door(request: HttpRequest, procedure: Procedure) -> Door | None:
    """The door whose page is a procedure's canonical one: the region's for a regional
    procedure (the same page on every door), this door's for a municipal one."""
    here: Door | None = getattr(request, "door", None)
    if procedure.is_municipal or here is None or here.is_regional:
        return here
    return region_door() or here


def _canonical_origin(request: HttpRequest) -> str:
    return origin(request, getattr(request, "canonical_door", None))


def canonical_url(request: HttpRequest) -> str:
    """This page without query string, on the primary host of its canonical door
    (``request.canonical_door``, set by a page that another door owns; by default this one)."""
    return _canonical_origin(request) + request.path


def page_in_languages(request: HttpRequest) -> dict[str, str]:
    """This page's path in each language (``translate_url``'s answer), worked out once per
    request from the route the request matched: the language switch and the alternate links
    both need it, on every page."""
    known: dict[str, str] | None = getattr(request, "_loket_page_in_languages", None)
    if known is not None:
        return known
    match = request.resolver_match
    paths = {}
    for code in LANGUAGE_CODES:
        path = escape_uri_path(request.path)
        if match is not None and match.url_name:
            name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
            with override(code), suppress(NoReverseMatch):
                path = reverse(name, args=match.args, kwargs=match.kwargs)
        else:  # no route matched (a 404): the same address under the language's prefix
            current = f"/{get_language()}/"
            if path.startswith(current):
                path = f"/{code}/" + path.removeprefix(current)
        paths[code] = path
    request._loket_page_in_languages = paths  # type: ignore[attr-defined]
    return paths


def alternates(request: HttpRequest) -> list[dict[str, str]]:
    """This page in each language (absolute, on the canonical door, without query string), then
    ``x-default``: the language-neutral root, which picks a language from the browser's."""
    base = _canonical_origin(request)
    paths = page_in_languages(request)
    links = [{"hreflang": code, "href": base + paths[code]} for code in LANGUAGE_CODES]
    links.append({"hreflang": "x-default", "href": base + "/"})
    return links


def procedure_fee_lines(procedure: Procedure, door: Door | None) -> list[FeeLine]:
    """The amounts a procedure costs on this door: at its handling administration, or for a
    municipal procedure at the door's municipality (every municipality's on the region's door)."""
    if procedure.is_municipal:
        where = door.administration_id if door is not None and not door.is_regional else None
        return fee_lines(procedure.id, where)
    return fee_lines(procedure.id, procedure.administration_id or "")


def fee_administrations(lines: list[FeeLine]) -> dict[str, str]:
    """The names of the administrations that set some of these amounts (not fees.yaml's ``*``)."""
    named = {line.administration_id for line in lines if line.administration_id != "*"}
    return administration_names(named)


def _offer(line: FeeLine, names: dict[str, str]) -> dict[str, Any]:
    source = pick(line.source)
    offer: dict[str, Any] = {
        "@type": "Offer",
        "name": pick(line.label),
        "price": f"{line.amount_cents / 100:.2f}",
        "priceCurrency": line.currency,
        "description": _("Demo amount, not an official tariff. %(source)s") % {"source": source}
        if line.demo
        else source,
    }
    if line.administration_id in names:
        offer["offeredBy"] = {
            "@type": "GovernmentOrganization",
            "name": names[line.administration_id],
        }
    return offer


def offers(procedure: Procedure, door: Door | None) -> list[dict[str, Any]]:
    """One schema.org ``Offer`` per amount the procedure may cost (with the administration that
    sets it, and "demo amount" where it is one); the catalogue's single fee when fees.yaml has
    none; nothing when it is free."""
    lines = procedure_fee_lines(procedure, door)
    if lines:
        names = fee_administrations(lines)
        return [_offer(line, names) for line in lines]
    if procedure.fee_eur:
        return [{"@type": "Offer", "price": f"{procedure.fee_eur:.2f}", "priceCurrency": "EUR"}]
    return []


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
    priced = offers(procedure, door)
    if priced:
        service["offers"] = priced
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
