"""Background work of the appointment engine, run by ``loket worker``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from loket.tasks.queue import every, handler


@handler("appointments.reminders")
def reminders_task(payload: dict[str, Any]) -> None:
    from loket.appointments.actions import send_due_reminders

    send_due_reminders()


@handler("appointments.slots")
def slots_task(payload: dict[str, Any]) -> None:
    from loket.appointments.slots import ensure_all_slots

    ensure_all_slots()


@handler("appointments.forget-guests")
def forget_guests_task(payload: dict[str, Any]) -> None:
    from loket.appointments.actions import forget_guest_contacts

    forget_guest_contacts()


every("appointments.reminders", timedelta(minutes=15))
every("appointments.forget-guests", timedelta(days=1))
every("appointments.slots", timedelta(days=1))


@handler("appointments.guest-mail")
def guest_mail_task(payload: dict[str, Any]) -> None:
    from loket.appointments.actions import send_guest_mail

    send_guest_mail(payload["booking"], payload["kind"])
