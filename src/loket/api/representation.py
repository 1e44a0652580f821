"""How catalogue entries and cases look in the API (plain dicts, described in openapi.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from loket.api.models import WebhookDelivery, WebhookEndpoint
from loket.cases.models import Case
from loket.catalog.models import LifeEvent, Procedure
from loket.core.models import Administration

LANGUAGES = ("fr", "nl", "en")


def names(values: dict[str, Any] | None) -> dict[str, str]:
    values = values or {}
    return {language: str(values.get(language, "")) for language in LANGUAGES}


def administration(item: Administration) -> dict[str, Any]:
    return {"id": item.id, "kind": item.kind, "names": names(item.names)}


def life_event(item: LifeEvent) -> dict[str, Any]:
    return {"id": item.id, "names": names(item.names)}


def procedure(item: Procedure) -> dict[str, Any]:
    return {
        "id": item.id,
        "names": names(item.names),
        "summary": names(item.summary),
        "owner_kind": item.owner_kind,
        "administration": item.administration_id,
        "audience": item.audience,
        "life_events": [event.id for event in item.life_events.all()],
        "processing_days": item.processing_days,
        "fee_eur": str(item.fee_eur),
    }


def case_summary(case: Case) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "procedure": case.procedure_id,
        "administration": case.administration_id,
        "status": case.status,
        "submitted_at": case.submitted_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "due_on": case.due_on.isoformat() if case.due_on else None,
        "decided_at": case.decided_at.isoformat() if case.decided_at else None,
    }


def case_detail(request: HttpRequest, case: Case) -> dict[str, Any]:
    def document_url(attachment_id: object) -> str:
        path = reverse("api:case-file", args=[case.reference, attachment_id])
        return request.build_absolute_uri(path)

    return {
        **case_summary(case),
        "language": case.language,
        "answers": case.answers,
        "history": [
            {
                "at": event.at.isoformat(),
                "kind": event.kind,
                "status": event.status,
                "actor": event.actor.display_name if event.actor else None,
                "assignee": event.assignee.display_name if event.assignee else None,
                "note": event.note,
            }
            for event in case.events.select_related("actor", "assignee")
        ],
        "messages": [
            {
                "id": message.pk,
                "at": message.created_at.isoformat(),
                "from_applicant": message.from_applicant,
                "author": message.author.display_name,
                "body": message.body,
                "requests_information": message.requests_information,
                "documents": [
                    {
                        "id": str(attachment.id),
                        "name": attachment.name,
                        "content_type": attachment.content_type,
                        "size": attachment.size,
                        "sha256": attachment.sha256,
                        "url": document_url(attachment.id),
                    }
                    for attachment in message.attachments.all()
                ],
            }
            for message in case.messages.select_related("author").prefetch_related("attachments")
        ],
    }


def etag_of(case: Case) -> str:
    """A strong ETag: the case's version, which every write on the case raises."""
    return f'"{case.version}"'


def versions_in(if_match: str) -> list[int]:
    """The case versions an If-Match header names (weak tags never match a write)."""
    tags = [tag.strip() for tag in if_match.split(",")]
    return [
        int(tag[1:-1])
        for tag in tags
        if len(tag) > 2
        and tag[0] == tag[-1] == '"'
        and tag[1:-1].isascii()
        and tag[1:-1].isdigit()
        and len(tag) < 12
    ]


def endpoint(item: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": item.pk,
        "url": item.url,
        "events": list(item.events),
        "active": item.active,
        "created_at": item.created_at.isoformat(),
    }


def delivery(item: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": str(item.id),
        "event": item.event,
        "payload": item.payload,
        "status": item.status,
        "attempts": item.attempts,
        "next_attempt_at": item.next_attempt_at.isoformat() if item.next_attempt_at else None,
        "last_response_code": item.last_response_code,
        "last_error": item.last_error,
        "created_at": item.created_at.isoformat(),
        "delivered_at": item.delivered_at.isoformat() if item.delivered_at else None,
    }
