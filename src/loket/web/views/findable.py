"""Machine-readable doors to the catalogue (#18): the sitemap and robots.txt of each door, and a
procedure's description for municipal websites (embed fragment and JSON feed, with ETags)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import override
from django.views.decorators.http import require_safe

from loket.catalog.models import Procedure
from loket.core.i18n import pick
from loket.doors.models import Door
from loket.forms.definitions import get_definition
from loket.payments.fees import amount_range
from loket.web.findable import (
    LANGUAGE_CODES,
    fee_administrations,
    origin,
    procedure_fee_lines,
)

EMBED_MAX_AGE = 300  # seconds a municipal website may keep a description before asking again


def _page_urls(request: HttpRequest, view: str, *args: str) -> dict[str, str]:
    urls = {}
    for code in LANGUAGE_CODES:
        with override(code):
            urls[code] = origin(request) + reverse(view, args=args)
    return urls


@require_safe
def sitemap(request: HttpRequest) -> HttpResponse:
    """Every public page whose canonical address is on this door, in each language, each with
    its alternates (hreflang): a municipality's door leaves out the regional procedures, whose
    pages are the region's door's."""
    door: Door | None = getattr(request, "door", None)
    procedures = Procedure.objects.all()
    if door is not None and not door.is_regional:
        procedures = procedures.filter(owner_kind=Procedure.Owner.MUNICIPALITY)
    pages = [_page_urls(request, "web:home"), _page_urls(request, "web:catalogue")]
    pages += [
        _page_urls(request, "web:procedure", procedure_id)
        for procedure_id in procedures.values_list("id", flat=True)
    ]
    entries = [
        {"loc": urls[code], "alternates": urls, "x_default": origin(request) + "/"}
        for urls in pages
        for code in LANGUAGE_CODES
    ]
    xml = render_to_string("web/sitemap.xml", {"entries": entries})
    return HttpResponse(xml, content_type="application/xml; charset=utf-8")


@require_safe
def robots(request: HttpRequest) -> HttpResponse:
    text = (
        "User-agent: *\n"
        "Disallow: /api/\nDisallow: /fr/my-cases/\nDisallow: /nl/my-cases/\n"
        "Disallow: /en/my-cases/\n"
        f"Sitemap: {origin(request)}/sitemap.xml\n"
    )
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


def procedure_description(request: HttpRequest, procedure: Procedure) -> dict[str, Any]:
    """What a municipal website shows of a procedure, in the active language, with links to this
    door: the page and, when it can be done online, where to start; every amount it may cost."""
    page = origin(request) + reverse("web:procedure", args=[procedure.id])
    start = (
        origin(request) + reverse("web:apply-start", args=[procedure.id])
        if get_definition(procedure.id) is not None
        else None
    )
    lines = procedure_fee_lines(procedure, getattr(request, "door", None))
    names = fee_administrations(lines)
    fees = [
        {
            "label": pick(line.label),
            "amount": f"{line.amount_cents / 100:.2f}",
            "currency": line.currency,
            "demo": line.demo,
            "administration": names.get(line.administration_id, ""),
        }
        for line in lines
    ]
    return {
        "id": procedure.id,
        "language": request.LANGUAGE_CODE,
        "name": procedure.name,
        "summary": pick(procedure.summary),
        "you_receive": pick(procedure.you_receive),
        "processing_days": procedure.processing_days,
        "fee_eur": f"{procedure.fee_eur:.2f}",
        "fees": fees,
        "fee_range": amount_range(lines),
        "url": page,
        "start_url": start,
    }


def _cached(request: HttpRequest, body: str, content_type: str) -> HttpResponse:
    """The body with a strong ETag; 304 when the caller holds it already. Public and cacheable
    for a few minutes, and readable from any origin (it is the public catalogue)."""
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    matches = request.headers.get("If-None-Match", "")
    if etag in [tag.strip() for tag in matches.split(",")] or matches.strip() == "*":
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={EMBED_MAX_AGE}"
    response["Vary"] = "Accept-Language"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def procedure_embed(request: HttpRequest, procedure_id: str) -> HttpResponse:
    """An HTML fragment (no page around it) to include in a municipal website's page."""
    procedure = get_object_or_404(Procedure, id=procedure_id)
    html = render_to_string(
        "web/procedure_embed.html",
        {"description": procedure_description(request, procedure)},
        request=request,
    )
    response = _cached(request, html, "text/html; charset=utf-8")
    allow_framing(request, response)
    return response


def allow_framing(request: HttpRequest, response: HttpResponse) -> None:
    """Let the websites the door names (``Door.embed_origins``) frame this response: CSP
    ``frame-ancestors`` lists them (``web.security``) and ``X-Frame-Options`` is left out, which
    would forbid every one. Without origins, the page stays unframeable like every other."""
    door: Door | None = getattr(request, "door", None)
    if door is not None and door.embed_origins:
        response.frame_ancestors = list(door.embed_origins)  # type: ignore[attr-defined]
        response.xframe_options_exempt = True


@require_safe
def procedure_feed(request: HttpRequest, procedure_id: str) -> HttpResponse:
    """The same description as JSON."""
    procedure = get_object_or_404(Procedure, id=procedure_id)
    body = json.dumps(procedure_description(request, procedure), ensure_ascii=False, indent=1)
    return _cached(request, body, "application/json")


def _snippets(request: HttpRequest, procedure: Procedure) -> dict[str, str]:
    """Ready-made code for a web editor: the frame, and the JSON read by the page's script."""
    embed = origin(request) + reverse("web:procedure-embed", args=[procedure.id])
    feed = origin(request) + reverse("web:procedure-feed", args=[procedure.id])
    box = f"loket-{procedure.id}"
    frame = (
        f'<iframe src="{embed}" title="{procedure.name}"\n'
        f'        width="100%" height="360" loading="lazy"></iframe>'
    )
    script = f"""<div id="{box}"></div>
<script>
fetch("{feed}")
  .then((answer) => answer.json())
  .then((procedure) => {{
    const box = document.getElementById("{box}");
    const title = document.createElement("h2");
    title.textContent = procedure.name;
    const summary = document.createElement("p");
    summary.textContent = procedure.summary;
    const link = document.createElement("a");
    link.href = procedure.start_url || procedure.url;
    link.textContent = procedure.name;
    box.append(title, summary, link);
  }});
</script>"""
    return {"frame": frame, "script": script, "embed": embed, "feed": feed}


@require_safe
def for_websites(request: HttpRequest) -> HttpResponse:
    """For a municipality's web editors: how to show a procedure on their own website, in plain
    words, with the code to copy for the chosen procedure (``?procedure=<id>``) and every
    procedure's identifier and addresses."""
    procedures = sorted(Procedure.objects.all(), key=lambda procedure: procedure.name.lower())
    chosen_id = request.GET.get("procedure", "")[:80]
    chosen = (
        get_object_or_404(Procedure, id=chosen_id)
        if chosen_id
        else (procedures[0] if procedures else None)
    )
    door: Door | None = getattr(request, "door", None)
    rows = [
        (procedure, origin(request) + reverse("web:procedure-embed", args=[procedure.id]))
        for procedure in procedures
    ]
    return render(
        request,
        "web/for_websites.html",
        {
            "rows": rows,
            "chosen": chosen,
            "snippets": _snippets(request, chosen) if chosen else None,
            "embed_origins": list(door.embed_origins) if door else [],
            "max_age_minutes": EMBED_MAX_AGE // 60,
        },
    )
