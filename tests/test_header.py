"""The header's menu: "People I help" only for someone who holds a mandate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from loket.mandates.actions import do_give_mandate
from tests.conftest import client_for, demo_user

pytestmark = pytest.mark.django_db


def menu(key: str) -> str:
    html = client_for(key).get("/en/").content.decode()
    return html[html.index("<header") : html.index("</header>")]


def test_a_resident_without_mandates_does_not_see_people_i_help() -> None:
    assert "People I help" not in menu("resident")
    assert "People you help" not in client_for("resident").get("/en/mandates/").content.decode()


def test_a_helper_holding_a_mandate_sees_people_i_help() -> None:
    today = timezone.localdate()
    do_give_mandate(
        demo_user("resident"),
        demo_user("helper").national_number or "",
        [],
        today,
        today + timedelta(days=30),
    )
    assert "People I help" in menu("helper")
    assert "People I help" not in menu("resident")


def test_log_out_names_the_person_for_screen_readers_and_wide_screens() -> None:
    header = menu("resident")
    name = demo_user("resident").display_name
    assert f'Log out<span class="header-user"> ({name})</span>' in header
