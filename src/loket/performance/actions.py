"""Recording an answer to the feedback question: anonymous, rate-limited per client address."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from loket.catalog.models import Procedure
from loket.core.ratelimit import hit
from loket.doors.models import Door
from loket.performance.models import Feedback

RATE_LIMIT = "LOKET_FEEDBACK_RATE_LIMIT"
MAX_TEXT = 1000


class FeedbackRefused(Exception):
    """Too many answers from the same address in a short time."""


def do_record_feedback(
    procedure: Procedure,
    door: Door | None,
    score: int,
    text: str,
    channel: str,
    language: str,
    client: str,
) -> Feedback:
    """Keep the answer with nothing that points to the person: no user, no case, no address,
    the day only. ``client`` counts against ``LOKET_FEEDBACK_RATE_LIMIT`` and is not stored."""
    if hit(f"feedback:{client}", RATE_LIMIT) is not None:
        raise FeedbackRefused(
            _("Too many answers were sent from here in a short time. Please try again later.")
        )
    return Feedback.objects.create(
        procedure=procedure,
        door=door,
        score=score,
        text=text.strip()[:MAX_TEXT],
        channel=channel,
        language=language[:2],
        day=timezone.localdate(),
    )
