"""What the applicant is told about their case: the case's notices, written here in the
applicant's language (subject, body, link to the case) and handed to notify, which knows people
and texts but no case. A notice's ``topic`` names its case, so the case finds its notices."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from loket.cases.models import Case, CaseMessage
from loket.core.models import User
from loket.doors.hosts import held_door
from loket.notify.actions import do_mark_topic_read, do_notify
from loket.notify.models import Notification

SUBMITTED = "submitted"
INFORMATION_REQUESTED = "information_requested"
DECIDED = "decided"
DELIVERED = "delivered"
MESSAGE = "message"
REFUNDED = "refunded"
PAYMENT_DUE = "payment_due"
PASSED_ON = "passed_on"


def topic_of(case: Case) -> str:
    return f"case:{case.reference}"


def agent_topic_of(case: Case) -> str:
    """The topic of the notices to agents about a case (never shown to the applicant)."""
    return f"agent-case:{case.reference}"


def notices_about(case: Case) -> QuerySet[Notification]:
    """Every notice about the case: the applicant's and the agents' (retention removes both)."""
    return Notification.objects.filter(topic__in=(topic_of(case), agent_topic_of(case)))


def _subject(kind: str, case: Case) -> str:
    subjects = {
        SUBMITTED: _("We received your application %(reference)s"),
        INFORMATION_REQUESTED: _("Your application %(reference)s: we need more information"),
        DECIDED: _("Decision on your application %(reference)s"),
        DELIVERED: _("Your document for application %(reference)s is ready"),
        MESSAGE: _("New message about your application %(reference)s"),
        REFUNDED: _("A refund on your application %(reference)s"),
        PAYMENT_DUE: _("Your application %(reference)s waits for your payment"),
        PASSED_ON: _("Your application %(reference)s was passed to another administration"),
    }
    # The procedure's name too: a reference alone does not tell a person which application it is.
    return f"{subjects[kind] % {'reference': case.reference}} \u2013 {case.procedure.name}"


def do_notify_applicant(
    case: Case, kind: str, event: str, details: str = "", language: str = ""
) -> Notification | None:
    """Tell the applicant that ``kind`` happened (``event`` tells one occurrence from another):
    an inbox entry leading to the case and an e-mail, once per event. Call inside the
    transaction that made the event. ``details``, written by the caller in ``language`` (the
    applicant's by default), says what happened where the kind alone cannot (who a case was
    passed to, and why)."""
    recipient = case.applicant
    with translation.override(language or recipient.preferred_language or "fr"):
        subject = _subject(kind, case)
        body = render_to_string(
            "cases/notice.txt",
            {"recipient": recipient, "case": case, "kind": kind, "subject": subject,
             "procedure": case.procedure.name, "details": details},
        )  # fmt: skip
        link = reverse("web:case", args=[case.reference])
        sender_name = door_sender(case)
    return do_notify(
        recipient, f"{case.pk}:{kind}:{event}", subject, body, kind=kind, topic=topic_of(case),
        link=link, sender_name=sender_name,
    )  # fmt: skip


def door_sender(case: Case) -> str:
    """The name a notice about ``case`` is sent under: the door the case came in by (in the
    active language), or "" for Loket's own name."""
    if case.door_id is None:
        return ""
    door = held_door(case.door_id) or case.door
    return door.name if door else ""


def do_mark_seen_by_applicant(case: Case, viewer: User) -> int:
    """The applicant opened the case's page (or its confirmation page), which shows everything
    the case's notices tell: those notices are no longer "New" in the inbox."""
    if viewer.pk != case.applicant_id:
        return 0
    return do_mark_topic_read(viewer, topic_of(case))


def do_notify_assigned_agent(case: Case, message: CaseMessage) -> Notification | None:
    """Tell the agent the case is assigned to that the applicant wrote (an answer to a request
    for information, say), in the agent's language, with a link to the back-office case page.
    A case assigned to nobody has only its marker in the queue."""
    agent = case.assigned_to
    if agent is None:
        return None
    with translation.override(agent.preferred_language or "fr"):
        words = {"reference": case.reference, "procedure": case.procedure.name}
        if case.status == Case.Status.INFORMATION_REQUESTED:
            subject = _("Case %(reference)s: the applicant answered your request") % words
        else:
            subject = _("Case %(reference)s: new message from the applicant") % words
        body = (
            _(
                "The applicant of case %(reference)s (%(procedure)s) wrote to you. Open the case "
                "in the back-office to read the message."
            )
            % words
        )
        link = reverse("web:backoffice-case", args=[case.reference])
    return do_notify(
        agent, f"{case.pk}:agent-reply:msg-{message.pk}", subject, body, kind="reply",
        topic=agent_topic_of(case), link=link,
    )  # fmt: skip


def with_unread_messages(cases: Iterable[Case]) -> set[int]:
    """The cases (ids) whose applicant has a message notice not read yet."""
    by_topic = {topic_of(case): case for case in cases}
    unread = Notification.objects.filter(
        topic__in=by_topic, kind=MESSAGE, read_at__isnull=True,
        recipient__in={case.applicant_id for case in by_topic.values()},
    ).values_list("topic", "recipient_id")  # fmt: skip
    return {
        by_topic[topic].pk
        for topic, recipient in unread
        if by_topic[topic].applicant_id == recipient
    }
