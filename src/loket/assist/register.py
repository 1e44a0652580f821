"""The assistant's entry in the register of processing (GDPR Art. 30), declared to the privacy
app at start-up (``privacy.register.register_processing``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from loket.privacy.register import SECURITY_MEASURES, Processing


def processing_entry() -> Processing:
    return Processing(
        procedure_id="algorithm-incident-suggestions",
        name=_("Suggesting the kind of a report in public space from its description"),
        controller=_("Brussels Mobility, for the Brussels-Capital Region"),
        purposes=[
            _(
                "Suggesting to the resident the category of their report and who will handle it; "
                "the resident confirms or chooses another"
            ),
            _("Improving the suggestions from the categories civil servants confirmed"),
        ],
        legal_bases=[
            _("Public task (GDPR art. 6(1)(e)): the management of public roads and spaces")
        ],
        data_from_applicant=[
            _("The description of the problem, as typed"),
            _("The category chosen by the resident and, if changed, by the civil servant"),
        ],
        data_subjects=[_("People who report a problem in public space")],
        recipients=[_("The administration that handles the report")],
        retention=_(
            "The description stays in the report and follows its retention. A text is kept for "
            "training only once names, numbers, e-mail addresses and plates are removed. A "
            "suggestion record (model version, categories, confidence, what was chosen) holds "
            "no text and follows the report."
        ),
        security=[
            *(str(measure) for measure in SECURITY_MEASURES),
            _("The model runs on the platform: no text is sent to another service"),
        ],
    )
