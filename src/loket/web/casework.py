"""Forms shared by the applicant's and the agent's case pages: messages and decisions, with
attachments."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from loket.cases.actions import DECISIONS, REASONS_REQUIRED, REVIEW_REASONS_REQUIRED
from loket.cases.models import INFORMATION, Case
from loket.cases.motivations import motivation_models
from loket.core.i18n import language_name
from loket.core.models import User
from loket.forms.models import Attachment
from loket.forms.uploads import check_upload, store_upload

MAX_MB = 10


class WithAttachment(forms.Form):
    accepted_kinds = ["pdf", "jpeg", "png"]
    attachment = forms.FileField(
        label=_("Attach a document (optional)"),
        help_text=_("PDF, JPEG or PNG, at most 10 MB."),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def stored_attachments(self, owner: User) -> list[Attachment]:
        """Check and store the attached file; adds a field error and returns [] if refused."""
        upload = self.cleaned_data.get("attachment")
        if not isinstance(upload, UploadedFile):
            return []
        try:
            kind = check_upload(upload, self.accepted_kinds, MAX_MB)
            return [store_upload(upload, kind, owner)]
        except ValidationError as problem:
            self.add_error("attachment", problem)
        except OSError:
            self.add_error("attachment", _("The file could not be stored right now; try again."))
        return []


class MessageForm(WithAttachment):
    """A message on a case; from the administration (``language``: the case's), it is named
    beside the box, as the applicant receives the message in it."""

    body = forms.CharField(
        label=_("Your message"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write your message.")},
    )
    field_order = ["body", "attachment"]

    def __init__(self, *args: Any, language: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if language:
            self.fields["body"].help_text = _(
                "Language of this case: %(language)s. Write the message in that language: the "
                "applicant receives it in it."
            ) % {"language": language_name(language)}


class ReviewForm(WithAttachment):
    """The applicant asks the administration to review its decision, saying why."""

    body = forms.CharField(
        label=_("Why should the decision be reviewed?"),
        help_text=_(
            "Say what you think is wrong in the decision, and add any document that shows it."
        ),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": REVIEW_REASONS_REQUIRED},
    )
    field_order = ["body", "attachment"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_review_%s")  # beside the message form on the case page
        super().__init__(*args, **kwargs)


class DecisionForm(WithAttachment):
    """The decision (approve or refuse, nothing else), its reasons in the case's language (sent
    to the applicant as the decision's message and printed in the decision), a model text to start
    from, and the agent's own PDF attached to the decision, as the API's decision takes them.
    ``kept`` carries a PDF already stored from the preview back to the confirmation."""

    status = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the decision: approve or refuse.")},
    )
    model = forms.ChoiceField(label=_("Start from a model text (optional)"), required=False)
    note = forms.CharField(
        label=_("Reasons for the decision (motivation)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    attachment = forms.FileField(
        label=_("Attach your own document to the decision (optional)"),
        help_text=_("PDF, at most 10 MB. The applicant receives it with the decision."),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
    kept = forms.UUIDField(required=False, widget=forms.HiddenInput)
    field_order = ["status", "model", "note", "attachment", "kept"]
    accepted_kinds = ["pdf"]

    def __init__(
        self, *args: Any, allowed: set[str], procedure_id: str = "", language: str = "",
        delivers: str = "", **kwargs: Any,
    ) -> None:  # fmt: skip
        kwargs.setdefault("auto_id", "id_decision_%s")  # the message form has an attachment too
        super().__init__(*args, **kwargs)
        # A request for information is answered (or not), not approved or refused.
        if delivers == INFORMATION:
            labels = {
                Case.Status.APPROVED: _("Provide the information"),
                Case.Status.REJECTED: _("Say the information cannot be provided"),
            }
        else:
            labels = {Case.Status.APPROVED: _("Approve"), Case.Status.REJECTED: _("Refuse")}
        choices = [(s.value, labels[s]) for s in DECISIONS if s in allowed]
        self.fields["status"].choices = choices  # type: ignore[attr-defined]
        models = (
            motivation_models(procedure_id, language, delivers=delivers) if procedure_id else []
        )
        self.fields["model"].choices = [("", _("No model text"))] + [  # type: ignore[attr-defined]
            (str(labels[decision]), [(m.key, m.title) for m in models if m.decision == decision])
            for decision in DECISIONS
            if any(m.decision == decision for m in models)
        ]
        if language:
            self.fields["note"].help_text = _(
                "Language of this case: %(language)s. Write the reasons in that language: the "
                "whole decision is sent in it. Required for a refusal."
            ) % {"language": language_name(language)}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        note = cleaned.get("note", "").strip()
        if cleaned.get("status") == Case.Status.REJECTED and not note:
            self.add_error("note", str(REASONS_REQUIRED))
        if PLACEHOLDER.search(note):
            self.add_error(
                "note", _("Replace the parts in square brackets with this case's details.")
            )
        return cleaned

    def stored_attachments(self, owner: User) -> list[Attachment]:
        """The PDF attached now, or the one kept from the preview (the agent's, not yet part of
        any case); adds a field error when the kept one is gone."""
        stored = super().stored_attachments(owner)
        kept = self.cleaned_data.get("kept")
        if stored or not kept or self.has_error("attachment"):
            return stored
        found = Attachment.objects.filter(pk=kept, owner=owner, case__isnull=True).first()
        if found is None:
            self.add_error("attachment", _("The document you attached is no longer available: "
                                           "attach it again."))  # fmt: skip
            return []
        return [found]


PLACEHOLDER = re.compile(r"\[[^\]\n]{1,60}\]")
