"""Mollie (``mollie-api-python``): a payment created through the API, paid on Mollie's checkout
page. Mollie's notification carries only the payment's id, so the status is always fetched again
from the API; nothing in the POST body is believed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from mollie.api.client import Client
from mollie.api.error import Error as MollieError
from mollie.api.error import IdentifierError, NotFoundError
from mollie.api.objects.payment import Payment as MolliePayment

from loket.config.payments import MollieSettings
from loket.core.http import HttpFailure
from loket.payments.models import Payment
from loket.payments.providers import (
    Checkout,
    ProviderError,
    RemoteStatus,
    UnknownPayment,
    refund_key,
)
from loket.payments.providers.wire import DeadlineSession

# Mollie's statuses in Loket's words. "authorized" (a card held, not captured) is not paid yet.
STATUSES = {
    "open": Payment.Status.OPEN,
    "pending": Payment.Status.OPEN,
    "authorized": Payment.Status.OPEN,
    "paid": Payment.Status.PAID,
    "canceled": Payment.Status.CANCELLED,
    "expired": Payment.Status.EXPIRED,
    "failed": Payment.Status.FAILED,
}


def money(cents: int, currency: str) -> dict[str, str]:
    """Mollie's amount: the value as text with exactly two decimals ("50.00")."""
    return {"currency": currency, "value": f"{Decimal(cents) / 100:.2f}"}


def cents_of(amount: Mapping[str, str] | None) -> tuple[int, str]:
    if not amount:
        return 0, ""
    return int(Decimal(str(amount["value"])) * 100), str(amount["currency"])


def notification_url(return_url: str) -> str:
    """Where Mollie posts its notifications: the public address, or the return address's origin."""
    path = reverse("payments-notify:notify", kwargs={"provider": "mollie"})
    base = settings.CONFIG.public_url
    if not base:
        parts = urlsplit(return_url)
        base = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    return f"{base}{path}"


class MollieProvider:
    name = "mollie"
    demo = False

    def __init__(self, config: MollieSettings | None = None, timeout: float | None = None) -> None:
        payments = settings.CONFIG.payment_settings
        self.config = config or payments.mollie
        self.timeout = timeout or payments.timeout

    def client(self) -> Client:
        client = Client(api_endpoint=self.config.api_url)
        try:
            client.set_api_key(self.config.api_key)
        except MollieError:  # its message quotes the key: never passed on
            raise ProviderError("LOKET_MOLLIE_API_KEY is not a Mollie key") from None
        client._client = DeadlineSession(self.timeout)  # whole-exchange deadline, no retry
        return client

    def start(self, payment: Payment, return_url: str) -> Checkout:
        case = payment.case
        data = {
            "amount": money(payment.amount_cents, payment.currency),
            "description": f"{case.reference if case else ''} {payment.reference}".strip(),
            "redirectUrl": return_url,
            "webhookUrl": notification_url(return_url),
            "metadata": {"reference": payment.reference, "key": str(payment.idempotency_key)},
        }
        if case is not None and case.language in ("fr", "nl", "en"):
            data["locale"] = {"fr": "fr_BE", "nl": "nl_BE", "en": "en_US"}[case.language]
        created = self._call(
            lambda client: client.payments.create(
                data, idempotency_key=str(payment.idempotency_key)
            )
        )
        if not created.checkout_url:
            raise ProviderError("Mollie gave no checkout address")
        return Checkout(provider_id=str(created.id), redirect_url=str(created.checkout_url))

    def handle_return(self, payment: Payment) -> RemoteStatus:
        return self.fetch_status(payment)

    def handle_notification(
        self, body: Mapping[str, str], headers: Mapping[str, str], raw: bytes = b""
    ) -> str:
        """Mollie posts ``id=tr_…`` and nothing else: the id is only a hint of what to fetch."""
        provider_id = str(body.get("id", ""))
        if not provider_id.startswith("tr_") or not provider_id[3:].isalnum():
            raise UnknownPayment(provider_id[:60])
        return provider_id

    def fetch_status(self, payment: Payment) -> RemoteStatus:
        remote = self._get(payment.provider_id)
        amount, currency = cents_of(remote.amount)
        metadata = remote.metadata if isinstance(remote.metadata, dict) else {}
        return RemoteStatus(
            provider_id=str(remote.id),
            status=STATUSES.get(str(remote.status), Payment.Status.OPEN),
            amount_cents=amount,
            currency=currency,
            reference=str(metadata.get("reference", "")),
        )

    def refund(self, payment: Payment, amount_cents: int, reason: str) -> str:
        """Through the payment's refunds endpoint, with the refund's idempotency key: a refund
        retried after a lost answer is not made twice."""
        data = {"amount": money(amount_cents, payment.currency), "description": reason[:140]}
        key = refund_key(payment, amount_cents)
        created = self._call(
            lambda client: client.payments.get(payment.provider_id).refunds.create(
                data, idempotency_key=key
            )
        )
        return str(created.id)

    def cancel(self, payment: Payment) -> None:
        """``DELETE /v2/payments/{id}``: Mollie cancels a payment while it is cancelable (an
        open one); otherwise it refuses (422), and a :class:`ProviderError` says so."""
        self._call(lambda client: client.payments.delete(payment.provider_id))

    def _get(self, provider_id: str) -> MolliePayment:
        remote: MolliePayment = self._call(lambda client: client.payments.get(provider_id))
        return remote

    def _call(self, call: Callable[[Client], Any]) -> Any:
        """One call to Mollie; its failures as Loket's (their text is safe to log)."""
        try:
            return call(self.client())
        except HttpFailure as failure:
            raise ProviderError(f"Mollie: {failure}") from None
        except (NotFoundError, IdentifierError):
            raise UnknownPayment("Mollie does not know this payment") from None
        except MollieError as error:
            status = getattr(error, "status", None)
            raise ProviderError(f"Mollie refused ({status or type(error).__name__})") from None
