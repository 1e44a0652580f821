"""Forms shared by the applicant's and the agent's case pages: messages and decisions, with
attachments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from loket.cases.actions import REASONS_REQUIRED, REVIEW_REASONS_REQUIRED
from loket.cases.models import Case
from loket.core.models import User
from loket.forms.models import Attachment
from loket.forms.uploads import check_upload, store_upload

MAX_MB = 10


class WithAttachment(forms.Form):
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
            kind = check_upload(upload, ["pdf", "jpeg", "png"], MAX_MB)
            return [store_upload(upload, kind, owner)]
        except ValidationError as problem:
            self.add_error("attachment", problem)
        except OSError:
            self.add_error("attachment", _("The file could not be stored right now; try again."))
        return []


class MessageForm(WithAttachment):
    body = forms.CharField(
        label=_("Your message"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write your message.")},
    )
    field_order = ["body", "attachment"]


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
    """The decision, its reasons (sent to the applicant as the decision's message) and its
    document, as the API's decision takes them."""

    status = forms.ChoiceField(
        label=_("New status"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the new status.")},
    )
    note = forms.CharField(
        label=_("Message to the applicant (reasons, conditions)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    field_order = ["status", "note", "attachment"]

    def __init__(self, *args: Any, allowed: set[str], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_decision_%s")  # the message form has an attachment too
        super().__init__(*args, **kwargs)
        choices = [(s.value, s.label) for s in Case.Status if s in allowed]
        self.fields["status"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        decision = cleaned.get("status") in (Case.Status.APPROVED, Case.Status.REJECTED)
        if cleaned.get("attachment") and not decision:
            self.add_error("attachment", _("Attach a document only to a decision."))
        if cleaned.get("status") == Case.Status.REJECTED and not cleaned.get("note", "").strip():
            self.add_error("note", str(REASONS_REQUIRED))
        return cleaned
