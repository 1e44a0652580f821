"""A helper acting for someone books in that person's name: the appointment, its notice and mail
are the person's (in their language), the helper is kept as who booked it, and every page names
the person; a mandate that does not cover the appointment says so, and nothing is booked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from loket.appointments.models import Booking, Schedule, Slot
from loket.appointments.seed import seed_demo_help_points
from loket.audit.models import SecurityEvent
from loket.mandates.actions import do_give_mandate, do_revoke_mandate
from loket.mandates.models import Mandate
from loket.notify.models import Notification
from tests.conftest import client_for, demo_user

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("address_register", "in_english"),
]

DIGITAL_HELP = "digital-help-appointment"


@pytest.fixture
def slot() -> Slot:
    seed_demo_help_points()
    schedule = Schedule.objects.get(help_point__external_id="demo-eps-haren-verdun",
                                    service="digital-help")  # fmt: skip
    found = schedule.slots.filter(starts_at__gt=timezone.now()).order_by("starts_at").first()
    assert found is not None
    return found


def give(procedures: list[str]) -> Mandate:
    today = timezone.localdate()
    return do_give_mandate(demo_user("resident"), demo_user("helper").national_number or "",
                           procedures, today, today + timedelta(days=30))  # fmt: skip


def acting_helper(mandate: Mandate) -> Client:
    client = client_for("helper")
    assert client.post(reverse("web:mandate-act", args=[mandate.pk])).status_code == 302
    return client


def choose(client: Client, slot: Slot) -> str:
    """Choose the slot on the time page; the check page's address."""
    url = reverse("appointments:book", args=[slot.schedule.help_point_id, "digital-help"])
    day = timezone.localtime(slot.starts_at).date().isoformat()
    chosen = client.post(url, {"day": day, "slot": slot.pk})
    assert chosen.status_code == 302, chosen.content.decode()[:1000]
    return reverse("appointments:check")


def test_helper_acting_books_in_the_principals_name_and_every_page_names_them(
    slot: Slot,
) -> None:
    resident, helper = demo_user("resident"), demo_user("helper")
    resident.preferred_language = "nl"
    resident.save(update_fields=["preferred_language"])
    client = acting_helper(give([DIGITAL_HELP]))
    check = client.get(choose(client, slot)).content.decode()
    assert f'id="appointment-for">{resident.display_name}' in check
    assert f"You book this appointment for {resident.display_name}, in their name" in check
    done = client.post(reverse("appointments:check"),
                       {"key": client.session["appointment_choice"]["key"]})  # fmt: skip
    booking = Booking.objects.get(slot=slot)
    assert booking.person == resident and booking.booked_by == helper
    assert not Booking.objects.filter(person=helper).exists()
    confirmation = client.get(done.url).content.decode()  # type: ignore[attr-defined]
    assert f"The appointment of {resident.display_name} is booked" in confirmation
    assert f'id="appointment-for">{resident.display_name}' in confirmation
    # The notice is the resident's, in their language, and says who booked.
    notice = Notification.objects.get(recipient=resident, event_key=f"booking:{booking.pk}:booked")
    assert notice.language == "nl" and helper.display_name in notice.body
    assert not Notification.objects.filter(recipient=helper).exists()
    # Listed in the resident's own appointments, and in theirs as the helper sees it.
    assert (
        booking.reference
        in client_for("resident").get(reverse("appointments:mine")).content.decode()
    )
    listed = client.get(reverse("appointments:mine")).content.decode()
    assert f"Appointments of {resident.display_name}" in listed and booking.reference in listed


def test_the_helper_in_their_own_name_does_not_see_the_principals_appointment(slot: Slot) -> None:
    client = acting_helper(give([DIGITAL_HELP]))
    choose(client, slot)
    client.post(reverse("appointments:check"), {"key": client.session["appointment_choice"]["key"]})
    booking = Booking.objects.get(slot=slot)
    client.post(reverse("web:mandate-stop"))
    assert booking.reference not in client.get(reverse("appointments:mine")).content.decode()
    mine = client.get(reverse("appointments:booking", args=[booking.reference]))
    assert mine.status_code == 404


def test_a_mandate_without_the_appointment_says_so_and_nothing_is_booked(slot: Slot) -> None:
    client = acting_helper(give(["residents-parking-card"]))
    url = reverse("appointments:book", args=[slot.schedule.help_point_id, "digital-help"])
    refused = client.get(url)
    html = refused.content.decode()
    assert refused.status_code == 403
    assert "did not give you a mandate for appointments" in html
    assert "book in my own name" in html
    assert SecurityEvent.objects.filter(kind="mandate-refused").exists()
    assert not Booking.objects.exists()


def test_a_time_chosen_for_the_principal_is_not_booked_in_the_helpers_name(slot: Slot) -> None:
    client = acting_helper(give([DIGITAL_HELP]))
    check = choose(client, slot)
    client.post(reverse("web:mandate-stop"))  # in another tab, say
    answer = client.post(check, {"key": client.session["appointment_choice"]["key"]})
    assert answer.status_code == 302 and "/book/" in answer.url  # type: ignore[attr-defined]
    assert not Booking.objects.exists()


def test_a_mandate_revoked_before_confirming_books_nothing(slot: Slot) -> None:
    mandate = give([DIGITAL_HELP])
    client = acting_helper(mandate)
    check = choose(client, slot)
    do_revoke_mandate(mandate)
    answer = client.post(check, {"key": client.session["appointment_choice"]["key"]})
    assert answer.status_code == 403 and "has ended or was revoked" in answer.content.decode()
    assert not Booking.objects.exists()
