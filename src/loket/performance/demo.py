"""Demo journeys and answers, so that the back-office and the public page "Performance of our
services" show real figures on first start: what the counters would hold after three months of
use of a few procedures on the three demo doors (never made in production)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone

from loket.catalog.models import Procedure
from loket.doors.models import Door
from loket.forms.definitions import get_definition
from loket.performance.models import Channel, Feedback, JourneyDay

MONTHS = 3
DAYS_PER_MONTH = 6
COMMENTS = {
    "fr": [
        "Je ne savais pas quel document joindre.",
        "Il manquait une explication sur le délai.",
        "Très clair, merci.",
        "Le choix du véhicule n'était pas évident.",
    ],
    "nl": [
        "Ik wist niet welk document ik moest toevoegen.",
        "Er ontbrak uitleg over de termijn.",
        "Heel duidelijk, bedankt.",
    ],
    "en": ["I could not find where to add a second vehicle.", "Clear and quick."],
}
LANGUAGES = ("fr", "fr", "fr", "nl", "nl", "en")
SCORES = (5, 5, 5, 4, 4, 4, 4, 3, 3, 2, 1)


def _procedures() -> list[tuple[Procedure, list[str]]]:
    """A few regional procedures on every door, a few municipal ones on the municipalities'
    doors: (procedure, the page ids of its form)."""
    chosen: list[tuple[Procedure, list[str]]] = []
    for municipal, wanted in ((False, 3), (True, 3)):
        kind = Procedure.Owner.MUNICIPALITY
        candidates = Procedure.objects.filter(audience="citizen").order_by("position")
        candidates = (
            candidates.filter(owner_kind=kind) if municipal else candidates.exclude(owner_kind=kind)
        )
        found = 0
        for procedure in candidates:
            definition = get_definition(procedure.id)
            if definition is None or found == wanted:
                continue
            chosen.append((procedure, [page.id for page in definition.pages]))
            found += 1
    return chosen


def _days(today: date, rng: random.Random) -> list[date]:
    """A few days in each of the last complete months, and two in the current one."""
    starts = [today.replace(day=1)]
    for _n in range(MONTHS):
        starts.append((starts[-1] - timedelta(days=1)).replace(day=1))
    current, *past = starts
    days = [
        start + timedelta(days=rng.randrange(28)) for start in past for _n in range(DAYS_PER_MONTH)
    ]
    if today.day > 1:
        days += [current + timedelta(days=rng.randrange(today.day - 1)) for _n in range(2)]
    return sorted(days)


def _journeys(
    procedure: Procedure, pages: list[str], door: Door, day: date, rng: random.Random
) -> list[JourneyDay]:
    started = rng.randint(3, 9)
    sent = round(started * rng.uniform(0.55, 0.9))
    rows = [JourneyDay(procedure=procedure, door=door, day=day, event="started", count=started)]
    for _n in range(sent):
        minutes = max(1, round(rng.lognormvariate(2.3, 0.6)))
        rows.append(JourneyDay(procedure=procedure, door=door, day=day, event="sent",
                               minutes=minutes, count=1))  # fmt: skip
    for _n in range(started - sent):
        page = rng.choice(["", *pages, pages[-1]]) if pages else ""
        rows.append(JourneyDay(procedure=procedure, door=door, day=day, event="stopped",
                               page=page, count=1))  # fmt: skip
    return rows


def _answers(procedure: Procedure, door: Door, day: date, rng: random.Random) -> list[Feedback]:
    answers = []
    for _n in range(rng.randint(1, 4)):
        language = rng.choice(LANGUAGES)
        text = rng.choice(COMMENTS[language]) if rng.random() < 0.3 else ""
        channel = Channel.AFTER_APPLICATION if rng.random() < 0.7 else Channel.PROCEDURE_PAGE
        answers.append(Feedback(procedure=procedure, door=door, day=day, language=language,
                                score=rng.choice(SCORES), text=text, channel=channel))  # fmt: skip
    return answers


def seed_demo_journeys(seed: int = 18) -> int:
    """Counters and answers over the last three months and this one; nothing when some are
    there already. Returns the number of journeys started."""
    today = timezone.localdate()
    if JourneyDay.objects.filter(day__lt=today.replace(day=1)).exists():
        return 0
    rng = random.Random(seed)
    doors = {door.id: door for door in Door.objects.all()}
    if not doors:
        return 0
    municipal_doors = [d for d in doors.values() if not d.is_regional]
    rows: list[JourneyDay] = []
    answers: list[Feedback] = []
    for procedure, pages in _procedures():
        for door in municipal_doors if procedure.is_municipal else list(doors.values()):
            for day in _days(today, rng):
                rows.extend(_journeys(procedure, pages, door, day, rng))
                answers.extend(_answers(procedure, door, day, rng))
    JourneyDay.objects.bulk_create(rows)
    Feedback.objects.bulk_create(answers)
    return sum(row.count for row in rows if row.event == "started")
