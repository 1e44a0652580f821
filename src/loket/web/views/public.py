"""Public pages: home, catalogue, procedure pages, search."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from loket.appointments.entry import booking_entry, books_without_login, what_to_bring
from loket.assist.finding import find_procedures
from loket.cases.delivery import delivered_at_once
from loket.catalog.models import Procedure
from loket.catalog.search import held_catalogue
from loket.core.i18n import pick
from loket.core.models import Administration
from loket.core.reference import administration_about
from loket.forms.definitions import get_definition
from loket.payments.fees import published_fees
from loket.performance.models import Channel
from loket.sources.catalogue import register_keeper, source_name
from loket.web.findable import canonical_door, government_service, json_ld, sdg_tags
from loket.web.presenters import legal_bases, need_rows
from loket.web.views.performance import feedback_form


def home(request: HttpRequest) -> HttpResponse:
    """The home page; a municipality's door leads with the municipality's procedures, then the
    regional ones for its residents, before the life events every door shows."""
    held = held_catalogue()
    context: dict[str, Any] = {"life_events": held.life_events}
    door = getattr(request, "door", None)
    if door is not None and door.administration_id:
        procedures = [p for p in held.procedures.values() if p.audience == "citizen"]
        context["municipality"] = door.administration
        context["municipal_procedures"] = [p for p in procedures if p.is_municipal]
        context["regional_procedures"] = [p for p in procedures if not p.is_municipal]
    return render(request, "web/home.html", context)


def catalogue(request: HttpRequest) -> HttpResponse:
    by = "administration" if request.GET.get("by") == "administration" else "life-event"
    context: dict[str, Any] = {"by": by}
    held = held_catalogue()
    if by == "administration":
        procedures = list(held.procedures.values())
        bodies = [
            (body, [p for p in procedures if p.administration_id == body.id])
            for body in Administration.objects.filter(kind=Administration.Kind.REGIONAL)
        ]
        context["groups"] = [(b.id, b.name, ps) for b, ps in bodies if ps]
        context["municipal"] = [p for p in procedures if p.is_municipal]
    else:
        context["groups"] = [
            (event.id, event.name, list(event.procedures.all())) for event in held.life_events
        ]
    return render(request, "web/catalogue.html", context)


def procedure_detail(request: HttpRequest, procedure_id: str) -> HttpResponse:
    procedure = held_catalogue().procedures.get(procedure_id)
    if procedure is None:
        raise Http404
    needs = need_rows(procedure, tuple(need["attribute"] for need in procedure.needs))
    register = request.GET.get("register", "")
    definition = get_definition(procedure.id)
    summary = pick(procedure.summary)
    can_apply_online = definition is not None
    request.canonical_door = canonical_door(request, procedure)  # type: ignore[attr-defined]
    return render(
        request,
        "web/procedure.html",
        {
            "procedure": procedure,
            "summary": summary,
            "structured_data": json_ld(
                government_service(request, procedure, summary, can_apply_online)
            ),
            "sdg_tags": sdg_tags(can_apply_online),
            "you_receive": pick(procedure.you_receive),
            "needs": needs,
            "legal_bases": legal_bases(needs),
            "life_events": procedure.life_events.all(),
            "can_apply_online": can_apply_online,
            "at_once": bool(delivered_at_once(definition)),
            "correction_of": source_name(register) if register_keeper(register) else "",
            "correction_keeper": register_keeper(register),
            "booking_url": booking_entry(procedure.id),
            "guest_booking": books_without_login(procedure.id),
            "bring": what_to_bring(procedure.id),
            "handler_about": administration_about(procedure.administration_id or ""),
            "handled_by": pick(procedure.handled_by),
            "procedure_fees": published_fees(procedure.id),
            "back_to": _application_left(request, procedure),
            **feedback_form(request, procedure, Channel.PROCEDURE_PAGE),
        },
    )


def _application_left(request: HttpRequest, procedure: Procedure) -> Procedure | None:
    """The application the person left to come here (``?back=<procedure>``, from "This is
    wrong" on its facts page): the page leads back to it, where their answers are kept."""
    back = request.GET.get("back", "")[:80]
    if not back or back == procedure.id or get_definition(back) is None:
        return None
    return Procedure.objects.filter(id=back).first()


def language_names() -> dict[str, str]:
    return {"fr": _("French"), "nl": _("Dutch"), "en": _("English")}


def search(request: HttpRequest) -> HttpResponse:
    """Words or a sentence about one's situation, in any of the three languages: the
    procedures and the life events that fit, in the page's language."""
    query = request.GET.get("q", "").strip()[:200]
    finding = find_procedures(query) if query else None
    results = finding.procedures if finding else []
    understood = finding.language if finding else ""
    return render(
        request,
        "web/search.html",
        {
            "query": query,
            "results": [(p, pick(p.summary)) for p in results],
            "fitting_events": finding.life_events if finding and results else [],
            "life_events": held_catalogue().life_events if query and not results else [],
            "understood": language_names().get(understood, "")
            if understood != translation.get_language()
            else "",
        },
    )
