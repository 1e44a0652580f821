"""Refunds: a civil servant of the handling administration gives back all or part of a paid
payment, with a reason; the history says so and the applicant is told."""

from __future__ import annotations

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


def refundable_cents(payment: Payment) -> int:
    refunded = payment.refunds.aggregate(total=Sum("amount_cents"))["total"] or 0
    received = max(payment.amount_cents, payment.paid_cents)
    return max(received - refunded, 0) if payment.status == Payment.Status.PAID else 0


def parse_amount(text: str) -> int:
    """Cents from what an agent types ("2,50", "2.50", "3"), or a refusal that says why."""
    try:
        amount = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise PaymentRefused(_("Enter an amount in euro, for example 2.50.")) from None
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise PaymentRefused(_("Enter an amount in euro, for example 2.50."))
    return int(amount * 100)


@transaction.atomic
def do_refund(payment: Payment, agent: User, amount_cents: int, reason: str) -> Refund:
    """Refund ``amount_cents`` of ``payment`` (the caller scoped its case to ``agent``)."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if not reason.strip():
        raise PaymentRefused(_("Say why the money is refunded: the applicant reads it."))
    available = refundable_cents(payment)
    if not 0 < amount_cents <= available:
        raise PaymentRefused(
            _("At most %(amount)s can be refunded on this payment.")
            % {"amount": format_amount(available)}
        )
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
            note = _("Refunded: %(amount)s. Reason: %(reason)s") % {
                "amount": format_amount(amount_cents),
                "reason": refund.reason,
            }
        do_add_history_note(case, agent, note)
        do_notify_applicant(case, REFUNDED, f"refund-{refund.pk}")
    return refund
