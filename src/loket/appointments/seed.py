"""The demo's places of help: the shipped CSV, one counter per municipality, their schedules."""

from __future__ import annotations

from pathlib import Path

from loket.appointments.importer import ImportReport, import_help_points
from loket.appointments.models import HelpPoint, Schedule
from loket.appointments.services import BOOKABLE
from loket.appointments.slots import ensure_slots

DEMO_CSV = Path(__file__).resolve().parents[1] / "data" / "help-points-demo.csv"
DEMO_CAPACITY = {"digital-help": 2, "identity-card": 3}


def seed_demo_help_points() -> ImportReport:
    """Import the demo places (idempotent) and open bookings for their bookable services."""
    report = import_help_points(DEMO_CSV.read_text(encoding="utf-8"))
    for point in HelpPoint.objects.filter(is_demo=True, is_active=True):
        for service in point.services:
            if service in BOOKABLE:
                schedule, _created = Schedule.objects.get_or_create(
                    help_point=point, service=service,
                    defaults={"slot_minutes": 30, "capacity": DEMO_CAPACITY[service]},
                )  # fmt: skip
                ensure_slots(schedule)
    return report
