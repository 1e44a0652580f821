"""The public catalogue: procedures, life events, administrations. Anonymous, rate-limited by
client address."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, When
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from loket.api import representation
from loket.api.http import api_view, json_response, paginate
from loket.assist.finding import find_procedures
from loket.catalog.models import LifeEvent, Procedure
from loket.core.models import Administration
from loket.core.problems import invalid, not_found

MAX_QUERY = 200


@api_view(("GET",))
def procedures(request: HttpRequest) -> HttpResponse:
    items = Procedure.objects.select_related("administration").prefetch_related("life_events")
    life_event = request.GET.get("life_event", "")
    if life_event:
        items = items.filter(life_events__id=life_event[:40])
    administration = request.GET.get("administration", "")[:40]
    if administration:
        # A municipality handles every municipal procedure for its residents.
        municipal = Administration.objects.filter(
            id=administration, kind=Administration.Kind.MUNICIPALITY
        ).exists()
        handled = Q(administration_id=administration)
        if municipal:
            handled |= Q(owner_kind=Procedure.Owner.MUNICIPALITY)
        items = items.filter(handled)
    query = request.GET.get("q", "")
    if len(query) > MAX_QUERY:
        raise invalid("q", _("The search is longer than %(max)s characters.") % {"max": MAX_QUERY})
    order = ["position", "id"]
    if query.strip():  # the finder's order, best first: a sentence works as well as words
        found = [p.id for p in find_procedures(query, limit=50).procedures]
        places = [When(id=procedure_id, then=n) for n, procedure_id in enumerate(found)]
        rank = Case(*places, default=len(found), output_field=IntegerField())
        items = items.filter(id__in=found).annotate(rank=rank)
        order = ["rank", "id"]
    return json_response(paginate(request, items.order_by(*order), representation.procedure))


@api_view(("GET",))
def procedure(request: HttpRequest, procedure_id: str) -> HttpResponse:
    item = Procedure.objects.prefetch_related("life_events").filter(id=procedure_id[:60]).first()
    if item is None:
        raise not_found(_("There is no procedure with this id."))
    return json_response(representation.procedure(item))


@api_view(("GET",))
def life_events(request: HttpRequest) -> HttpResponse:
    return json_response(
        paginate(request, LifeEvent.objects.order_by("position", "id"), representation.life_event)
    )


@api_view(("GET",))
def administrations(request: HttpRequest) -> HttpResponse:
    return json_response(
        paginate(
            request, Administration.objects.order_by("kind", "id"), representation.administration
        )
    )
