"""The migrations that took the case out of notify and forms keep every existing link: a
notice about a case gets its topic and link, a file of a case stays the case's, both ways
(forward, and back again), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from loket.cases.models import Case, CaseAttachment
from loket.cases.notices import notices_about
from loket.core.models import User
from loket.forms.models import Attachment
from loket.notify.models import Notification

BEFORE = [
    ("notify", "0001_initial"),
    ("cases", "0005_case_channel"),
    ("loket_forms", "0003_definitionversion"),
]


def migrate(targets: list[tuple[str, str]]) -> Apps:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before_the_split(seeded_transactional: None) -> Iterator[Apps]:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    yield migrate(BEFORE)
    migrate(latest)  # whatever happened, the next test finds the schema of the code


def old_case(apps: Apps, resident: User, reference: str) -> Any:
    return apps.get_model("cases", "Case").objects.create(
        reference=reference, procedure_id="residents-parking-card", definition_version=1,
        applicant_id=resident.pk, administration_id="parking-brussels", language="nl",
        idempotency_key=uuid.uuid4(),
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_notices_and_files_keep_their_case_through_the_migrations(before_the_split: Apps) -> None:
    apps = before_the_split
    resident = User.objects.get(username="demo-resident")
    case = old_case(apps, resident, "BRU-2026-0000001-00")
    other = old_case(apps, resident, "BRU-2026-0000002-00")
    old_notifications: Any = apps.get_model("notify", "Notification")
    old_attachments: Any = apps.get_model("loket_forms", "Attachment")
    for kind, about in [("submitted", case), ("decided", other), ("message", None)]:
        old_notifications.objects.create(
            event_key=f"old:{kind}", recipient_id=resident.pk, case=about, kind=kind,
            language="nl", subject=f"Subject {kind}", body="Body",
        )  # fmt: skip
    files = {}
    for name, about in [("a.pdf", case), ("b.pdf", case), ("c.pdf", other), ("d.pdf", None)]:
        files[name] = old_attachments.objects.create(
            owner_id=resident.pk, case=about, name=name, content_type="application/pdf",
            size=1, sha256="0" * 64, storage_name=f"attachments/{name}",
        )  # fmt: skip

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    new_case = Case.objects.get(reference="BRU-2026-0000001-00")
    notice = notices_about(new_case).get()
    assert notice.event_key == "old:submitted" and notice.subject == "Subject submitted"
    assert notice.link == "/nl/my-cases/BRU-2026-0000001-00/"
    assert Notification.objects.get(event_key="old:message").topic == ""
    assert sorted(a.name for a in new_case.attachments.all()) == ["a.pdf", "b.pdf"]
    assert Attachment.objects.get(pk=files["c.pdf"].pk).cases.get().reference.endswith("2-00")
    assert list(Attachment.objects.filter(case__isnull=True).values_list("name", flat=True)) == [
        "d.pdf"
    ]
    assert CaseAttachment.objects.count() == 3

    apps = migrate(BEFORE)  # and back: the foreign keys are filled again
    old_notifications = apps.get_model("notify", "Notification")
    old_attachments = apps.get_model("loket_forms", "Attachment")
    assert old_notifications.objects.get(event_key="old:decided").case_id == other.pk
    assert old_notifications.objects.get(event_key="old:message").case_id is None
    assert {a.name: a.case_id for a in old_attachments.objects.all()} == {
        "a.pdf": case.pk, "b.pdf": case.pk, "c.pdf": other.pk, "d.pdf": None,
    }  # fmt: skip
