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
# An identity card too: a person whose eID is lost or stolen has nothing to log in with.
GUEST_BOOKABLE: Final = frozenset({"digital-help", "identity-card"})
# Said on the confirmation page, in the mail and on the procedure page.
WHAT_TO_BRING: Final = {
    "digital-help": [
        _("The device you need help with (smartphone, tablet or laptop) and its charger."),
        _("The letters or documents of the procedure you want to do."),
        _("Your identity card if you have one (no PIN code written down)."),
    ],
    "identity-card": [
        _("Your current identity card, if you still have it."),
        _("After a loss or theft: the number of your declaration to the police."),
        _("A recent passport photo, if the municipality does not have your digital photo."),
        _("The fee for the card (about €25), paid at the counter."),
    ],
}
PROCEDURE_SERVICE: Final = {procedure: service for service, procedure in BOOKABLE.items()}
