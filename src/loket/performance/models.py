"""What the performance of a procedure is measured from: anonymous counters of journeys and
the answers to the feedback question. Neither holds a user, a case, an address or a time of
day: a procedure, the door it came through, a day, and what happened."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    AFTER_APPLICATION = "after-application", _("After sending an application")
    PROCEDURE_PAGE = "procedure-page", _("On the procedure page")


# Each channel asks its own question on the same scale, 5 the best answer and 1 the worst: the
# procedure page, before anyone has started, whether they found what they needed; the page after
# sending, whether it was easy. Only the second is published (open data's ``mean_score``).
QUESTIONS = {
    Channel.AFTER_APPLICATION: _("Was it easy?"),
    Channel.PROCEDURE_PAGE: _("Did you find what you needed?"),
}
ANSWERS = {
    Channel.AFTER_APPLICATION: {
        5: _("Very easy"), 4: _("Easy"), 3: _("Neither easy nor difficult"),
        2: _("Difficult"), 1: _("Very difficult"),
    },
    Channel.PROCEDURE_PAGE: {
        5: _("Yes, all of it"), 4: _("Most of it"), 3: _("Part of it"),
        2: _("Very little"), 1: _("No, nothing"),
    },
}  # fmt: skip


class Feedback(models.Model):
    """One answer to the channel's question (``QUESTIONS``, 1 the worst … 5 the best) and "What
    was missing?". The text is for the administration only; it is never shown in public, and is
    deleted after ``KEEP_COMMENTS`` (``performance.actions.forget_old_comments``)."""

    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.CASCADE, related_name="+")
    door = models.ForeignKey(
        "doors.Door", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=2)
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 very difficult … 5 very easy.",
    )
    text = models.TextField(blank=True, max_length=1000)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    day = models.DateField(help_text="The day it was given (Brussels), never the time.")

    class Meta:
        indexes = [models.Index(fields=["procedure", "day"])]

    def __str__(self) -> str:
        return f"feedback {self.procedure_id} {self.day} {self.score}"

    @property
    def answer_label(self) -> str:
        answers = ANSWERS.get(Channel(self.channel)) if self.channel in Channel.values else None
        return str(answers[self.score]) if answers and self.score in answers else str(self.score)


class JourneyDay(models.Model):
    """How many journeys of a procedure, through a door, started, were sent or stopped on a
    day: counted when a draft is started and when it is deleted (sent, thrown away, or removed
    under its retention rule), so that the figures outlive the drafts."""

    class Event(models.TextChoices):
        STARTED = "started", _("started")
        SENT = "sent", _("sent")
        STOPPED = "stopped", _("stopped without sending")

    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.CASCADE, related_name="+")
    door = models.ForeignKey(
        "doors.Door", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    day = models.DateField()
    event = models.CharField(max_length=10, choices=Event.choices)
    page = models.CharField(
        max_length=60, blank=True, help_text="Stopped: the last page answered ('' none)."
    )
    minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Sent: whole minutes from start to sending."
    )
    count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["procedure", "day", "event"])]

    def __str__(self) -> str:
        return f"{self.procedure_id} {self.day} {self.event} {self.page} x{self.count}"
