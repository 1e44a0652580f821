"""`loket keys`: rotation re-encrypts everything under the new key, and the old key can go."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from loket.api.models import WebhookEndpoint
from loket.api.webhooks import do_add_endpoint
from loket.core.identifiers import make_national_number
from loket.core.management.commands.keys import key_usage
from loket.core.models import User
from loket.mandates.actions import do_give_mandate
from loket.mandates.models import Mandate
from loket.mandates.selectors import mandates_held_by
from tests.conftest import demo_user

pytestmark = pytest.mark.django_db

DEMO = dict(settings.LOKET_ENCRYPTION_KEYS)
KEY_A = os.urandom(32)
KEY_B = os.urandom(32)
HELPER = make_national_number(date(1985, 7, 31), 155)
NUMBERS = [
    make_national_number(date(1970, 1, 1) + timedelta(days=400 * i), 10 + i) for i in range(5)
]


def keys(action: str, *args: str) -> str:
    out = StringIO()
    call_command("keys", action, *args, "--batch-size", "2", stdout=out)
    return out.getvalue()


def stored_key_ids(table: str, column: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> ''")  # noqa: S608
        return {value.split(":")[1] for (value,) in cursor.fetchall() if value}


@pytest.fixture
def written_under_a() -> Iterator[list[User]]:
    with override_settings(LOKET_ENCRYPTION_KEYS={**DEMO, "A": KEY_A}, LOKET_ENCRYPTION_KEY_ID="A"):
        users = [
            User.objects.create(
                username=f"rot-{i}", national_number=n, enterprise_number="0403170701"
            )
            for i, n in enumerate(NUMBERS)
        ]
        today = timezone.localdate()
        do_give_mandate(demo_user("resident"), HELPER, [], today, today + timedelta(days=9))
        do_add_endpoint("parking-brussels", "https://hooks.example.be/", ["case.submitted"])
        assert stored_key_ids("core_user", "national_number") == {"demo-1", "A"}
        yield users


def test_rotation_moves_every_value_to_the_new_key_and_the_old_one_can_be_retired(
    written_under_a: list[User],
) -> None:
    with override_settings(
        LOKET_ENCRYPTION_KEYS={**DEMO, "A": KEY_A, "B": KEY_B}, LOKET_ENCRYPTION_KEY_ID="B"
    ):
        with pytest.raises(CommandError, match="still sealed with A"):
            keys("retire", "A")
        report = keys("rotate")
        assert "under B" in report
        assert all(set(counts) <= {"B"} for counts in key_usage().values())
        for table, column in [
            ("core_user", "national_number"),
            ("core_user", "enterprise_number"),
            ("mandates_mandate", "helper_national_number"),
            ("api_webhookendpoint", "secret"),
        ]:
            assert stored_key_ids(table, column) == {"B"}
        assert "No value uses A" in keys("retire", "A")
        assert "No value uses demo-1" in keys("retire", "demo-1")
        assert "key A: 0 values" in keys("status")

    with override_settings(LOKET_ENCRYPTION_KEYS={"B": KEY_B}, LOKET_ENCRYPTION_KEY_ID="B"):
        assert [User.objects.get(pk=u.pk).national_number for u in written_under_a] == NUMBERS
        assert {u.enterprise_number for u in User.objects.filter(username__startswith="rot-")} == {
            "0403170701"
        }
        assert all(User.objects.values_list("national_number", flat=True))  # everyone readable
        assert User.objects.by_national_number(NUMBERS[2]).get() == written_under_a[2]
        helper = User.objects.create(username="late-helper", national_number=HELPER)
        assert [m.helper_national_number for m in mandates_held_by(helper)] == [HELPER]
        assert Mandate.objects.filter(helper_national_number=HELPER).count() == 1
        assert WebhookEndpoint.objects.get().secret.startswith("whsec_")


def test_the_active_key_cannot_be_retired_and_a_missing_key_is_reported(
    written_under_a: list[User],
) -> None:
    with (
        override_settings(LOKET_ENCRYPTION_KEYS={**DEMO, "A": KEY_A}, LOKET_ENCRYPTION_KEY_ID="A"),
        pytest.raises(CommandError, match="active key"),
    ):
        keys("retire", "A")
    with override_settings(LOKET_ENCRYPTION_KEYS=DEMO, LOKET_ENCRYPTION_KEY_ID="demo-1"):
        # 5 national numbers, 5 enterprise numbers, 1 mandate's helper number, 1 webhook secret
        assert "key A: 12 values (NOT IN THE RING" in keys("status")


def test_reindex_recomputes_the_blind_index_after_its_key_changed(
    written_under_a: list[User],
) -> None:
    with override_settings(LOKET_BLIND_INDEX_KEY="another-blind-index-key-" + "x" * 20):
        assert not User.objects.by_national_number(NUMBERS[0]).exists()  # why reindex is needed
        assert "blind index rows recomputed" in keys("reindex")
        assert User.objects.by_national_number(NUMBERS[0]).get() == written_under_a[0]
        assert User.objects.by_national_number(demo_user("resident").national_number or "-")
    assert not User.objects.by_national_number(NUMBERS[0]).exists()  # the old key no longer finds
