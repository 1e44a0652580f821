"""Opening hours as people write them in a file: ``mon 09:00-12:00 13:00-17:00; sat 10:00-13:00``.

One text format for the CSV import and the management form, so what staff type is what the
importer reads; stored as ``OpeningRange`` rows, shown in the same form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

from django.utils.translation import gettext as _

from loket.appointments.services import WEEKDAYS

RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


class HoursError(ValueError):
    """The text is not in the opening-hours format; the message is user-facing."""


@dataclass(frozen=True)
class Range:
    weekday: int
    opens: time
    closes: time


def _time(hours: str, minutes: str) -> time:
    try:
        return time(int(hours), int(minutes))
    except ValueError:
        raise HoursError(_("“%(text)s” is not a time.") % {"text": f"{hours}:{minutes}"}) from None


def parse_hours(text: str) -> list[Range]:
    """The ranges written in ``text``; raises HoursError naming the first bad part."""
    ranges: list[Range] = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        day, *spans = part.split()
        if day.lower()[:3] not in WEEKDAYS or not spans:
            raise HoursError(
                _("“%(text)s”: start with a day (mon, tue, wed, thu, fri, sat, sun) and give "
                  "at least one range such as 09:00-12:00.") % {"text": part}
            )  # fmt: skip
        for span in spans:
            found = RANGE.match(span.strip(","))
            if not found:
                raise HoursError(
                    _("“%(text)s” is not a range such as 09:00-12:00.") % {"text": span}
                )
            opens, closes = _time(*found.group(1, 2)), _time(*found.group(3, 4))
            if opens >= closes:
                raise HoursError(_("“%(text)s” closes before it opens.") % {"text": span})
            ranges.append(Range(WEEKDAYS.index(day.lower()[:3]), opens, closes))
    return sorted(ranges, key=lambda r: (r.weekday, r.opens))


def format_hours(ranges: list[Range]) -> str:
    """The text that ``parse_hours`` reads back into the same ranges."""
    days: dict[int, list[str]] = {}
    for item in ranges:
        days.setdefault(item.weekday, []).append(f"{item.opens:%H:%M}-{item.closes:%H:%M}")
    return "; ".join(f"{WEEKDAYS[day]} {' '.join(spans)}" for day, spans in sorted(days.items()))


def is_open_at(ranges: list[Range], moment: datetime) -> bool:
    """Whether one of the ranges covers this local date and time."""
    now = moment.time()
    return any(r.weekday == moment.weekday() and r.opens <= now < r.closes for r in ranges)
