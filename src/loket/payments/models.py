"""A case's fee, the attempts to pay it, and every line of every bank statement imported."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from loket.core.fields import EncryptedField
from loket.core.i18n import pick
from loket.payments.fees import format_amount


class CaseFee(models.Model):
    """What the case costs, computed on the server when it was sent, and why. ``paid_by`` is
    set once, under a lock, by the payment whose final state was applied to the case."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="fee")
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="EUR")
    label = models.JSONField(help_text="Why this amount, by language.")
    source = models.JSONField(default=dict, help_text="Where the amount comes from, by language.")
    demo = models.BooleanField(help_text="An amount set for the demo, not a tariff.")
    created_at = models.DateTimeField(auto_now_add=True)
    paid_by = models.OneToOneField(
        "Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    transfer_reference = models.CharField(
        max_length=40, blank=True, help_text="The structured communication the applicant was "
        "told by e-mail for a transfer; the transfer takes it when chosen or when it arrives."
    )  # fmt: skip

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["transfer_reference"],
                condition=~Q(transfer_reference=""),
                name="one_fee_per_transfer_reference",
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount_cents} {self.currency} for case {self.case_id}"

    @property
    def why(self) -> str:
        return pick(self.label)

    @property
    def source_text(self) -> str:
        return pick(self.source)

    @property
    def display(self) -> str:
        return format_amount(self.amount_cents)


class Payment(models.Model):
    """One attempt to pay a case's fee, with one provider. Its status only moves forward, as
    the provider reports it (never as the browser says); the first final state is kept."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the payment")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Abandoned")
        EXPIRED = "expired", _("Expired")

    # An accounting record outlives the case: its retention may delete the case, never this.
    case = models.ForeignKey(
        "cases.Case", null=True, on_delete=models.SET_NULL, related_name="payments"
    )
    # What the accountant needs after the case is gone, copied when the payment is started.
    administration = models.ForeignKey(
        "core.Administration", null=True, on_delete=models.PROTECT, related_name="+",
        help_text="The case's handling administration, whose money this is.",
    )  # fmt: skip
    case_reference = models.CharField(max_length=40, blank=True)
    procedure_code = models.CharField(max_length=100, blank=True, help_text="The procedure's id.")
    provider = models.CharField(max_length=20)
    idempotency_key = models.UUIDField(unique=True, help_text="One per press of 'Pay'.")
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="EUR")
    reference = models.CharField(
        max_length=40, unique=True, help_text="Ours, sent to the provider (a transfer's "
        "structured communication)."
    )  # fmt: skip
    provider_id = models.CharField(max_length=100, blank=True)
    checkout_url = models.CharField(max_length=300, blank=True, help_text="The provider's page.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    paid_cents = models.PositiveIntegerField(default=0, help_text="Received (transfers).")
    payee_iban = models.CharField(
        max_length=34, blank=True, help_text="A transfer: the account shown when it was started."
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_id"],
                condition=~Q(provider_id=""),
                name="one_payment_per_provider_id",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_final(self) -> bool:
        return self.status != self.Status.OPEN

    @property
    def display(self) -> str:
        return format_amount(self.amount_cents)

    @property
    def provider_label(self) -> str:
        return str(PROVIDER_LABELS.get(self.provider, self.provider))

    @property
    def shown_reference(self) -> str:
        """The reference that fits the way of paying, as the applicant finds it again: a
        transfer's structured communication (on their bank statement); for a card, the payment
        service's id (on its receipt), else our own reference for the attempt, as plain digits,
        so that it is never mistaken for a communication to type into a transfer."""
        if self.provider == "transfer":
            return self.reference
        return self.provider_id or "".join(filter(str.isdigit, self.reference))

    @property
    def shown_reference_label(self) -> str:
        """What :attr:`shown_reference` is, to put before it."""
        if self.provider == "transfer":
            return str(_("structured communication"))
        if self.provider_id:
            return str(_("payment service's reference"))
        return str(_("Loket's reference for this attempt"))


PROVIDER_LABELS = {
    "demo": _("Online, on the demo payment page"),
    "transfer": _("Bank transfer"),
    "mollie": _("Online by card or Bancontact (Mollie)"),
    "worldline": _("Online by card or Bancontact (Worldline)"),
}


class Refund(models.Model):
    """Money given back on a paid payment, in full or in part, by a civil servant of the
    handling administration, with the reason the applicant reads in the case's history."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_cents = models.PositiveIntegerField()
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    provider_refund_id = models.CharField(
        max_length=100, blank=True, help_text="Empty: to be paid back by transfer by accounting."
    )
    paid_back_on = models.DateField(
        null=True, blank=True, help_text="A refund by transfer: the day accounting paid it back."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.amount_cents} back on {self.payment_id}"

    @property
    def pending(self) -> bool:
        """A refund by transfer that accounting has not yet paid back."""
        return not self.provider_refund_id and self.paid_back_on is None

    @property
    def display(self) -> str:
        return format_amount(self.amount_cents)


class DemoCheckout(models.Model):
    """The demo provider's own record of a checkout, as a real provider keeps it on its side:
    Loket reads the outcome from here, never from the browser's return."""

    token = models.CharField(max_length=40, unique=True)
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    reference = models.CharField(max_length=40)
    status = models.CharField(max_length=10, default="open")
    return_url = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.token


class StatementLine(models.Model):
    """One line of an imported bank statement, kept whatever its outcome, so that no money
    that reached the account is ever lost from sight; a debit (money that left it) is
    *outgoing*, never matched to a payment."""

    class Outcome(models.TextChoices):
        MATCHED = "matched", _("Matched")
        OVERPAID = "overpaid", _("Paid too much")
        UNDERPAID = "underpaid", _("Paid too little")
        UNMATCHED = "unmatched", _("No payment with this communication")
        ALREADY_PAID = "already_paid", _("Payment already settled")
        CASE_CLOSED = "case_closed", _("Application withdrawn or lapsed: to refund")
        OUTGOING = "outgoing", _("Outgoing (not for us)")

    statement = models.CharField(max_length=100, help_text="The statement's own identifier.")
    account = models.CharField(
        max_length=34, blank=True, help_text="The IBAN of the account the statement is of."
    )
    entry = models.CharField(max_length=100, help_text="The line's identifier in the statement.")
    file_format = models.CharField(max_length=10)
    booked_on = models.DateField(null=True)
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    communication = models.CharField(max_length=140, blank=True)
    counterparty = models.CharField(max_length=140, blank=True)
    counterparty_account = models.CharField(max_length=40, blank=True)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="statement_lines"
    )
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["imported_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "entry"], name="one_line_per_entry")
        ]

    def __str__(self) -> str:
        return f"{self.statement}/{self.entry}"

    @property
    def display(self) -> str:
        return format_amount(self.amount_cents)


class MerchantAccount(models.Model):
    """An administration's own way of receiving money: its bank account for transfers and its
    contracts with the card providers. Without one (or without a field of it), the platform's
    (``LOKET_PAYMENT_ACCOUNT``, ``LOKET_MOLLIE_*``, ``LOKET_WORLDLINE_*``) is used. The
    providers' secrets are encrypted at rest (``core.crypto``), never shown back."""

    administration = models.OneToOneField(
        "core.Administration", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    iban = models.CharField(max_length=34, blank=True, help_text="Compact, upper case.")
    bic = models.CharField(max_length=11, blank=True)
    beneficiary = models.CharField(max_length=70, blank=True, help_text="As the bank knows it.")
    worldline_merchant_id = models.CharField(max_length=40, blank=True, help_text="The PSPID.")
    worldline_api_key_id = models.CharField(max_length=100, blank=True)
    worldline_api_secret = EncryptedField(blank=True)
    worldline_webhook_key_id = models.CharField(max_length=100, blank=True)
    worldline_webhook_secret = EncryptedField(blank=True)
    mollie_profile_id = models.CharField(max_length=40, blank=True)
    demo = models.BooleanField(
        default=False, help_text="Seeded for the demo (loket seed): an account no bank holds."
    )
    mollie_api_key = EncryptedField(blank=True, help_text="The profile's live key.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"merchant account of {self.administration_id}"
