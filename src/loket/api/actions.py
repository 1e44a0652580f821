"""Writes on an administration's webhook endpoints, with the rules they obey, for the API, the
``loket webhooks`` command and the tests alike: ``check_*`` refuses with a translated reason,
``do_*`` writes."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from loket.api.models import WebhookEndpoint
from loket.api.webhooks import do_add_endpoint, secret_problem, url_problem
from loket.core.models import Administration

MAX_ENDPOINTS = 20


class WebhookRefused(Exception):
    """A rule refused the endpoint; ``field`` names what is wrong, ``message`` says why."""

    def __init__(self, field: str, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.reason = reason


def check_endpoint_url(url: str) -> None:
    """Only an address that may receive webhooks (https on the public internet in production)."""
    refused = url_problem(url)
    if refused:
        raise WebhookRefused("url", _("Give an https address on the public internet."), refused)


def check_endpoint_secret(secret: str) -> None:
    """No secret (Loket makes one), or a Standard Webhooks secret of 24 to 64 bytes."""
    refused = secret_problem(secret) if secret else None
    if refused:
        raise WebhookRefused(
            "secret",
            _("Give a secret of the form whsec_ followed by 24 to 64 bytes in base64, or none."),
            refused,
        )


def check_can_register_endpoint(administration_id: str, url: str, secret: str = "") -> None:
    """The address and secret are acceptable and the administration has room for one more
    endpoint."""
    check_endpoint_url(url)
    check_endpoint_secret(secret)
    if WebhookEndpoint.objects.filter(administration_id=administration_id).count() >= (
        MAX_ENDPOINTS
    ):
        raise WebhookRefused(
            "url", _("An administration has at most %(max)s endpoints.") % {"max": MAX_ENDPOINTS}
        )


@transaction.atomic
def do_register_webhook_endpoint(
    administration_id: str, url: str, events: Iterable[str], secret: str = ""
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint for the administration; return it and its secret (shown once)."""
    # One registration at a time per administration, so two at once cannot pass the cap.
    Administration.objects.select_for_update().filter(id=administration_id).first()
    check_can_register_endpoint(administration_id, url, secret)
    return do_add_endpoint(administration_id, url, events, secret)


@transaction.atomic
def do_remove_webhook_endpoint(endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint with its delivery log; deliveries still queued are then dropped."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()
