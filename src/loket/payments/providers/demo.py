"""The demo provider: a page of Loket itself that can pay, fail or be abandoned. No money
moves; production refuses it (``providers.refuse_demo_provider_in_production``)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping

from django.urls import reverse

from loket.cases.models import Case
from loket.core.models import User
from loket.payments.models import DemoCheckout, Payment
from loket.payments.providers import Checkout, RemoteStatus, UnknownPayment

# The demo's statuses, as a provider names them, in Loket's words.
STATUSES = {
    "open": Payment.Status.OPEN,
    "paid": Payment.Status.PAID,
    "failed": Payment.Status.FAILED,
    "canceled": Payment.Status.CANCELLED,
    "expired": Payment.Status.EXPIRED,
}


class DemoProvider:
    name = "demo"
    demo = True

    def start(self, payment: Payment, return_url: str) -> Checkout:
        checkout = DemoCheckout.objects.create(
            token=f"demo_{secrets.token_urlsafe(12)}",
            amount_cents=payment.amount_cents,
            currency=payment.currency,
            reference=payment.reference,
            return_url=return_url,
        )
        url = reverse("payments:demo-checkout", kwargs={"token": checkout.token})
        return Checkout(provider_id=checkout.token, redirect_url=url)

    def handle_return(self, payment: Payment) -> RemoteStatus:
        return self.fetch_status(payment)

    def handle_notification(
        self, body: Mapping[str, str], headers: Mapping[str, str], raw: bytes = b""
    ) -> str:
        """Like Mollie, the demo's notification only names the payment: Loket fetches it."""
        token = str(body.get("id", ""))
        if not DemoCheckout.objects.filter(token=token).exists():
            raise UnknownPayment(token[:60])
        return token

    def fetch_status(self, payment: Payment) -> RemoteStatus:
        checkout = DemoCheckout.objects.filter(token=payment.provider_id).first()
        if checkout is None:
            raise UnknownPayment(payment.provider_id)
        return RemoteStatus(
            provider_id=checkout.token,
            status=STATUSES.get(checkout.status, Payment.Status.OPEN),
            amount_cents=checkout.amount_cents,
            currency=checkout.currency,
            reference=checkout.reference,
        )

    def refund(self, payment: Payment, amount_cents: int, reason: str) -> str:
        return f"demo_refund_{secrets.token_urlsafe(8)}"

    def cancel(self, payment: Payment) -> None:
        """The demo page of an open payment takes no money any more."""
        DemoCheckout.objects.filter(token=payment.provider_id, status="open").update(
            status="canceled"
        )


def pay_on_demo_page(case: Case, actor: User) -> Payment:
    """Pay a case's fee as a person does on the demo page (``loket demo``'s seeded history)."""
    from loket.payments.actions import do_refresh, do_start_payment

    payment = do_start_payment(case, "demo", uuid.uuid4(), actor, lambda payment: "/")
    DemoCheckout.objects.filter(token=payment.provider_id).update(status="paid")
    return do_refresh(payment)
