"""The applicant's mail that a fee is due: sent when a case goes to "awaiting payment" and again
with the reminder, in the case's language, through notify (an inbox entry and an e-mail, once
per event). It says how much, what for, the last day to pay, where to pay online, and, when the
administration takes transfers, the transfer's details with a structured communication.

That communication is reserved on the fee (``CaseFee.transfer_reference``) rather than given to
a payment attempt: the applicant has not chosen a way yet. The transfer takes it when the
applicant chooses it on the case page, or when a statement brings money with it
(``actions.do_take_up_told_transfer``), so the mail and the page never give two communications.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from loket.cases.models import Case
from loket.cases.notices import PAYMENT_DUE, REFUNDED, door_sender, topic_of
from loket.core.public import public_base
from loket.notify.actions import do_mark_topic_read, do_notify
from loket.notify.models import Notification
from loket.payments import epc
from loket.payments.fees import format_amount, pay_by
from loket.payments.models import CaseFee, Payment
from loket.payments.providers import offered_for
from loket.payments.references import new_structured_communication


def told_communication(fee: CaseFee) -> str:
    """The structured communication for a transfer of ``fee``: the open transfer's if the
    applicant chose one, else the one reserved on the fee (reserved now if none was). Empty
    when the administration takes no transfer for this fee."""
    case = fee.case
    if not takes_transfers(case):
        return ""
    chosen = (
        Payment.objects.filter(case=case, provider="transfer", status=Payment.Status.OPEN)
        .order_by("-created_at")
        .first()
    )
    if chosen is not None:
        return chosen.reference
    if not fee.transfer_reference:
        fee.transfer_reference = free_communication()
        fee.save(update_fields=["transfer_reference"])
    return fee.transfer_reference


def takes_transfers(case: Case) -> bool:
    """Whether the administration takes bank transfers for ``case``'s fee."""
    return "transfer" in offered_for(case.procedure_id, case.administration_id)


def free_communication() -> str:
    """A structured communication that no payment and no fee holds yet."""
    reference = new_structured_communication()
    while (
        Payment.objects.filter(reference=reference).exists()
        or CaseFee.objects.filter(transfer_reference=reference).exists()
    ):
        reference = new_structured_communication()
    return reference


def _transfer(fee: CaseFee, communication: str) -> dict[str, str]:
    account = epc.account(fee.case.administration)
    return {
        "beneficiary": account["name"],
        "iban": epc.grouped_iban(account["iban"]),
        "bic": account["bic"],
        "communication": communication,
    }


def do_tell_payment_due(
    fee: CaseFee, reminder: bool = False, communication: str | None = None
) -> Notification | None:
    """Tell the applicant what to pay for ``fee``'s case and how (once per case for the first
    mail, once for the reminder). Call inside the transaction that made the event.
    ``communication``: the transfer's, when the caller knows it (a fee just recorded with it);
    by default :func:`told_communication`'s."""
    case = fee.case
    if communication is None:
        communication = told_communication(fee)
    with translation.override(case.language or "fr"):
        words = {"reference": case.reference, "amount": fee.display}
        if reminder:
            subject = _("Your application %(reference)s waits for your payment") % words
        else:
            subject = _("Application %(reference)s sent: pay %(amount)s to have it handled")
            subject %= words
        subject = f"{subject} \u2013 {case.procedure.name}"
        context: dict[str, Any] = {
            "recipient": case.applicant, "case": case, "fee": fee, "reminder": reminder,
            "procedure": case.procedure.name, "pay_by": pay_by(
                case.procedure_id, case.administration_id, fee.created_at
            ),
            "pay_online": any(name != "transfer" for name in offered_for(
                case.procedure_id, case.administration_id
            )),
            "page": public_base() + reverse("web:case", args=[case.reference]) + "#payment",
            "transfer": _transfer(fee, communication) if communication else None,
        }  # fmt: skip
        body = render_to_string("payments/payment_due_mail.txt", context)
        link = reverse("web:case", args=[case.reference]) + "#payment"
        sender = door_sender(case)
    event = "payment-reminder" if reminder else "payment-due"
    return do_notify(
        case.applicant, f"{case.pk}:{PAYMENT_DUE}:{event}", subject, body, kind=PAYMENT_DUE,
        topic=topic_of(case), link=link, sender_name=sender,
    )  # fmt: skip


def do_settle_payment_notices(fee: CaseFee) -> int:
    """The fee is paid: its "pay" notices have done their work and are no longer new."""
    return do_mark_topic_read(fee.case.applicant, topic_of(fee.case), kind=PAYMENT_DUE)


def do_tell_paid_twice(case: Case, amount_cents: int, reference: str) -> Notification | None:
    """Tell the applicant that money arrived for a fee already paid (an attempt closed too
    late at a provider, a transfer made after a card payment) and that it will be paid back."""
    with translation.override(case.language or "fr"):
        words = {"reference": case.reference, "amount": format_amount(amount_cents)}
        subject = _("Application %(reference)s: you paid twice, %(amount)s will be paid back")
        subject %= words
        body = _(
            "Hello,\n\nThe fee of your application %(reference)s was already paid when a second "
            "payment of %(amount)s arrived (reference %(payment)s). You do not need to do "
            "anything: %(administration)s will pay it back to the account or card it came "
            "from, and the case page will show the refund.\n\n%(page)s\n"
        ) % {
            **words, "payment": reference, "administration": case.administration.name,
            "page": public_base() + reverse("web:case", args=[case.reference]) + "#payment",
        }  # fmt: skip
        sender = door_sender(case)
    return do_notify(
        case.applicant, f"{case.pk}:{REFUNDED}:paid-twice:{reference}", subject, body,
        kind=REFUNDED, topic=topic_of(case), sender_name=sender,
        link=reverse("web:case", args=[case.reference]) + "#payment",
    )  # fmt: skip
