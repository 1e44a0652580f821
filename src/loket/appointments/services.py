"""The words of the domain: kinds of places, services, languages, and which services are booked.

Kept apart from the models so that the importer, the forms and the finder share one list.
"""

from __future__ import annotations

from typing import Final

from django.utils.translation import gettext_lazy as _

SERVICES: Final = {
    "digital-help": _("Help with digital procedures"),
    "identity-card": _("Identity card"),
    "computer-access": _("Computer and internet access"),
    "printing": _("Printing and scanning"),
    "digital-skills": _("Digital skills courses"),
}
LANGUAGES: Final = {
    "fr": _("French"),
    "nl": _("Dutch"),
    "en": _("English"),
    "de": _("German"),
    "ar": _("Arabic"),
    "tr": _("Turkish"),
    "es": _("Spanish"),
    "pt": _("Portuguese"),
    "ro": _("Romanian"),
    "pl": _("Polish"),
}
WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES: Final = (
    _("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"),
    _("Sunday"),
)  # fmt: skip

# A service that can be booked here is booked for one procedure of the catalogue.
BOOKABLE: Final = {
    "digital-help": "digital-help-appointment",
    "identity-card": "identity-card-appointment",
}
# Booked without an account too (name and phone or e-mail): the people who need help with eID
# and itsme cannot be asked to log in with them first.
GUEST_BOOKABLE: Final = frozenset({"digital-help"})
PROCEDURE_SERVICE: Final = {procedure: service for service, procedure in BOOKABLE.items()}
