"""One-statement inserts that let a uniqueness conflict through (core.inserts): the row the ORM
would have written, nothing when the key is taken, every other refusal still raised."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from loket.db.inserts import insert_unless_taken
from loket.notify.actions import do_notify
from loket.notify.models import Notification
from loket.tasks.models import Task
from loket.tasks.queue import enqueue
from tests.conftest import demo_user

pytestmark = pytest.mark.django_db


def test_the_row_is_the_one_save_would_have_written() -> None:
    resident = demo_user("resident")
    inserted = Notification(event_key="e-inserted", recipient=resident, subject="S", body="B")
    assert insert_unless_taken(inserted, "event_key")
    saved = Notification(event_key="e-saved", recipient=resident, subject="S", body="B")
    saved.save()
    assert isinstance(inserted.pk, int)
    assert not inserted._state.adding
    stored = Notification.objects.get(pk=inserted.pk)
    for field in Notification._meta.concrete_fields:
        if field.name in ("id", "event_key", "created_at"):
            continue
        assert getattr(stored, field.attname) == getattr(saved, field.attname), field.name
    assert stored.created_at is not None  # auto_now_add, as save() sets it
    assert stored.created_at == inserted.created_at


def test_a_taken_key_inserts_nothing_and_leaves_the_transaction_usable() -> None:
    resident = demo_user("resident")
    with transaction.atomic():
        assert insert_unless_taken(
            Notification(event_key="once", recipient=resident, body="1"), "event_key"
        )
        again = Notification(event_key="once", recipient=resident, body="2")
        assert not insert_unless_taken(again, "event_key")
        assert again.pk is None
        assert Notification.objects.filter(event_key="once").count() == 1  # still usable
    assert Notification.objects.get(event_key="once").body == "1"


def test_in_one_statement_without_a_savepoint() -> None:
    with CaptureQueriesContext(connection) as captured:
        assert enqueue("notify.mail", {"notification": 1}, dedupe_key="mail:one-statement")
        assert enqueue("notify.mail", {"notification": 1}, dedupe_key="mail:one-statement") is None
    statements = [query["sql"] for query in captured.captured_queries]
    assert len(statements) == 2, statements
    assert all('ON CONFLICT ("dedupe_key") DO NOTHING' in sql for sql in statements)
    assert Task.objects.filter(dedupe_key="mail:one-statement").count() == 1


def test_other_refusals_still_raise() -> None:
    resident = demo_user("resident")
    with pytest.raises(IntegrityError), transaction.atomic():
        no_body = Notification(event_key="no-body", recipient=resident)
        no_body.body = None  # type: ignore[assignment]
        insert_unless_taken(no_body, "event_key")
    saved = Notification(event_key="saved-first", recipient=resident, body="B")
    saved.save()
    with pytest.raises(ValueError, match="already saved"):
        insert_unless_taken(saved, "event_key")


def test_a_notice_per_event_and_its_mail_queued_once() -> None:
    resident = demo_user("resident")
    first = do_notify(resident, "case:1:submitted", "Subject", "Body")
    assert first is not None
    assert do_notify(resident, "case:1:submitted", "Subject", "Body") is None
    assert Notification.objects.filter(event_key="case:1:submitted").count() == 1
    assert list(
        Task.objects.filter(dedupe_key=f"mail:{first.pk}").values_list("name", flat=True)
    ) == ["notify.mail"]


def test_a_model_of_several_tables_or_database_values_is_left_to_save(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.contrib.auth.models import Group

    meta = Notification._meta
    resident = demo_user("resident")
    monkeypatch.setattr(meta, "db_returning_fields", [meta.pk, meta.get_field("created_at")])
    with pytest.raises(NotImplementedError, match="needs save"):
        insert_unless_taken(
            Notification(event_key="computed", recipient=resident, body="B"), "event_key"
        )
    monkeypatch.undo()
    monkeypatch.setattr(meta, "parents", {Group: None})  # as a model with a parent table
    with pytest.raises(NotImplementedError, match="needs save"):
        insert_unless_taken(
            Notification(event_key="two tables", recipient=resident, body="B"), "event_key"
        )


def test_only_the_named_key_is_let_through() -> None:
    resident = demo_user("resident")
    first = Notification(event_key="key-a", recipient=resident, body="B")
    assert insert_unless_taken(first, "event_key")
    same_id = Notification(pk=first.pk, event_key="key-b", recipient=resident, body="B")
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_unless_taken(same_id, "event_key")  # another unique column: refused, as save()
    with pytest.raises(ValueError, match="not a unique field"):
        insert_unless_taken(Notification(event_key="key-c", recipient=resident), "kind")
