"""Reads of fees and payments, scoped to who asks."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import formats

from loket.cases.actions import CannotSubmit, handling_administration
from loket.cases.models import Case
from loket.cases.notices import PAYMENT_DUE
from loket.catalog.models import Procedure
from loket.core.models import User
from loket.forms.definitions import get_definition
from loket.forms.models import Draft
from loket.notify.models import Notification
from loket.payments import epc
from loket.payments.actions import other_cases
from loket.payments.expiry import pay_by
from loket.payments.fees import Fee, charged_procedures, fee_for
from loket.payments.models import PROVIDER_LABELS, CaseFee, MerchantAccount, Payment, Refund
from loket.payments.providers import offered_for


def fee_of(case: Case) -> CaseFee | None:
    fee = CaseFee.objects.filter(case=case).select_related("paid_by").first()
    if fee is not None:
        fee.case = case  # known already: no second read (the last day to pay reads it)
    return fee


def payments_of(case: Case) -> QuerySet[Payment]:
    """The case's payments, each with the bank lines that brought money (a transfer made twice
    shows twice)."""
    return Payment.objects.filter(case=case).prefetch_related("statement_lines")


def fee_paid_elsewhere(procedure: Procedure) -> Decimal | None:
    """The catalogue's amount of a procedure whose fee Loket does not collect (the pages say
    where it is paid); None when Loket collects it or there is none."""
    if not procedure.fee_eur or procedure.id in charged_procedures():
        return None
    return procedure.fee_eur


def paid_notices(
    notices: list[Notification], cases: list[Case], fees: dict[int, CaseFee]
) -> dict[int, datetime]:
    """When the fee was paid, for each "pay" notice among ``notices`` whose fee is paid now (by
    notice id), given the recipient's ``cases`` and their ``fees`` by case id (``fees_of_cases``):
    the inbox then says it is done instead of inviting to pay again."""
    paid_on = {}
    for case in cases:
        fee = fees.get(case.pk)
        if fee is not None and fee.paid_by is not None:
            paid_on[case.reference] = fee.paid_by.finished_at or fee.paid_by.created_at
    return {
        notice.pk: paid_on[notice.topic.removeprefix("case:")]
        for notice in notices
        if notice.kind == PAYMENT_DUE
        and notice.topic.startswith("case:")
        and notice.topic.removeprefix("case:") in paid_on
    }


def fees_of_cases(cases: list[Case]) -> dict[int, CaseFee]:
    """The fees of these cases by case id (My cases, the queue)."""
    fees = CaseFee.objects.filter(case__in=cases).select_related("paid_by")
    return {fee.case_id: fee for fee in fees}


def refunds_of_cases(cases: list[Case]) -> dict[int, list[Refund]]:
    """The refunds on these cases' payments by case id, oldest first (My cases)."""
    by_case: dict[int, list[Refund]] = {}
    for refund in Refund.objects.filter(payment__case__in=cases).select_related("payment"):
        assert refund.payment.case_id is not None
        by_case.setdefault(refund.payment.case_id, []).append(refund)
    return by_case


def refund_of_case(case: Case, refund_id: str) -> Refund | None:
    """One refund of the case's payments (the caller scoped the case), or None."""
    if not refund_id.isdigit() or len(refund_id) > 18:
        return None
    return Refund.objects.filter(payment__case=case, pk=int(refund_id)).first()


def payment_of_applicant(user: User, key: str) -> Payment:
    """A payment of one of ``user``'s cases, or 404."""
    payment = (
        Payment.objects.filter(idempotency_key=key, case__applicant=user)
        .select_related("case")
        .first()
    )
    if payment is None:
        raise Http404
    return payment


def fee_of_draft(draft: Draft, answers: dict[str, Any]) -> Fee | None:
    """What the application would cost if sent now (the check page), computed as at sending."""
    definition = get_definition(draft.procedure_id, draft.definition_version)
    try:
        administration = handling_administration(draft.procedure, definition, draft.facts, answers)
    except CannotSubmit:
        return None
    count = other_cases(draft.user, draft.procedure_id, draft.definition_version, draft.facts)
    return fee_for(draft.procedure_id, administration.pk, answers, draft.facts, count)


def open_transfer(payments: list[Payment]) -> Payment | None:
    """Among a case's payments: the bank transfer the applicant chose and has not been
    credited yet (the latest)."""
    chosen = [p for p in payments if p.provider == "transfer" and p.status == Payment.Status.OPEN]
    return max(chosen, key=lambda payment: (payment.created_at, payment.pk), default=None)


def paid_twice(fee: CaseFee, payments: list[Payment]) -> list[Payment]:
    """Among a case's payments: those that brought money for a fee already paid by another,
    to be paid back."""
    if fee.paid_by_id is None:
        return []
    return [p for p in payments if p.status == Payment.Status.PAID and p.pk != fee.paid_by_id]


def demo_account(payment: Payment) -> bool:
    """Whether the account shown for the transfer is one the demo seeded (no bank holds it)."""
    return MerchantAccount.objects.filter(
        administration_id=payment.administration_id, iban=payment.payee_iban, demo=True
    ).exists()


def transfer_details(payment: Payment) -> dict[str, Any]:
    """What a transfer needs: beneficiary, IBAN in blocks of four, BIC, amount, communication."""
    account = epc.account(payment.administration)
    return {
        "beneficiary": account["name"],
        "iban": epc.grouped_iban(account["iban"]),
        "bic": account["bic"],
        "amount": payment.display,
        "amount_number": formats.number_format(Decimal(payment.amount_cents) / 100, 2),
        "communication": payment.reference,
        "demo_account": demo_account(payment),
    }


def payment_panel(case: Case) -> dict[str, Any]:
    """What the case page shows of its fee: the amount and why, every payment, the last day to
    pay and the transfer already chosen, and a fresh key for the "Pay" button (a double click
    sends the same key)."""
    fee = fee_of(case)
    if fee is None:
        return {"fee": None}
    awaiting = case.status == Case.Status.AWAITING_PAYMENT and fee.paid_by_id is None
    payments = list(payments_of(case))  # read once: the list, the transfer, the ones paid twice
    transfer = open_transfer(payments) if awaiting else None
    providers = offered_for(case.procedure_id, case.administration_id)
    if transfer is not None:  # the transfer is the way chosen: only the others are offered
        providers = [name for name in providers if name != "transfer"]
    return {
        "fee": fee,
        "awaiting_payment": awaiting,
        "pay_by": pay_by(fee) if awaiting else None,
        "pending_transfer": transfer,
        "transfer": transfer_details(transfer) if transfer is not None else None,
        "payments": payments,
        "paid_twice": paid_twice(fee, payments),
        "providers": [(name, str(PROVIDER_LABELS.get(name, name))) for name in providers],
        "pay_key": uuid.uuid4(),
        # A refund pays back one of the payments: none paid, none to read.
        "refunds": refunds_of_cases([case]).get(case.pk, []) if payments else [],
    }


def payment_summary_for_agent(case: Case) -> dict[str, Any]:
    """What the agent's case page shows of the payments (the caller scoped the case): the
    attempts still open, each with the reference the applicant sees for it, so that an "I have
    already paid" call can be checked, and the payments received for a fee already paid."""
    fee = fee_of(case)
    if fee is None or fee.amount_cents == 0:
        return {"fee": fee, "open": [], "paid_twice": []}
    payments = list(Payment.objects.filter(case=case))
    still_open = [p for p in payments if p.status == Payment.Status.OPEN]  # newest first
    still_open.sort(key=lambda payment: (payment.created_at, payment.pk), reverse=True)
    return {"fee": fee, "open": still_open, "paid_twice": paid_twice(fee, payments)}
