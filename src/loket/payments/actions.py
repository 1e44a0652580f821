"""Every write on fees and payments: charge a case when it is sent, start a payment, apply what
the provider says (exactly once), and refuse what does not add up.

The outcome of a payment is never taken from the browser: the return address and notifications
only make Loket fetch the payment from its provider (``do_refresh``). The status moves only
forward, and the first final state is applied under a lock on the payment and the case's fee,
so concurrent returns and notifications apply it once. An amount, currency or reference that
differs from ours is refused and logged as a security event.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.audit.actions import do_record_security_event
from loket.cases.actions import do_add_history_note, do_record_payment, do_withdraw
from loket.cases.models import Case
from loket.cases.selectors import count_running_for_home
from loket.core.models import User
from loket.forms.definitions import get_definition
from loket.observe import metrics
from loket.payments import history
from loket.payments.fees import fee_for
from loket.payments.merchants import compact_iban, paid_into, transfer_account
from loket.payments.models import CaseFee, Payment
from loket.payments.notices import (
    do_settle_payment_notices,
    do_tell_paid_twice,
    do_tell_payment_due,
    free_communication,
    takes_transfers,
)
from loket.payments.providers import (
    ForgedNotification,
    ProviderError,
    RemoteStatus,
    UnknownPayment,
    cancel_at_provider,
    get_provider,
    offered,
    offered_for,
)
from loket.payments.references import new_structured_communication


class PaymentRefused(Exception):
    """A payment cannot be started or applied; ``message`` says why, in the active language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PaymentTampered(PaymentRefused):
    """The provider reports another amount, currency or reference than ours."""


def other_cases(
    applicant: User, procedure_id: str, definition_version: int, facts: Mapping[str, Any],
    exclude: int | None = None,
) -> int:  # fmt: skip
    """The household's other running applications of the procedure (a second vehicle's card
    costs more): open, or granted and not expired, at the same main address."""
    definition = get_definition(procedure_id, definition_version)
    rule = definition.one_running if definition is not None else None
    return count_running_for_home(procedure_id, rule, facts, applicant, exclude=exclude)


def charge_case(case: Case) -> bool:
    """The charger of cases (``cases.charging``): record the case's fee, computed here from its
    answers and facts; True when something is to pay."""
    count = other_cases(
        case.applicant, case.procedure_id, case.definition_version, case.facts, exclude=case.pk
    )
    fee = fee_for(case.procedure_id, case.administration_id, case.answers, case.facts, count)
    if fee is None:
        return False
    # The transfer's communication is reserved with the fee (one statement fewer than after).
    transfer = fee.amount_cents > 0 and takes_transfers(case)
    charged = CaseFee.objects.create(
        case=case, amount_cents=fee.amount_cents, currency=fee.currency, label=dict(fee.label),
        source=dict(fee.source), demo=fee.demo,
        transfer_reference=free_communication() if transfer else "",
    )  # fmt: skip
    if fee.amount_cents == 0:
        return False
    # What to pay and how, by mail and on the page; no payment was started yet.
    do_tell_payment_due(charged, communication=charged.transfer_reference)
    return True


def check_can_pay(case: Case) -> CaseFee:
    fee = CaseFee.objects.filter(case=case).first()
    if fee is None or fee.amount_cents == 0:
        raise PaymentRefused(_("Nothing is to be paid for this application."))
    if fee.paid_by_id is not None:
        raise PaymentRefused(_("This application is already paid."))
    if case.status != Case.Status.AWAITING_PAYMENT:
        raise PaymentRefused(_("This application no longer waits for a payment."))
    return fee


def do_start_payment(
    case: Case, provider_name: str, idempotency_key: uuid.UUID, actor: User,
    return_url: Callable[[Payment], str],
) -> Payment:  # fmt: skip
    """Start paying ``case`` with a provider. A repeated press of "Pay" (same key) returns the
    same payment; the amount is the fee recorded when the case was sent."""
    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if existing.case_id != case.pk:
            raise PaymentRefused(_("This payment belongs to another application."))
        return existing
    if provider_name not in offered_for(case.procedure_id, case.administration_id):
        raise PaymentRefused(_("This way of paying is not offered."))
    try:
        with transaction.atomic():
            CaseFee.objects.select_for_update().filter(case=case).first()  # one press at a time
            case.refresh_from_db(fields=["status"])
            fee = check_can_pay(case)
            payment = Payment.objects.create(
                case=case, administration_id=case.administration_id,
                case_reference=case.reference, procedure_code=case.procedure_id,
                provider=provider_name, idempotency_key=idempotency_key,
                amount_cents=fee.amount_cents, currency=fee.currency,
                reference=_reference_for(fee, provider_name),
                payee_iban=compact_iban(transfer_account(case.administration)["iban"])
                if provider_name == "transfer" else "",
            )  # fmt: skip
    except IntegrityError:  # a concurrent press with the same key won
        return Payment.objects.get(idempotency_key=idempotency_key, case=case)
    try:
        checkout = get_provider(provider_name, payment.administration_id).start(
            payment, return_url(payment)
        )
    except ProviderError:
        Payment.objects.filter(pk=payment.pk).update(
            status=Payment.Status.FAILED, finished_at=timezone.now()
        )
        metrics.payment(provider_name, "failed")
        raise PaymentRefused(
            _("The payment service did not answer. Try again, or choose another way to pay.")
        ) from None
    payment.provider_id, payment.checkout_url = checkout.provider_id, checkout.redirect_url
    payment.save(update_fields=["provider_id", "checkout_url"])
    metrics.payment(provider_name, "started")
    params = _attempt_params(payment)
    note = history.written(history.STARTED, params, case.language)
    do_add_history_note(case, actor, note, history.STARTED, params)
    return payment


def _reference_for(fee: CaseFee, provider_name: str) -> str:
    """A new attempt's reference: for a transfer, the structured communication the applicant
    was told by mail, unless a transfer took it already; otherwise a new one."""
    told = fee.transfer_reference
    if provider_name == "transfer" and told and not Payment.objects.filter(reference=told).exists():
        return told
    return new_structured_communication()


@transaction.atomic
def do_take_up_told_transfer(reference: str, account: str = "") -> Payment | None:
    """Money arrived with the structured communication a mail told for a fee, before any
    transfer took it (the applicant paid from the mail): that transfer is made now, as if
    chosen, so the statement line has a payment to settle. None when no fee reserved it, or
    when ``account`` (the statement's, if it names one) is not the account the mail told."""
    fee = CaseFee.objects.select_for_update().filter(transfer_reference=reference).first()
    if fee is None:
        return None
    taken = Payment.objects.filter(reference=reference)
    if taken.exists():  # a transfer took it meanwhile: the same account rule applies to it
        return (taken.filter(paid_into(account)) if account else taken).first()
    case = fee.case
    payee_iban = compact_iban(transfer_account(case.administration)["iban"])
    if account and compact_iban(account) != payee_iban:
        return None  # another administration's account: never settles this fee
    payment = Payment.objects.create(
        case=case, administration_id=case.administration_id, case_reference=case.reference,
        procedure_code=case.procedure_id, provider="transfer", idempotency_key=uuid.uuid4(),
        amount_cents=fee.amount_cents, currency=fee.currency, reference=reference,
        provider_id=reference, payee_iban=payee_iban,
    )  # fmt: skip
    _note(case, history.STARTED, _attempt_params(payment))
    return payment


def _attempt_params(payment: Payment) -> dict[str, Any]:
    """A payment's words in the history: which attempt it is (its reference, as the applicant
    and the agent see it), so that two attempts the same way never read as one said twice."""
    return {
        "amount_cents": payment.amount_cents, "provider": payment.provider,
        "reference": payment.shown_reference,
    }  # fmt: skip


def do_refresh(payment: Payment) -> Payment:
    """Fetch the payment from its provider and apply what it says (once)."""
    remote = get_provider(payment.provider, payment.administration_id).fetch_status(payment)
    return do_apply_status(payment, remote)


def do_handle_notification(
    provider_name: str, body: Mapping[str, str], headers: Mapping[str, str], raw: bytes = b""
) -> Payment:
    """A provider says a payment changed: verify, then fetch it again. An unknown or forged
    notification is refused and logged as a security event (``payment-notification-forged``
    for a signature that does not verify)."""
    if provider_name not in offered():
        do_record_security_event("payment-notification-refused", provider=provider_name[:20])
        raise UnknownPayment(provider_name[:20])
    provider = get_provider(provider_name)
    try:
        provider_id = provider.handle_notification(body, headers, raw)
    except ForgedNotification as forged:
        do_record_security_event(
            "payment-notification-forged", provider=provider_name, reason=str(forged)[:60]
        )
        raise
    except UnknownPayment as unknown:
        do_record_security_event(
            "payment-notification-refused", provider=provider_name, named=str(unknown)[:60]
        )
        raise
    payment = Payment.objects.filter(provider=provider_name, provider_id=provider_id).first()
    if payment is None:
        do_record_security_event(
            "payment-notification-refused", provider=provider_name, named=provider_id[:60]
        )
        raise UnknownPayment(provider_id[:60])
    return do_refresh(payment)


def _check_same(payment: Payment, remote: RemoteStatus) -> None:
    ours = (payment.amount_cents, payment.currency, payment.reference, payment.provider_id)
    theirs = (remote.amount_cents, remote.currency, remote.reference, remote.provider_id)
    if ours != theirs:
        do_record_security_event(
            "payment-tampered", payment=payment.reference, provider=payment.provider,
            expected=[str(value) for value in ours], received=[str(value) for value in theirs],
        )  # fmt: skip
        raise PaymentTampered(
            _("The payment service reported another amount or reference: the payment was "
              "refused. Contact the administration.")
        )  # fmt: skip


def do_apply_status(payment: Payment, remote: RemoteStatus) -> Payment:
    """Apply the provider's status to the payment, forward only, and a payment to the case
    exactly once. Every change is in the case's history. A mismatch is refused and its
    security event kept (recorded outside the transaction that would roll it back)."""
    _check_same(Payment.objects.get(pk=payment.pk), remote)
    return _apply_locked(payment, remote)


@transaction.atomic
def _apply_locked(payment: Payment, remote: RemoteStatus) -> Payment:
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    _check_same(payment, remote)
    if payment.is_final and not _closed_but_paid(payment, remote):
        return payment  # the first final state stays; a replay changes nothing
    if remote.status == payment.status:
        return payment
    payment.status = remote.status
    payment.finished_at = timezone.now()
    payment.save(update_fields=["status", "finished_at"])
    event = "completed" if payment.status == Payment.Status.PAID else "failed"
    metrics.payment(payment.provider, event)
    case = payment.case
    if case is None:  # the case is gone under its retention rule; the record stays
        return payment
    params = {"amount_cents": payment.amount_cents, "provider": payment.provider}
    if payment.status == Payment.Status.PAID:
        _apply_paid(case, payment, params)
    else:
        params["status"] = payment.status
        _note(case, history.NOT_MADE, params)
    return payment


def _closed_but_paid(payment: Payment, remote: RemoteStatus) -> bool:
    """Money that arrived on an attempt closed before it was paid (Loket closed it when the
    case was withdrawn or lapsed, or when another attempt paid the fee; a provider that cannot
    be stopped took it anyway): the money is real, so it is recorded (and to be refunded), not
    hidden behind "abandoned"."""
    return (
        payment.status == Payment.Status.CANCELLED
        and remote.status == Payment.Status.PAID
        and payment.case is not None
    )


@transaction.atomic
def do_close_open_payments(case: Case, paid_by: Payment | None = None) -> int:
    """A case that expects no payment any more (withdrawn, lapsed, or paid by ``paid_by``): its
    other open attempts are closed (abandoned), and cancelled at their provider once this
    transaction commits, where the provider can, so that their pages take no money. Money that
    still arrives on one is recorded and to be refunded."""
    open_attempts = Payment.objects.filter(case=case, status=Payment.Status.OPEN)
    if paid_by is None:
        closed = list(open_attempts.select_for_update())
    else:  # an attempt locked now is being applied (paid too, or failed): it finds the fee paid
        closed = list(open_attempts.exclude(pk=paid_by.pk).select_for_update(skip_locked=True))
    for payment in closed:
        payment.status = Payment.Status.CANCELLED
        payment.finished_at = timezone.now()
        payment.save(update_fields=["status", "finished_at"])
    if closed:
        transaction.on_commit(lambda: [cancel_at_provider(payment) for payment in closed])
    return len(closed)


@transaction.atomic
def do_withdraw_application(case: Case, user: User) -> int:
    """The applicant withdraws: the case is withdrawn and, in the same transaction, its open
    payment attempts are closed (a transfer is expected no more). Returns how many were closed.
    Raises ``CaseRefused`` as ``do_withdraw`` does, and then nothing changes."""
    do_withdraw(case, user)
    return do_close_open_payments(case)


def do_note_paid_twice(payment: Payment, amount_cents: int) -> None:
    """Money received again on a payment already paid (the same transfer twice): the case's
    history says it will be refunded."""
    if payment.case is not None:
        params = {"amount_cents": amount_cents, "provider": payment.provider}
        _note(payment.case, history.PAID_TWICE, params)
        do_tell_paid_twice(payment.case, amount_cents, payment.shown_reference)


def _note(case: Case, code: str, params: dict[str, Any]) -> None:
    """A payment's entry in the case's history, rendered in each reader's language."""
    do_add_history_note(case, None, history.written(code, params, case.language), code, params)


def _apply_paid(case: Case, payment: Payment, params: dict[str, Any]) -> None:
    fee = CaseFee.objects.select_for_update().get(case=case)
    if case.status == Case.Status.WITHDRAWN and fee.paid_by_id is None:
        _note(case, history.AFTER_WITHDRAWAL, params)
    elif fee.paid_by_id is None:
        fee.paid_by = payment
        fee.save(update_fields=["paid_by"])
        do_settle_payment_notices(fee)
        note = history.written(history.PAID, params, case.language)
        do_record_payment(case, note, history.PAID, params)
        do_close_open_payments(case, paid_by=payment)  # their pages must not take money now
    else:  # paid twice (a transfer after a card, say): kept, to be refunded
        _note(case, history.PAID_TWICE, params)
        do_tell_paid_twice(case, payment.amount_cents, payment.shown_reference)
