"""Webhook endpoints of the client's administration, their delivery log, and replays."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from loket.api import representation
from loket.api.actions import (
    WebhookRefused,
    do_register_webhook_endpoint,
    do_remove_webhook_endpoint,
)
from loket.api.http import api_view, json_response, paginate, read_json, string_field
from loket.api.models import ApiClient, WebhookDelivery, WebhookEndpoint
from loket.api.webhooks import do_replay
from loket.core.problems import invalid, not_found


def _client(request: HttpRequest) -> ApiClient:
    client: ApiClient = request.api_client  # type: ignore[attr-defined]
    return client


def _endpoint(request: HttpRequest, endpoint_id: int) -> WebhookEndpoint:
    if endpoint_id > 2**31 - 1:
        raise not_found(_("There is no webhook endpoint with this id."))
    endpoint = WebhookEndpoint.objects.filter(
        pk=endpoint_id, administration_id=_client(request).administration_id
    ).first()
    if endpoint is None:
        raise not_found(_("There is no webhook endpoint with this id."))
    return endpoint


@api_view(("GET", "POST"), scope="webhooks")
def endpoints(request: HttpRequest) -> HttpResponse:
    client = _client(request)
    mine = WebhookEndpoint.objects.filter(administration_id=client.administration_id)
    if request.method == "GET":
        return json_response(paginate(request, mine.order_by("id"), representation.endpoint))
    data = read_json(request)
    url = string_field(data, "url", 500)
    events = data.get("events", list(WebhookEndpoint.EVENTS))
    if (
        not isinstance(events, list)
        or not events
        or not all(isinstance(e, str) and e in WebhookEndpoint.EVENTS for e in events)
    ):
        raise invalid("events", _("Choose events among: %(events)s.")
                      % {"events": ", ".join(WebhookEndpoint.EVENTS)})  # fmt: skip
    secret = data.get("secret") or ""
    if not isinstance(secret, str) or "\x00" in secret:
        raise invalid(
            "secret",
            _("Give a secret of the form whsec_ followed by 24 to 64 bytes in base64, or none."),
        )
    try:
        endpoint, secret = do_register_webhook_endpoint(
            client.administration_id, url, events, secret
        )
    except WebhookRefused as refused:
        raise invalid(refused.field, refused.message) from None
    body: dict[str, Any] = {**representation.endpoint(endpoint), "secret": secret}
    return json_response(body, status=201)


@api_view(("GET", "DELETE"), scope="webhooks")
def endpoint(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    item = _endpoint(request, endpoint_id)
    if request.method == "DELETE":
        do_remove_webhook_endpoint(item)
        return HttpResponse(status=204)
    return json_response(representation.endpoint(item))


@api_view(("GET",), scope="webhooks")
def deliveries(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    item = _endpoint(request, endpoint_id)
    log = item.deliveries.order_by("-created_at", "id")
    return json_response(paginate(request, log, representation.delivery))


@api_view(("POST",), scope="webhooks")
def replay(request: HttpRequest, endpoint_id: int, delivery_id: str) -> HttpResponse:
    item = _endpoint(request, endpoint_id)
    delivery = WebhookDelivery.objects.filter(endpoint=item, pk=delivery_id).first()
    if delivery is None:
        raise not_found(_("There is no delivery with this id."))
    return json_response(representation.delivery(do_replay(delivery)), status=202)
