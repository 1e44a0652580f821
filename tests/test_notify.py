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
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone, translation

from loket.cases.notices import notices_about
from loket.core.models import User
from loket.notify import gates
from loket.notify.actions import do_notify
from loket.notify.models import Notification
from loket.privacy.consent import email_allowed
from loket.tasks.models import Task
from loket.tasks.queue import _claim, run_until_empty
from tests.conftest import client_for, demo_user, stop_clock, with_version
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
    case = apply_for_parking_card(client, lang="nl")  # sent (what to pay), then paid
    assert run_until_empty() == 2
    with translation.override("nl"):
        name = case.procedure.name
    subject = f"We hebben uw aanvraag {case.reference} goed ontvangen \u2013 {name}"
    assert len(smtp.subjects()) == 2 and smtp.subjects()[1] == subject
    assert case.reference in smtp.subjects()[0]  # the fee to pay: tests/test_payments_mail.py
    assert "parking.brussels" in smtp.messages[1].get_payload(decode=True).decode()

    agent = client_for("agent-parking")
    url = f"/en/back-office/cases/{case.reference}/"
    agent.post(
        url, with_version(case, {"action": "request", "body": "Send your insurance, please."})
    )
    agent.post(url, with_version(case, {"action": "decide", "status": "approved", "note": "OK"}))
    run_until_empty()
    assert len(smtp.messages) == 4
    assert notices_about(case).count() == 4
    assert run_until_empty() == 0  # nothing left, nothing sent twice
    inbox = client.get("/nl/my-cases/").content.decode()
    assert case.reference in inbox


@pytest.mark.django_db
def test_a_worker_that_dies_mid_task_leaves_it_to_another_and_the_mail_goes_once(
    smtp: Inbox,
) -> None:
    with_email("resident", "fr")
    apply_for_parking_card(client_for("resident"), lang="fr")  # two mails: to pay, received
    claimed = _claim()  # a worker takes the task … and is killed before finishing
    assert claimed is not None
    assert run_until_empty() == 1  # the other mail; the lease protects this one meanwhile
    Task.objects.filter(pk=claimed.pk).update(locked_until=timezone.now())  # the lease expires
    assert run_until_empty() == 1
    assert len(smtp.messages) == 2
    assert Task.objects.get(pk=claimed.pk).attempts == 2


@pytest.mark.django_db
def test_a_retried_task_does_not_send_again(smtp: Inbox) -> None:
    with_email("resident", "en")
    apply_for_parking_card(client_for("resident"))  # two mails: to pay, received
    run_until_empty()
    task = Task.objects.filter(name="notify.mail").first()
    assert task is not None
    Task.objects.filter(pk=task.pk).update(state=Task.State.QUEUED, run_after=timezone.now())
    run_until_empty()
    assert len(smtp.messages) == 2


@pytest.mark.django_db
def test_an_unreachable_mail_server_is_retried_later_with_backoff(resident_client: Client) -> None:
    with_email("resident", "en")
    with override_settings(LOKET_EMAIL_URL="smtp://127.0.0.1:9"):
        apply_for_parking_card(resident_client)
        run_until_empty()
    for task in Task.objects.filter(name="notify.mail"):  # to pay, received
        assert task.state == Task.State.QUEUED
        assert task.attempts == 1
        assert task.run_after > timezone.now()
        assert "Connection refused" in task.last_error or "Errno" in task.last_error
    assert {notice.mail for notice in Notification.objects.all()} == {Notification.Mail.PENDING}


@pytest.mark.django_db
def test_periodic_tasks_are_queued_once_per_period_and_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from loket.opendata.models import Release
    from loket.tasks.queue import enqueue_due_periodic

    with monkeypatch.context() as patch:
        # One instant for both calls: no period may end between them.
        stop_clock(patch, "loket.tasks.queue", timezone.now())
        assert enqueue_due_periodic() >= 1
        assert enqueue_due_periodic() == 0  # the same period: already queued
    run_until_empty()
    assert Release.objects.count() == 1


# Notify knows people and texts, not cases: the case writes its notice (topic, link, texts).


@pytest.mark.django_db
def test_a_case_notice_names_its_case_and_leads_to_it_in_the_readers_page_language() -> None:
    """The notice (and its e-mail) is written in the recipient's language; followed from the
    inbox, it keeps the language of the page it was opened from."""
    with_email("resident", "nl")
    client = client_for("resident")
    case = apply_for_parking_card(client, lang="nl")
    notice = notices_about(case).get(kind="submitted")
    assert (notice.kind, notice.topic) == ("submitted", f"case:{case.reference}")
    assert notice.event_key == f"{case.pk}:submitted:submitted"
    assert notice.link == f"/nl/my-cases/{case.reference}/"
    assert notice.language == "nl" and case.reference in notice.subject
    inbox = client.get("/en/my-cases/").content.decode()
    assert f'<a href="/en/my-cases/inbox/{notice.pk}/">' in inbox  # opening it marks it read
    followed = client.get(f"/en/my-cases/inbox/{notice.pk}/")
    assert followed["Location"] == f"/en/my-cases/{case.reference}/"
    assert client.get(notice.link).status_code == 200


@pytest.mark.django_db
def test_one_notice_per_event_key() -> None:
    person = with_email("resident", "en")
    first = do_notify(person, "test:once", "Subject", "Body", topic="test:1", link="/en/")
    assert first is not None
    assert do_notify(person, "test:once", "Other subject", "Other body") is None
    assert Notification.objects.filter(event_key="test:once").count() == 1
    assert Task.objects.filter(name="notify.mail").count() == 1


@pytest.fixture
def no_mail_gates(monkeypatch: pytest.MonkeyPatch) -> list[gates.MailGate]:
    registered: list[gates.MailGate] = []
    monkeypatch.setattr(gates, "_mail_gates", registered)
    return registered


@pytest.mark.django_db
@override_settings(LOKET_EMAIL_URL="locmem://")
def test_without_a_consent_gate_no_mail_leaves(no_mail_gates: list[gates.MailGate]) -> None:
    person = with_email("resident", "en")
    notice = do_notify(person, "test:ungated", "Subject", "Body")
    assert notice is not None
    run_until_empty()
    assert mail.outbox == []
    notice.refresh_from_db()
    assert notice.mail == Notification.Mail.NO_ADDRESS  # the inbox entry stays


@pytest.mark.django_db
@override_settings(LOKET_EMAIL_URL="locmem://")
def test_every_registered_gate_must_say_yes(no_mail_gates: list[gates.MailGate]) -> None:
    person = with_email("resident", "en")
    gates.register_mail_gate(lambda person: True)
    gates.register_mail_gate(lambda person: person.email != "resident@example.be")
    do_notify(person, "test:refused", "Subject", "Body")
    run_until_empty()
    assert mail.outbox == []
    no_mail_gates.pop()
    do_notify(person, "test:allowed", "Subject", "Body")
    run_until_empty()
    assert [m.subject for m in mail.outbox] == ["Subject"]


def test_the_privacy_app_registers_the_consent_gate_at_start_up() -> None:
    assert email_allowed in gates._mail_gates
