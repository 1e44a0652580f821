"""Recording an answer to a feedback question: anonymous, rate-limited per browser session and
procedure, with a higher ceiling per client address; and forgetting comments after a year."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from loket.catalog.models import Procedure
from loket.core.ratelimit import hit
from loket.doors.models import Door
from loket.performance.models import Feedback
from loket.tasks.queue import every, handler

RATE_LIMIT = "LOKET_FEEDBACK_RATE_LIMIT"
SESSION_RATE_LIMIT = "LOKET_FEEDBACK_SESSION_RATE_LIMIT"
MAX_TEXT = 1000
# The comments (what people wrote) are deleted after this; the scores stay, they say nothing.
KEEP_COMMENTS = timedelta(days=365)
FORGET_COMMENTS_TASK = "performance.comments-forget"


class FeedbackRefused(Exception):
    """Too many answers from the same session, or the same address, in a short time."""


def do_record_feedback(
    procedure: Procedure,
    door: Door | None,
    score: int,
    text: str,
    channel: str,
    language: str,
    client: str,
    session: str = "",
) -> Feedback:
    """Keep the answer with nothing that points to the person: no user, no case, no address,
    the day only. ``session`` (the browser session's key) counts against
    ``LOKET_FEEDBACK_SESSION_RATE_LIMIT`` for this procedure, ``client`` (the address, shared by
    every computer of a help point) against the higher ``LOKET_FEEDBACK_RATE_LIMIT``; neither is
    stored."""
    over_session = bool(session) and (
        hit(f"feedback:session:{session}:{procedure.id}", SESSION_RATE_LIMIT) is not None
    )
    if over_session or hit(f"feedback:{client}", RATE_LIMIT) is not None:
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


@handler(FORGET_COMMENTS_TASK)
def forget_old_comments(payload: dict[str, Any]) -> None:
    """Daily: empty the comments given more than ``KEEP_COMMENTS`` ago (the answer's score and
    day stay, for the figures)."""
    before = timezone.localdate() - KEEP_COMMENTS
    Feedback.objects.filter(day__lt=before).exclude(text="").update(text="")


every(FORGET_COMMENTS_TASK, timedelta(days=1))
