"""The administrations' names are held in memory by every process (core.administrations) and
follow a change made here at once, and one made by another process at its next version check.

Another process's change is played with raw SQL: its row and its bump of the version row reach
the database, none of its signals run in this process."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from loket.core.administrations import administration_names, administrations
from loket.core.models import Administration

pytestmark = pytest.mark.django_db


def test_names_cost_no_query_between_two_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(administrations, "recheck_seconds", 3600.0)
    administration_names(["21009"])  # built now
    with CaptureQueriesContext(connection) as queries, translation.override("fr"):
        assert administration_names(["21009", "*", "nowhere"]) == {"21009": "Ixelles"}
    assert len(queries) == 0


def test_a_rename_here_shows_at_once() -> None:
    administration_names(["21009"])
    ixelles = Administration.objects.get(pk="21009")
    ixelles.names = {**ixelles.names, "en": "Elsene-Ixelles"}
    ixelles.save()
    with translation.override("en"):
        assert administration_names(["21009"]) == {"21009": "Elsene-Ixelles"}


def test_a_rename_by_another_process_shows_after_its_version_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(administrations, "recheck_seconds", 0.0)
    administration_names(["21009"])
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_administration SET names = %s WHERE id = '21009'",
            ['{"fr": "Ixelles (nouveau)", "nl": "Elsene", "en": "Ixelles"}'],
        )
        cursor.execute(
            "UPDATE core_referenceversion SET version = version + 1 WHERE topic = %s",
            ["administrations"],
        )
        if cursor.rowcount == 0:
            cursor.execute(
                "INSERT INTO core_referenceversion (topic, version) VALUES (%s, 1)",
                ["administrations"],
            )
    with translation.override("fr"):
        assert administration_names(["21009"]) == {"21009": "Ixelles (nouveau)"}
