"""The days on which the administrations are closed: Belgian public holidays and the
Brussels-Capital Region's holiday (8 May, Iris day), computed for any year. No place of help
takes appointments on them, and no time limit of a case counts them or ends on one.

The ``holidays`` package is not installed in this project; the ten legal holidays (law of
4 January 1974) are few and fixed, and the movable ones follow Easter (``dateutil.easter``, the
Western computation). Why these days and not others: docs/decisions/0010-public-holidays.md.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from dateutil.easter import easter
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@lru_cache(maxsize=64)
def closed_days(year: int) -> dict[date, Promise]:
    """Every closed day of ``year`` with its name."""
    sunday = easter(year)
    return {
        date(year, 1, 1): _("New Year's Day"),
        sunday + timedelta(days=1): _("Easter Monday"),
        date(year, 5, 1): _("Labour Day"),
        date(year, 5, 8): _("Iris Day (Brussels-Capital Region)"),
        sunday + timedelta(days=39): _("Ascension Day"),
        sunday + timedelta(days=50): _("Whit Monday"),
        date(year, 7, 21): _("Belgian National Day"),
        date(year, 8, 15): _("Assumption Day"),
        date(year, 11, 1): _("All Saints' Day"),
        date(year, 11, 11): _("Armistice Day"),
        date(year, 12, 25): _("Christmas Day"),
    }


def is_closed_day(day: date) -> bool:
    return day in closed_days(day.year)


def holiday_name(day: date) -> str:
    """The holiday's name in the active language, or "" on an ordinary day."""
    name = closed_days(day.year).get(day)
    return str(name) if name is not None else ""


def is_working_day(day: date) -> bool:
    """A weekday that is no public holiday: a day the administrations work."""
    return day.weekday() < 5 and not is_closed_day(day)


def next_working_day(day: date) -> date:
    """``day`` itself when the administrations work then, else the first working day after it:
    a time limit that would end on a weekend or a holiday ends on the next working day."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, days: int) -> date:
    """The working day ``days`` working days after ``start`` (weekends and holidays not counted)."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            days -= 1
    return current
