"""How sources and their attributes are named to people (translated)."""

from __future__ import annotations

from functools import cache

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from loket.core.i18n import pick
from loket.core.reference import authentic_sources

ATTRIBUTE_LABELS: dict[str, Promise] = {
    "population.identity": _("your identity: name, date of birth, national number"),
    "population.address": _("your main address"),
    "population.address_history": _("your previous addresses"),
    "population.household": _("the members of your household"),
    "population.nationality": _("your nationality"),
    "population.civil_status": _("your civil status"),
    "vehicle.registrations": _("the vehicles registered in your name"),
    "enterprise.identity": _("your enterprise: name, number, legal form, address"),
    "enterprise.establishments": _("the establishments of your enterprise"),
    "enterprise.mandataries": _("who may act for your enterprise"),
    "social.increased_allowance": _("whether you receive the increased allowance (BIM)"),
    "address.address_point": _("the official address point"),
    "address.street": _("the official street name"),
    "address.municipality": _("the municipality of the address"),
    "case.file": _("your case file"),
    "case.receipt": _("the receipt of your application"),
    "case.certificate": _("your certificate"),
    "case.decision": _("the decision on your application"),
}


# The same data named to a civil servant handling someone's case.
APPLICANT_ATTRIBUTE_LABELS: dict[str, Promise] = {
    "population.identity": _("the applicant's identity: name, date of birth, national number"),
    "population.address": _("the applicant's main address"),
    "population.address_history": _("the applicant's previous addresses"),
    "population.household": _("the members of the applicant's household"),
    "population.nationality": _("the applicant's nationality"),
    "population.civil_status": _("the applicant's civil status"),
    "vehicle.registrations": _("the vehicles registered in the applicant's name"),
    "enterprise.identity": _("the applicant's enterprise: name, number, legal form, address"),
    "enterprise.establishments": _("the establishments of the applicant's enterprise"),
    "enterprise.mandataries": _("who may act for the applicant's enterprise"),
    "social.increased_allowance": _("whether the applicant receives the increased allowance (BIM)"),
    "case.file": _("the applicant's case file"),
}


# The same data named to a helper acting for someone under a mandate: it is not theirs, and the
# label says whose it is ("identity of Marie Dupont"). ``%(name)s`` is the principal's name.
PRINCIPAL_ATTRIBUTE_LABELS: dict[str, Promise] = {
    "population.identity": _("identity of %(name)s: name, date of birth, national number"),
    "population.address": _("main address of %(name)s"),
    "population.address_history": _("previous addresses of %(name)s"),
    "population.household": _("members of the household of %(name)s"),
    "population.nationality": _("nationality of %(name)s"),
    "population.civil_status": _("civil status of %(name)s"),
    "vehicle.registrations": _("vehicles registered in the name of %(name)s"),
    "enterprise.identity": _("enterprise of %(name)s: name, number, legal form, address"),
    "enterprise.establishments": _("establishments of the enterprise of %(name)s"),
    "enterprise.mandataries": _("who may act for the enterprise of %(name)s"),
    "social.increased_allowance": _("whether %(name)s receives the increased allowance (BIM)"),
}


@cache
def _sources() -> dict[str, dict[str, object]]:
    return authentic_sources()


def source_name(source_id: str) -> str:
    names = _sources().get(source_id, {})
    return pick({k: str(v) for k, v in names.items() if k in ("fr", "nl", "en")}) or source_id


def attribute_label(attribute: str, about_applicant: bool = False, principal: str = "") -> str:
    """The data named to the person it is about, or (``about_applicant``) to the civil servant
    handling their case, or to a helper acting for ``principal`` (their name)."""
    if principal and attribute in PRINCIPAL_ATTRIBUTE_LABELS:
        return str(PRINCIPAL_ATTRIBUTE_LABELS[attribute]) % {"name": principal}
    label = (APPLICANT_ATTRIBUTE_LABELS if about_applicant else {}).get(attribute)
    label = label or ATTRIBUTE_LABELS.get(attribute)
    return str(label) if label is not None else attribute


# Who corrects wrong data in each register: a correction request is routed to them.
REGISTER_KEEPERS: dict[str, Promise] = {
    "population": _(
        "the population service of your municipality, which keeps your data in the National "
        "Register"
    ),
    "vehicle": _("the Vehicle Registration Service (DIV) of the FPS Mobility"),
    "enterprise": _("the Crossroads Bank for Enterprises (FPS Economy), via an enterprise counter"),
    "social": _("your health insurance fund, which reports your status to the social security"),
}


def register_keeper(source_id: str) -> str:
    keeper = REGISTER_KEEPERS.get(source_id)
    return str(keeper) if keeper is not None else ""
