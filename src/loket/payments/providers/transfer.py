"""Bank transfer: the applicant pays the account with the payment's structured communication
(shown with an EPC QR code); the payment is settled when an imported bank statement has the
line (``statements``), never by the applicant saying so."""

from __future__ import annotations

from collections.abc import Mapping

from loket.payments.models import Payment
from loket.payments.providers import Checkout, RefundNotOffered, RemoteStatus, UnknownPayment


class TransferProvider:
    name = "transfer"
    demo = False

    def start(self, payment: Payment, return_url: str) -> Checkout:
        return Checkout(provider_id=payment.reference)

    def handle_return(self, payment: Payment) -> RemoteStatus:
        return self.fetch_status(payment)

    def handle_notification(
        self, body: Mapping[str, str], headers: Mapping[str, str], raw: bytes = b""
    ) -> str:
        raise UnknownPayment("a bank sends statements, not notifications")

    def fetch_status(self, payment: Payment) -> RemoteStatus:
        """What the imported statements say: paid once the lines reach the amount."""
        paid = payment.paid_cents >= payment.amount_cents > 0
        return RemoteStatus(
            provider_id=payment.reference,
            status=Payment.Status.PAID if paid else payment.status,
            amount_cents=payment.amount_cents,
            currency=payment.currency,
            reference=payment.reference,
        )

    def refund(self, payment: Payment, amount_cents: int, reason: str) -> str:
        raise RefundNotOffered("a transfer is refunded by a transfer from the accountant")
