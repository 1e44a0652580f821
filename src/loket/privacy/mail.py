"""Telling the person their access archive is ready: an inbox notice and, with their consent, an
e-mail (both through loket.notify, once per request); the download link itself is only on the
rights page, behind the login."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from loket.notify.actions import do_notify
from loket.notify.models import Notification
from loket.privacy.models import DataSubjectRequest


def notify_archive_ready(request: DataSubjectRequest) -> Notification | None:
    person = request.person
    with translation.override(person.preferred_language or "fr"):
        subject = _("The copy of your data is ready")
        body = "\n\n".join(
            [
                _("Hello %(name)s,") % {"name": person.display_name},
                _(
                    "The copy of all the data Loket holds about you is ready. Log in to Loket and "
                    "open “Your rights over your data” to download it. You can download it once, "
                    "within 7 days; after that it is deleted."
                ),
                _("This message was sent automatically; please do not reply to it."),
            ]
        )
    return do_notify(person, f"privacy-archive:{request.pk}", subject, body)
