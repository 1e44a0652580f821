"""Which mandates exist for whom, what a helper may see of a principal, and the check the one
door asks before a helper reads data.

The ``get_*`` and ``principal_*`` functions decide who may see a mandate or a principal's cases
and drafts: anyone else gets 404 (the same as for nothing at all), and the attempt is logged.
"""

from __future__ import annotations

from typing import NoReturn

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from loket.audit.actions import do_record_security_event
from loket.audit.subjects import person_pseudonym
from loket.cases.models import Case
from loket.cases.references import normalise_reference
from loket.core.models import User, national_number_index
from loket.forms.models import Draft
from loket.mandates.models import Mandate
from loket.sources.base import Actor, Subject


def mandates_given_by(user: User) -> QuerySet[Mandate]:
    return Mandate.objects.filter(grantor=user).select_related("helper")


def mandates_held_by(user: User) -> QuerySet[Mandate]:
    """The mandates naming this user as helper (linked, or waiting for their national number)
    that are valid today: the principals they may act for now."""
    today = timezone.localdate()
    return (
        _held(user)
        .filter(revoked_at__isnull=True, starts_on__lte=today, ends_on__gte=today)
        .select_related("grantor")
    )


def mandate_held_by(user: User, mandate_id: int) -> Mandate | None:
    """One mandate naming this user as helper, whatever its state (it may have been revoked)."""
    return _held(user).select_related("grantor").filter(pk=mandate_id).first()


def _held(user: User) -> QuerySet[Mandate]:
    return _held_by(user.pk, _helper_index(user))


def _helper_index(user: User) -> str | None:
    return national_number_index(user.national_number) if user.national_number else None


def _held_by(user_id: int, helper_index: str | None) -> QuerySet[Mandate]:
    """The mandates naming the user ``user_id`` as helper, in any state: linked to the account,
    or waiting for the national number whose blind index is ``helper_index`` (None: the
    account has no national number)."""
    if helper_index is None:
        return Mandate.objects.filter(helper_id=user_id)
    return Mandate.objects.filter(
        Q(helper_id=user_id) | Q(helper__isnull=True, helper_national_number_index=helper_index)
    )


def mandate_allows(actor: Actor, subject: Subject, procedure_id: str) -> bool:
    """True if a mandate valid today lets ``actor`` read ``subject``'s data for the procedure.

    Registered with ``sources.door`` (see ``apps.py``): the door calls it for every helper.
    """
    helper = User.objects.filter(pk=actor.user_id).first()
    if helper is None or not actor.national_number:
        return False
    if helper.national_number != actor.national_number or actor.acting_for != subject.identifier:
        return False
    principal = (
        Q(enterprise_number=subject.identifier)
        if subject.kind == "enterprise"
        else Q(
            enterprise_number="",
            grantor__national_number_index=national_number_index(subject.identifier),
        )
    )
    return any(
        mandate.covers(procedure_id) for mandate in mandates_held_by(helper).filter(principal)
    )


def cases_submitted_for(user: User) -> QuerySet[Case]:
    """The principal's cases that a helper submitted for them."""
    return (
        Case.objects.filter(applicant=user, submitted_by__isnull=False)
        .select_related("procedure", "submitted_by")
        .order_by("-submitted_at")
    )


def helper_mandates(user: User) -> QuerySet[Mandate]:
    """Every mandate naming this user as helper, in any state, counter sessions left out: the
    helper's dashboard shows the valid ones and, apart, the expired and revoked ones."""
    return helping(user.pk, _helper_index(user)).select_related("grantor")


def helping(user_id: int, helper_index: str | None) -> QuerySet[Mandate]:
    """``helper_mandates`` from plain values (for a query compiled once: core.prepared)."""
    return _held_by(user_id, helper_index).exclude(kind="counter")


def _refuse(user: User, mandate_id: int | None) -> NoReturn:
    do_record_security_event("mandate-refused", actor_pseudonym=person_pseudonym(user),
                             user_id=user.pk, mandate=mandate_id)  # fmt: skip
    raise Http404


def get_mandate_given_by(grantor: User, mandate_id: int) -> Mandate:
    """A mandate this user gave (to revoke it), or 404, logged."""
    mandate = mandates_given_by(grantor).filter(pk=mandate_id).first()
    if mandate is None:
        _refuse(grantor, mandate_id)
    return mandate


def get_mandate_held_by(helper: User, mandate_id: int) -> Mandate:
    """A mandate valid today that names this user as helper (to act under it; counter sessions
    are started at the counter, not here), or 404, logged."""
    mandate = mandates_held_by(helper).exclude(kind="counter").filter(pk=mandate_id).first()
    if mandate is None:
        _refuse(helper, mandate_id)
    return mandate


def _covered(helper: User, mandate: Mandate) -> tuple[User, Q]:
    """The principal and the procedures the mandate covers, if it lets ``helper`` see them
    today; else 404, logged."""
    held = mandates_held_by(helper).filter(pk=mandate.pk).first()
    if held is None:
        _refuse(helper, mandate.pk)
    covered = Q(procedure_id__in=held.procedure_ids) if held.procedure_ids else Q()
    return held.grantor, covered


def principal_cases_for(helper: User, mandate: Mandate) -> QuerySet[Case]:
    """The principal's cases that the helper may follow: those of the procedures the mandate
    covers, while it is valid."""
    principal, covered = _covered(helper, mandate)
    return Case.objects.filter(covered, applicant=principal).select_related("procedure")


def principal_drafts_for(helper: User, mandate: Mandate) -> QuerySet[Draft]:
    """The principal's drafts in the procedures the mandate covers, while it is valid."""
    principal, covered = _covered(helper, mandate)
    return Draft.objects.in_progress().filter(covered, user=principal).select_related("procedure")


def get_principal_case_for(helper: User, mandate_id: int, reference: str) -> Case:
    """One case of the principal that the helper may follow under this mandate valid today
    (within the procedures it covers), or 404, logged."""
    mandate = mandate_held_by(helper, mandate_id)
    if mandate is None:
        _refuse(helper, mandate_id)
    case = (
        principal_cases_for(helper, mandate)
        .select_related("administration", "submitted_by")
        .filter(reference=normalise_reference(reference) or "-")
        .first()
    )
    if case is None:
        _refuse(helper, mandate_id)
    return case
