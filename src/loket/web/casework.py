"""Forms shared by the applicant's and the agent's case pages: messages with attachments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from loket.cases.models import Case
from loket.core.models import User
from loket.forms.models import Attachment
from loket.forms.uploads import check_upload, store_upload

MAX_MB = 10


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write your message.")},
    )
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


class DecisionForm(forms.Form):
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

    def __init__(self, *args: Any, allowed: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(s.value, s.label) for s in Case.Status if s in allowed]
        self.fields["status"].choices = choices  # type: ignore[attr-defined]


def attachment_visible_to(attachment: Attachment, user: User, agent_admins: list[str]) -> bool:
    """The uploader, the applicant of the case, or an agent of the case's administration."""
    if attachment.owner_id == user.pk:
        return True
    case = attachment.cases.first()  # at most one
    if case is None:
        return False
    return case.applicant_id == user.pk or case.administration_id in agent_admins
