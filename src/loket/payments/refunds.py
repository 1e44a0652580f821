"""Refunds: a civil servant of the handling administration gives back all or part of a paid
payment, with a reason; the history says so and the applicant is told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Sum
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loket.cases.actions import WrongLanguage, check_language, do_add_history_note
from loket.cases.notices import REFUNDED, do_notify_applicant
from loket.core.models import User
from loket.payments import history
from loket.payments.actions import PaymentRefused
from loket.payments.fees import format_amount
from loket.payments.models import CaseFee, Payment, Refund
from loket.payments.providers import ProviderError, RefundNotOffered, get_provider

REASON_IN_OTHER_LANGUAGE = gettext_lazy(
    "The reason is not in the language of the case, and the applicant reads it: nothing was "
    "refunded. Language it seems written in: %(written)s. Language of the case: %(language)s. "
    "Write the reason in the language of the case."
)


def refunded_cents(payment: Payment) -> int:
    return payment.refunds.aggregate(total=Sum("amount_cents"))["total"] or 0


def received_cents(payment: Payment) -> int:
    """What the payment brought: what was paid, or what reached the account on a transfer
    that never completed (too little, or after the case was withdrawn)."""
    if payment.status == Payment.Status.PAID:
        return max(payment.amount_cents, payment.paid_cents)
    return payment.paid_cents


def refundable_cents(payment: Payment) -> int:
    """What can still be given back: what the payment brought less what was refunded."""
    return max(received_cents(payment) - refunded_cents(payment), 0)


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
            ) % {"other": fee.paid_by.shown_reference if fee.paid_by else ""}
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
    if payment.case is not None:  # the reason reaches the applicant, in the history and notice
        try:
            check_language(payment.case, reason, "reason", REASON_IN_OTHER_LANGUAGE)
        except WrongLanguage as refused:
            raise PaymentRefused(refused.message) from None
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
        provider = get_provider(payment.provider, payment.administration_id)
        provider_id = provider.refund(payment, amount_cents, reason)
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
def do_mark_paid_back(refund: Refund, on: date, by: User | None = None) -> Refund:
    """Accounting paid back a refund by transfer on ``on``: the case's history says so, the
    applicant is told and reads "refunded on" from then on. Recorded once; a refund through the
    payment service has nothing to mark."""
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    if refund.provider_refund_id:
        raise PaymentRefused(_("This refund went through the payment service: nothing to mark."))
    if refund.paid_back_on is not None:
        return refund
    refund.paid_back_on = on
    refund.save(update_fields=["paid_back_on"])
    case = refund.payment.case
    if case is not None:
        params = {"amount_cents": refund.amount_cents}
        note = history.written(history.PAID_BACK, params, case.language)
        do_add_history_note(case, by, note, history.PAID_BACK, params)
        do_notify_applicant(case, REFUNDED, f"refund-paid-back-{refund.pk}")
    return refund


def do_give_back_owed(payment: Payment, agent: User, on: date) -> Refund:
    """Give back what is owed on ``payment`` (``owed_back``), with why as the reason, written in
    the case's language: through the payment service for a card, or, for a transfer, recorded
    as paid back by accounting on ``on``. Nothing owed any more (someone else did it) is
    refused."""
    case = payment.case
    with translation.override((case.language if case else "") or "fr"):
        owed = owed_back(payment)
    if owed is None:
        raise PaymentRefused(_("Nothing is owed back on this payment any more."))
    refund = do_refund(payment, agent, owed.amount_cents, owed.why)
    if refund.pending:
        refund = do_mark_paid_back(refund, on, agent)
    return refund


@dataclass(frozen=True)
class OwedItem:
    """One line of an administration's refunds queue: a refund by transfer that accounting has
    not paid back yet (``refund``), or money nobody asked back that is owed (``refund`` None)."""

    payment: Payment
    amount_cents: int
    since: datetime
    why: str
    refund: Refund | None = None
    reason: str = ""  # the refund's, in the case's language

    @property
    def amount(self) -> str:
        return format_amount(self.amount_cents)


def refunds_queue(administration_ids: list[str]) -> list[OwedItem]:
    """Everything these administrations owe back, oldest first: refunds by transfer not yet paid
    back, money received twice or too much, and money for withdrawn or lapsed applications."""
    pending = Refund.objects.filter(
        payment__administration_id__in=administration_ids, provider_refund_id="",
        paid_back_on=None,
    ).select_related("payment__case")  # fmt: skip
    items = [
        OwedItem(refund.payment, refund.amount_cents, refund.created_at,
                 _("Refund recorded, to pay back by transfer"), refund, refund.reason)
        for refund in pending
    ]  # fmt: skip
    settles = CaseFee.objects.filter(paid_by=OuterRef("pk"))
    candidates = (
        Payment.objects.filter(administration_id__in=administration_ids, case__isnull=False)
        .filter(
            Q(paid_cents__gt=F("amount_cents"))
            | (Q(status=Payment.Status.PAID) & ~Exists(settles))
            | Q(paid_cents__gt=0, case__status="withdrawn")
        )
        .select_related("case__fee__paid_by")
        .prefetch_related("statement_lines")
    )
    for payment in candidates:
        owed = owed_back(payment)
        if owed is not None:
            items.append(OwedItem(payment, owed.amount_cents, _received_on(payment), owed.why))
    return sorted(items, key=lambda item: item.since)


def _received_on(payment: Payment) -> datetime:
    """When the money owed reached the administration: its last statement line, else when the
    payment was paid."""
    lines = list(payment.statement_lines.all())
    if lines:
        return max(line.imported_at for line in lines)
    return payment.finished_at or payment.created_at


@dataclass(frozen=True)
class MoneyOfPayment:
    """A payment's money on the refunds page, each figure in its own column: what it brought,
    what was refunded, what may still be refunded (an agent's choice), and what is owed back
    without being asked (:func:`owed_back`)."""

    payment: Payment
    paid: str
    refunded: str
    refundable: str
    owed: Owed | None


def money_of(payment: Payment) -> MoneyOfPayment:
    return MoneyOfPayment(
        payment=payment,
        paid=format_amount(received_cents(payment)),
        refunded=format_amount(refunded_cents(payment)),
        refundable=format_amount(refundable_cents(payment)),
        owed=owed_back(payment),
    )
