"""Webhook events from the cases app, without the cases app knowing about the API.

``loket.cases`` is a lower layer: it only saves its history and messages. These receivers see
those saves and queue a delivery per interested endpoint in the same transaction, so an event
is sent if and only if the change committed. The payload names the case, not its content: the
receiver reads the case through the API with its token (personal data stays behind the token).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from loket.api.models import WebhookEndpoint
from loket.api.webhooks import queue_event
from loket.cases.models import Case, CaseEvent, CaseMessage


def _endpoints(case: Case) -> list[WebhookEndpoint]:
    return list(
        WebhookEndpoint.objects.filter(administration_id=case.administration_id, active=True)
    )


def _emit(case: Case, endpoints: list[WebhookEndpoint], event: str, extra: dict[str, Any]) -> None:
    data = {
        "case": {
            "reference": case.reference,
            "procedure": case.procedure_id,
            "administration": case.administration_id,
            "status": case.status,
        },
        **extra,
    }
    for endpoint in endpoints:
        if event in endpoint.events:
            queue_event(endpoint, event, data)


@receiver(post_save, sender=CaseEvent, dispatch_uid="api-webhooks-case-event")
def case_event_saved(sender: type, instance: CaseEvent, created: bool, raw: bool, **_: Any) -> None:
    if not created or raw or instance.kind != CaseEvent.Kind.STATUS:
        return  # an assignment is no event for the administration's systems
    if instance.status == Case.Status.AWAITING_PAYMENT:
        return  # the administration's systems hear of a case with a fee once it is paid
    endpoints = _endpoints(instance.case)
    if not endpoints:
        return  # most administrations have none: one query and no more on the submission path
    earlier = CaseEvent.objects.filter(case_id=instance.case_id, kind=CaseEvent.Kind.STATUS)
    first = (
        not earlier.exclude(pk=instance.pk).exclude(status=Case.Status.AWAITING_PAYMENT).exists()
    )
    if first and instance.status == Case.Status.SUBMITTED:
        _emit(instance.case, endpoints, "case.submitted", {})
    else:
        _emit(instance.case, endpoints, "case.status_changed", {"status": instance.status})


@receiver(post_save, sender=CaseMessage, dispatch_uid="api-webhooks-case-message")
def case_message_saved(
    sender: type, instance: CaseMessage, created: bool, raw: bool, **_: Any
) -> None:
    if created and not raw and instance.from_applicant:
        case = instance.case
        _emit(case, _endpoints(case), "case.message_received", {"message": instance.pk})
