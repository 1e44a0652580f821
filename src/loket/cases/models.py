"""Cases: what a submission becomes, handled by exactly one administration."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loket.core.i18n import guess_language, language_name
from loket.core.identifiers import format_enterprise_number
from loket.core.reference import administration_about

# The applicant may ask the administration to review its decision for this many days after it
# is notified; the decision document states the last day.
REVIEW_DAYS = 30


class Case(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        IN_PROGRESS = "in_progress", _("Being handled")
        INFORMATION_REQUESTED = "information_requested", _("Waiting for your information")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DELIVERED = "delivered", _("Delivered")
        REVIEW_REQUESTED = "review_requested", _("Review requested")
        AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online, by the applicant")
        HELPER = "helper", _("By a helper under a mandate")
        COUNTER = "counter", _("At a counter, by an agent")

    reference = models.CharField(max_length=20, unique=True)
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.PROTECT)
    definition_version = models.PositiveIntegerField()
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases"
    )
    administration = models.ForeignKey(
        "core.Administration", on_delete=models.PROTECT, related_name="cases"
    )
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.SUBMITTED)
    facts = models.JSONField(
        default=dict, help_text="Data read from authentic sources, by source and attribute."
    )
    answers = models.JSONField(default=dict, help_text="Data declared by the applicant.")
    declared_instead = models.JSONField(
        default=list,
        help_text="Sources whose data the applicant declared (register down/declined).",
    )
    language = models.CharField(max_length=2)
    idempotency_key = models.UUIDField()
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    due_on = models.DateField(
        null=True, help_text="Submission plus the handling time, paused time excluded."
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    anonymised_at = models.DateTimeField(
        null=True, blank=True, help_text="Personal data removed under the retention rule."
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who pressed submit, when not the applicant (a helper).",
    )
    channel = models.CharField(
        max_length=10,
        choices=Channel.choices,
        default=Channel.ONLINE,
        help_text="How the application came in: by the applicant, a helper, or a counter agent.",
    )
    attachments = models.ManyToManyField(
        "loket_forms.Attachment",
        through="CaseAttachment",
        blank=True,
        related_name="cases",  # at most one: CaseAttachment.attachment is unique
        related_query_name="case",
        help_text="The files of the case: uploaded in its form or sent with its messages.",
    )
    door = models.ForeignKey(
        "doors.Door",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The front door the application was started on: its e-mails and PDFs name it.",
    )
    counter_administration = models.ForeignKey(
        "core.Administration",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The administration at whose counter the application was entered.",
    )
    reply_received_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the applicant last wrote (an answer to a request for information, say) "
        "and no agent has opened the case since: the queue marks it.",
    )
    version = models.PositiveIntegerField(
        default=1,
        help_text="Raised by every action that writes the case: a writer that read an older "
        "version is refused instead of overwriting a change it has not seen (ETag in the API).",
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"], name="one_case_per_submission"
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def counter_line(self) -> str:
        """The line "Entered at the counter by NAME, ADMINISTRATION" in the active language, or
        "" for other channels: shown wherever the case is (receipt, back-office, My cases)."""
        if self.channel != self.Channel.COUNTER or self.submitted_by is None:
            return ""
        administration = self.counter_administration
        return str(
            _("Entered at the counter by %(name)s, %(administration)s")
            % {
                "name": self.submitted_by.display_name,
                "administration": administration.name if administration else "",
            }
        )

    @property
    def status_for_agent(self) -> str:
        """The status as a civil servant reads it (the labels speak to the applicant)."""
        return status_for_agent(self.status, self.procedure.delivers)

    @property
    def status_label(self) -> str:
        """The status as the applicant reads it, in the words of what the procedure delivers."""
        return status_label(self.status, self.procedure.delivers)

    @property
    def decision_outcome(self) -> str:
        """What was decided, as a sentence (the decision document, the notice)."""
        return decision_outcome(self.status, self.procedure.delivers)

    @property
    def gives_information(self) -> bool:
        """The procedure answers with information (urban-planning information), not a permit."""
        return self.procedure.delivers == INFORMATION

    @property
    def can_be_appealed(self) -> bool:
        """A decision that grants or refuses something can be reviewed and appealed; information
        provided is an answer, not a decision that can be contested."""
        return self.is_decided and not (
            self.gives_information and self.status == self.Status.APPROVED
        )

    @property
    def language_name(self) -> str:
        """The case's language, named in the active one: everything sent on the case is in it."""
        return language_name(self.language or "fr")

    @property
    def handler_about(self) -> str:
        """What the handling body is, in the active language, for a resident who does not know
        its name ("Paradigm" alone tells them nothing); "" for a municipality."""
        return administration_about(self.administration_id)

    @property
    def on_behalf_line(self) -> str:
        """The line "Sent by HELPER on behalf of APPLICANT" in the active language, or "" unless
        a helper sent it under a mandate: shown wherever the case is (receipt, notice, pages)."""
        if self.channel != self.Channel.HELPER or self.submitted_by is None:
            return ""
        return str(
            _("Sent by %(helper)s on behalf of %(person)s")
            % {"helper": self.submitted_by.display_name, "person": self.applicant.display_name}
        )

    @property
    def enterprise_line(self) -> str:
        """ "NAME (enterprise no. 0700.000.104)" when the application was made for an enterprise
        (its identity read from the enterprise register with the case), else "". The decision,
        its notice and the back-office name the enterprise as the addressee and the person as
        the one who applied for it."""
        identity = (self.facts.get("enterprise") or {}).get("identity")
        if not isinstance(identity, dict) or not identity.get("number"):
            return ""
        return str(
            _("%(name)s (enterprise no. %(number)s)")
            % {
                "name": identity.get("name") or "",
                "number": format_enterprise_number(str(identity["number"])),
            }
        )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_decided(self) -> bool:
        """Approved or rejected by a civil servant: the case has a decision document."""
        return self.status in (self.Status.APPROVED, self.Status.REJECTED)

    @property
    def review_until(self) -> date | None:
        """The last day the applicant may ask for a review of the decision (a "recours
        gracieux"), stated on the decision; None when the case has no decision."""
        if not self.can_be_appealed or self.decided_at is None:
            return None
        return timezone.localtime(self.decided_at).date() + timedelta(days=REVIEW_DAYS)

    @property
    def is_delivered(self) -> bool:
        """Closed by handing over what was asked for (a certificate), with no decision."""
        return self.status == self.Status.DELIVERED


# Status labels speak to the applicant; these are said differently to the civil servant.
AGENT_STATUS_LABELS = {
    Case.Status.INFORMATION_REQUESTED: _("Waiting for the applicant's information"),
}


# A procedure that answers with information (``Procedure.delivers``) does not approve: it
# provides the information asked for.
INFORMATION = "information"
DECISION_LABELS = {
    INFORMATION: {Case.Status.APPROVED: _("Information provided")},
}


# What a decision decides, as a whole sentence about the application: a status ("Accordé",
# "Refusé") cannot stand after "Décision :" in French, where "décision" is feminine, nor name
# what was granted. A procedure that answers with information says so.
DECISION_OUTCOMES = {
    "": {
        Case.Status.APPROVED: _("The application is approved."),
        Case.Status.REJECTED: _("The application is refused."),
    },
    INFORMATION: {
        Case.Status.APPROVED: _("The information asked for is provided."),
        Case.Status.REJECTED: _("The information asked for cannot be provided."),
    },
}


def decision_outcome(status: str, delivers: str = "") -> str:
    """The decision in a sentence, "" for a status that decides nothing."""
    outcomes = DECISION_OUTCOMES.get(delivers) or DECISION_OUTCOMES[""]
    label = outcomes.get(status)  # type: ignore[call-overload]
    return str(label) if label is not None else ""


def status_label(status: str, delivers: str = "") -> str:
    """A status in the applicant's words, those of a decision depending on what the procedure
    delivers."""
    label = DECISION_LABELS.get(delivers, {}).get(status)  # type: ignore[call-overload]
    return str(label) if label is not None else str(Case.Status(status).label)


def status_for_agent(status: str, delivers: str = "") -> str:
    label = AGENT_STATUS_LABELS.get(status)  # type: ignore[call-overload]
    return str(label) if label is not None else status_label(status, delivers)


OPEN_STATUSES = (
    Case.Status.AWAITING_PAYMENT,  # seen by the administration, handled once paid
    Case.Status.SUBMITTED,
    Case.Status.IN_PROGRESS,
    Case.Status.INFORMATION_REQUESTED,
    Case.Status.REVIEW_REQUESTED,
)


class CaseEventQuerySet(models.QuerySet["CaseEvent"]):
    def status_changes(self) -> CaseEventQuerySet:
        """The steps the applicant sees: assignments are the back-office's own business."""
        return self.filter(kind__in=(CaseEvent.Kind.STATUS, CaseEvent.Kind.REFERRAL))


class CaseAttachment(models.Model):
    """A file that belongs to a case: uploaded in its form or sent with one of its messages.

    The case's side holds the link, so forms (below cases) never names a case; a file belongs to
    at most one case, and goes when the case goes (see privacy.retention)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    attachment = models.OneToOneField(
        "loket_forms.Attachment", on_delete=models.CASCADE, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.attachment_id} of case {self.case_id}"


class CaseEvent(models.Model):
    """A step in the life of a case: a status reached or a referral to a civil servant (shown to
    the applicant and the agents), or an assignment (shown to the agents only)."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status")
        ASSIGNMENT = "assignment", _("Assignment")
        REFERRAL = "referral", _("Passed to a civil servant")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.STATUS)
    at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=30, choices=Case.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="For an assignment: to whom (empty: the case was left to nobody).",
    )
    note = models.TextField(blank=True)
    note_code = models.CharField(
        max_length=40, blank=True,
        help_text="What the note says, as a code rendered in the reader's language "
        "(cases.history); empty: the note is shown as written.",
    )  # fmt: skip
    note_params = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(
        null=True, help_text="The case's version this event produced (empty before versions)."
    )

    objects = CaseEventQuerySet.as_manager()
    # Set by ``cases.history.history``: the event changes no status (the status is not repeated).
    repeats_status = False

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status}"

    @property
    def status_for_agent(self) -> str:
        return status_for_agent(self.status, self.case.procedure.delivers)

    @property
    def status_label(self) -> str:
        return status_label(self.status, self.case.procedure.delivers)

    @property
    def text(self) -> str:
        """The note in the reader's (active) language when it was written as a code."""
        from loket.cases.history import note_text  # the registry of codes imports this module

        return note_text(self)

    @property
    def text_language(self) -> str:
        """The language :attr:`text` is in, when it is not the reader's (``lang``)."""
        from loket.cases.history import note_language

        return note_language(self)


class CaseMessage(models.Model):
    """A message between the applicant and the administration, with attachments."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_applicant = models.BooleanField()
    body = models.TextField()
    attachments = models.ManyToManyField("loket_forms.Attachment", blank=True)
    requests_information = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(
        null=True, help_text="The case's version this message produced (empty before versions)."
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"message on {self.case_id}"

    @property
    def text_language(self) -> str:
        """The language :attr:`body` is written in, for a page to mark it (``lang``), so that
        a Dutch message on a French page is read, and typeset, as Dutch: the case's for the
        administration's (checked when sent), as far as it can be told for the applicant's."""
        if not self.from_applicant:
            return self.case.language or ""
        return guess_language(self.body) or ""


class CaseNote(models.Model):
    """A note between colleagues on a case: never shown to the applicant, never notified."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"note on {self.case_id}"


class DecisionDocument(models.Model):
    """A decision as a legal act: its PDF sealed with the administration's seal, stored once by
    the worker after the decision (``cases.decision_documents``), then served as it is. A case
    reviewed after a request for review has one per decision, each kept."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decision_documents")
    decided_at = models.DateTimeField(
        null=True, help_text="The decision this document records (the case's decided_at then)."
    )
    sha256 = models.CharField(max_length=64, db_index=True, help_text="Of the sealed PDF.")
    file = models.FileField(upload_to="decisions/%Y/%m/")
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "decided_at"], name="one_document_per_decision")
        ]

    def __str__(self) -> str:
        return f"decision on {self.case_id}"
