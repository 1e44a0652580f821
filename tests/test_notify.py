"""Notifications: an inbox entry and one e-mail per event, in the recipient's language, sent by
the worker through a real SMTP server (aiosmtpd) started here."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.header import decode_header, make_header
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import Client, override_settings
from django.utils import timezone

from loket.core.models import User
from loket.notify.models import Notification
from loket.tasks.models import Task
from loket.tasks.queue import _claim, run_until_empty
from tests.conftest import client_for, demo_user, with_version
from tests.test_cases import apply_for_parking_card


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def subjects(self) -> list[str]:
        return [str(make_header(decode_header(m["Subject"]))) for m in self.messages]


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port on the loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(LOKET_EMAIL_URL=f"smtp://127.0.0.1:{port}"):
            yield inbox
    finally:
        controller.stop()


def with_email(key: str, language: str) -> User:
    user = demo_user(key)
    user.email = f"{key}@example.be"
    user.preferred_language = language
    user.save()
    return user


@pytest.mark.django_db
def test_each_event_sends_one_mail_in_the_applicants_language(smtp: Inbox) -> None:
    with_email("resident", "nl")
    client = client_for("resident")
    case = apply_for_parking_card(client, lang="nl")
    assert run_until_empty() == 1
    assert smtp.subjects() == [f"We hebben uw aanvraag {case.reference} goed ontvangen"]
    assert "parking.brussels" in smtp.messages[0].get_payload(decode=True).decode()

    agent = client_for("agent-parking")
    url = f"/en/back-office/cases/{case.reference}/"
    agent.post(
        url, with_version(case, {"action": "request", "body": "Send your insurance, please."})
    )
    agent.post(url, with_version(case, {"action": "decide", "status": "approved", "note": "OK"}))
    run_until_empty()
    assert len(smtp.messages) == 3
    assert Notification.objects.filter(case=case).count() == 3
    assert run_until_empty() == 0  # nothing left, nothing sent twice
    inbox = client.get("/nl/my-cases/").content.decode()
    assert case.reference in inbox


@pytest.mark.django_db
def test_a_worker_that_dies_mid_task_leaves_it_to_another_and_the_mail_goes_once(
    smtp: Inbox,
) -> None:
    with_email("resident", "fr")
    apply_for_parking_card(client_for("resident"), lang="fr")
    claimed = _claim()  # a worker takes the task … and is killed before finishing
    assert claimed is not None
    assert run_until_empty() == 0  # the lease protects it from a second worker meanwhile
    Task.objects.filter(pk=claimed.pk).update(locked_until=timezone.now())  # the lease expires
    assert run_until_empty() == 1
    assert len(smtp.messages) == 1
    assert Task.objects.get(pk=claimed.pk).attempts == 2


@pytest.mark.django_db
def test_a_retried_task_does_not_send_again(smtp: Inbox) -> None:
    with_email("resident", "en")
    apply_for_parking_card(client_for("resident"))
    run_until_empty()
    task = Task.objects.get(name="notify.mail")
    Task.objects.filter(pk=task.pk).update(state=Task.State.QUEUED, run_after=timezone.now())
    run_until_empty()
    assert len(smtp.messages) == 1


@pytest.mark.django_db
def test_an_unreachable_mail_server_is_retried_later_with_backoff(resident_client: Client) -> None:
    with_email("resident", "en")
    with override_settings(LOKET_EMAIL_URL="smtp://127.0.0.1:9"):
        apply_for_parking_card(resident_client)
        run_until_empty()
    task = Task.objects.get(name="notify.mail")
    assert task.state == Task.State.QUEUED
    assert task.attempts == 1
    assert task.run_after > timezone.now()
    assert "Connection refused" in task.last_error or "Errno" in task.last_error
    assert Notification.objects.get().mail == Notification.Mail.PENDING


@pytest.mark.django_db
def test_periodic_tasks_are_queued_once_per_period_and_run() -> None:
    from loket.opendata.models import Release
    from loket.tasks.queue import enqueue_due_periodic

    assert enqueue_due_periodic() >= 1
    assert enqueue_due_periodic() == 0  # the same period: already queued
    run_until_empty()
    assert Release.objects.count() == 1
