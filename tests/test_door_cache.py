"""The doors are held in memory by every process and follow changes made in the others.

Another process's change is played here with raw SQL: its rows and its bump of the version row
reach the database, none of its signals run in this process.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from loket.doors.actions import do_save_door
from loket.doors.demo import DEMO_DOORS
from loket.doors.hosts import door_for_host, doors

pytestmark = pytest.mark.django_db

NEW_HOST = "guichet-ixelles.localhost"


def another_process_adds_a_host_to_ixelles(bump_version: bool = True) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO doors_doorhost (host, door_id, "primary") VALUES (%s, %s, false)',
            [NEW_HOST, "ixelles"],
        )
        if bump_version:
            cursor.execute(
                "UPDATE core_referenceversion SET version = version + 1 WHERE topic = 'doors'"
            )
            if cursor.rowcount == 0:
                cursor.execute(
                    "INSERT INTO core_referenceversion (topic, version) VALUES ('doors', 1)"
                )


def status_on(host: str) -> int:
    return Client(HTTP_HOST=host).get("/en/").status_code


def answers_as_ixelles(host: str) -> bool:
    """Ixelles' door answers ``host``: a second host name redirects to its primary one."""
    response = Client(HTTP_HOST=host).get("/en/")
    return response.status_code == 301 and response["Location"].startswith(
        "http://ixelles.localhost"
    )


def test_a_request_costs_no_query_for_its_door_between_two_checks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(doors, "recheck_seconds", 3600.0)
    door_for_host("ixelles.localhost")  # built now
    with CaptureQueriesContext(connection) as queries:
        assert door_for_host("IXELLES.localhost:8000").id == "ixelles"  # type: ignore[union-attr]
        assert door_for_host("stranger.localhost") is None
    assert len(queries) == 0


def test_a_door_saved_in_this_process_answers_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doors, "recheck_seconds", 3600.0)
    assert status_on(NEW_HOST) == 400
    values = DEMO_DOORS["ixelles"]
    do_save_door("ixelles", replace(values, hosts=[*values.hosts, NEW_HOST]))
    assert answers_as_ixelles(NEW_HOST)


def test_a_door_saved_in_another_process_answers_here_after_the_recheck_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(doors, "recheck_seconds", 3600.0)
    assert status_on(NEW_HOST) == 400
    another_process_adds_a_host_to_ixelles()
    assert status_on(NEW_HOST) == 400, "not re-read before the interval"
    monkeypatch.setattr(doors, "recheck_seconds", 0.0)
    assert answers_as_ixelles(NEW_HOST)


def test_without_a_new_version_the_copy_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doors, "recheck_seconds", 0.0)
    assert status_on(NEW_HOST) == 400
    another_process_adds_a_host_to_ixelles(bump_version=False)
    assert status_on(NEW_HOST) == 400
