"""Refunds: a civil servant of the handling administration gives back all or part of a paid
payment, with a reason; the history says so and the applicant is told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import translation
from django.utils.translation import gettext as _

from loket.cases.actions import do_add_history_note
from loket.cases.notices import REFUNDED, do_notify_applicant
from loket.core.models import User
from loket.payments.actions import PaymentRefused
from loket.payments.fees import format_amount
from loket.payments.models import Payment, Refund
from loket.payments.providers import ProviderError, RefundNotOffered, get_provider


def refunded_cents(payment: Payment) -> int:
    return payment.refunds.aggregate(total=Sum("amount_cents"))["total"] or 0


def refundable_cents(payment: Payment) -> int:
    """What can still be given back: what was paid, or what reached the account on a transfer
    that never completed (too little, or after the case was withdrawn)."""
    if payment.status == Payment.Status.PAID:
        received = max(payment.amount_cents, payment.paid_cents)
    else:
        received = payment.paid_cents
    return max(received - refunded_cents(payment), 0)


@dataclass(frozen=True)
class Owed:
    """Money on a payment that nobody owes the administration, and why."""

    amount_cents: int
    why: str

    @property
    def amount(self) -> str:
        return format_amount(self.amount_cents)


def owed_back(payment: Payment) -> Owed | None:
    """The money to give back on ``payment`` without being asked: received after the case was
    withdrawn or lapsed, or received twice for the same fee. None when nothing is owed."""
    case = payment.case
    fee = getattr(case, "fee", None) if case is not None else None
    if fee is None:
        return None
    refundable = refundable_cents(payment)
    if refundable <= 0:
        return None
    if fee.paid_by_id != payment.pk:
        if fee.paid_by_id is not None:
            why = _(
                "Received twice: the fee was already paid by %(other)s. All of it is to be "
                "given back."
            ) % {"other": fee.paid_by.reference if fee.paid_by else ""}
        elif case is not None and case.status == case.Status.WITHDRAWN:
            why = _(
                "Received after the application was withdrawn or lapsed: nothing is due, all "
                "of it is to be given back."
            )
        else:
            return None
        return Owed(refundable, why)
    extra = payment.paid_cents - payment.amount_cents - refunded_cents(payment)
    if extra <= 0:
        return None
    words = {"received": format_amount(payment.paid_cents), "fee": payment.display,
             "extra": format_amount(extra)}  # fmt: skip
    return Owed(
        extra,
        _("Received twice or too much: %(received)s received for a fee of %(fee)s, so "
          "%(extra)s is to be given back.") % words,
    )  # fmt: skip


def parse_amount(text: str) -> int:
    """Cents from what an agent types ("2,50", "2.50", "3"), or a refusal that says why."""
    try:
        amount = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise PaymentRefused(_("Enter an amount in euro, for example 2.50.")) from None
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise PaymentRefused(_("Enter an amount in euro, for example 2.50."))
    return int(amount * 100)


@dataclass(frozen=True)
class RefundPreview:
    """What a refund will do, shown to the civil servant before they confirm it."""

    payment: Payment
    amount_cents: int
    reason: str
    to_whom: str
    method: str

    @property
    def amount(self) -> str:
        return format_amount(self.amount_cents)

    @property
    def remaining(self) -> str:
        return format_amount(refundable_cents(self.payment) - self.amount_cents)


def check_refund(payment: Payment, amount_cents: int, reason: str) -> RefundPreview:
    """The refund as it would be made now, or a refusal that says why (nothing is written)."""
    if not reason.strip():
        raise PaymentRefused(_("Say why the money is refunded: the applicant reads it."))
    available = refundable_cents(payment)
    if not 0 < amount_cents <= available:
        words = {"asked": format_amount(amount_cents), "amount": format_amount(available)}
        raise PaymentRefused(
            _("You asked to refund %(asked)s, but at most %(amount)s remains refundable on this "
              "payment.") % words
        )  # fmt: skip
    case = payment.case
    applicant = case.applicant.display_name if case is not None else ""
    if payment.provider == "transfer":
        accounts = [
            line.counterparty_account for line in payment.statement_lines.all()
            if line.counterparty_account
        ]  # fmt: skip
        method = (
            _("By a bank transfer that accounting makes to the account that paid (%(account)s).")
            % {"account": accounts[0]}
            if accounts
            else _("By a bank transfer that accounting makes to the account that paid.")
        )
    else:
        method = _("Through the payment service (%(provider)s), back to the card or account "
                   "that paid.") % {"provider": payment.provider_label}  # fmt: skip
    return RefundPreview(payment, amount_cents, reason.strip(), applicant, method)


@transaction.atomic
def do_refund(payment: Payment, agent: User, amount_cents: int, reason: str) -> Refund:
    """Refund ``amount_cents`` of ``payment`` (the caller scoped its case to ``agent``)."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    check_refund(payment, amount_cents, reason)
    try:
        provider_id = get_provider(payment.provider).refund(payment, amount_cents, reason)
    except RefundNotOffered:
        provider_id = ""  # paid back by transfer by accounting (the line says so)
    except ProviderError:  # nothing recorded: a retry sends the same idempotency key
        raise PaymentRefused(
            _(
                "The payment service did not confirm the refund: nothing is recorded. Try again; "
                "the money will not be refunded twice."
            )
        ) from None
    refund = Refund.objects.create(
        payment=payment, amount_cents=amount_cents, reason=reason.strip(), by=agent,
        provider_refund_id=provider_id,
    )  # fmt: skip
    case = payment.case
    if case is not None:
        with translation.override(case.language or "fr"):
            words = {"amount": format_amount(amount_cents), "reason": refund.reason}
            if provider_id:
                note = _("Refunded: %(amount)s. Reason: %(reason)s") % words
            else:  # accounting pays it back: it is not back yet
                note = _("Will be paid back by transfer: %(amount)s. Reason: %(reason)s") % words
        do_add_history_note(case, agent, note)
        do_notify_applicant(case, REFUNDED, f"refund-{refund.pk}")
    return refund


@transaction.atomic
def do_mark_paid_back(refund: Refund, on: date) -> Refund:
    """Accounting paid back a refund by transfer on ``on``: the applicant reads "refunded on"
    from then on. Recorded once; a refund through the payment service has nothing to mark."""
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    if refund.provider_refund_id:
        raise PaymentRefused(_("This refund went through the payment service: nothing to mark."))
    if refund.paid_back_on is None:
        refund.paid_back_on = on
        refund.save(update_fields=["paid_back_on"])
    return refund
