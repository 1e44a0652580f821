"""Worldline Direct (``onlinepayments-sdk-python3``), the provider of the federal framework
contract: a hosted checkout created through the API, paid on Worldline's page.

The return address's parameters (``hostedCheckoutId``, ``RETURNMAC``) are not read: the status is
fetched from the hosted checkout Loket created. Notifications (webhooks) are JSON events signed
with HMAC-SHA256 (``X-GCS-Signature``, key ``X-GCS-KeyId``), verified with the SDK's webhooks
helper before anything in them is read; then the payment is fetched again all the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from onlinepayments.sdk.api_exception import ApiException
from onlinepayments.sdk.call_context import CallContext
from onlinepayments.sdk.communication.communication_exception import CommunicationException
from onlinepayments.sdk.communication.metadata_provider import MetadataProvider
from onlinepayments.sdk.communication.not_found_exception import NotFoundException
from onlinepayments.sdk.communication.request_header import RequestHeader
from onlinepayments.sdk.communicator_configuration import CommunicatorConfiguration
from onlinepayments.sdk.domain.create_hosted_checkout_request import CreateHostedCheckoutRequest
from onlinepayments.sdk.domain.refund_request import RefundRequest
from onlinepayments.sdk.factory import Factory
from onlinepayments.sdk.json.default_marshaller import DefaultMarshaller
from onlinepayments.sdk.merchant.i_merchant_client import IMerchantClient
from onlinepayments.sdk.webhooks.secret_key_not_available_exception import (
    SecretKeyNotAvailableException,
)
from onlinepayments.sdk.webhooks.secret_key_store import SecretKeyStore
from onlinepayments.sdk.webhooks.signature_validation_exception import (
    SignatureValidationException,
)
from onlinepayments.sdk.webhooks.webhooks_helper import WebhooksHelper

from loket.config.payments import WorldlineSettings
from loket.core.http import HttpFailure
from loket.payments.merchants import worldline_merchants
from loket.payments.models import Payment
from loket.payments.providers import (
    Checkout,
    ForgedNotification,
    ProviderError,
    RemoteStatus,
    UnknownPayment,
    refund_key,
)
from loket.payments.providers.wire import DeadlineConnection

# The hosted checkout's own statuses, before a payment exists (or instead of one).
CHECKOUT_STATUSES = {
    "IN_PROGRESS": Payment.Status.OPEN,
    "CANCELLED_BY_CONSUMER": Payment.Status.CANCELLED,
    "CLIENT_NOT_ELIGIBLE_FOR_SELECTED_PAYMENT_PRODUCT": Payment.Status.FAILED,
}
# The payment's statuses in Loket's words; the others (CREATED, REDIRECTED, PENDING_…,
# AUTHORIZATION_REQUESTED, CAPTURE_REQUESTED) are still open. A refunded payment was paid.
PAYMENT_STATUSES = {
    "CAPTURED": Payment.Status.PAID,
    "REFUND_REQUESTED": Payment.Status.PAID,
    "REFUNDED": Payment.Status.PAID,
    "REJECTED": Payment.Status.FAILED,
    "REJECTED_CAPTURE": Payment.Status.FAILED,
    "CANCELLED": Payment.Status.CANCELLED,
}
LOCALES = {"fr": "fr_BE", "nl": "nl_BE", "en": "en_GB"}
# A partial redirect address ("preprod.direct.worldline-solutions.com/hostedcheckout/…") is
# completed with this, as the API reference says; redirectUrl is the same address whole.
PARTIAL_REDIRECT_PREFIX = "https://payment."


class ConfiguredKeys(SecretKeyStore):
    """The webhook keys of the merchants Loket knows (the platform's and the administrations'),
    and no other (the SDK's store is process-wide)."""

    def __init__(self, keys: Mapping[str, str]) -> None:
        self.keys = {key_id: secret for key_id, secret in keys.items() if key_id and secret}

    def get_secret_key(self, key_id: str) -> str:
        if key_id not in self.keys:
            raise SecretKeyNotAvailableException(key_id[:40], "unknown webhook key id")
        return self.keys[key_id]


class WorldlineProvider:
    name = "worldline"
    demo = False

    def __init__(
        self, config: WorldlineSettings | None = None, timeout: float | None = None
    ) -> None:
        payments = settings.CONFIG.payment_settings
        self.config = config or payments.worldline
        self.timeout = timeout or payments.timeout

    def merchant(self) -> IMerchantClient:
        configuration = CommunicatorConfiguration(
            api_endpoint=self.config.api_url,
            api_key_id=self.config.api_key_id,
            secret_api_key=self.config.api_secret,
            authorization_type="v1HMAC",
            connect_timeout=max(1, int(self.timeout)),
            socket_timeout=max(1, int(self.timeout)),
            integrator="Loket",
        )
        client = Factory.create_client_from_configuration(
            configuration,
            metadata_provider=MetadataProvider(integrator="Loket"),
            connection=DeadlineConnection(self.timeout),
        )
        return client.merchant(self.config.merchant_id)

    def start(self, payment: Payment, return_url: str) -> Checkout:
        case = payment.case
        body = CreateHostedCheckoutRequest().from_dictionary(
            {
                "order": {
                    "amountOfMoney": {
                        "amount": payment.amount_cents,
                        "currencyCode": payment.currency,
                    },
                    "references": {"merchantReference": payment.reference},
                },
                "hostedCheckoutSpecificInput": {
                    "returnUrl": return_url,
                    "locale": LOCALES.get(case.language if case else "", "fr_BE"),
                    "showResultPage": False,
                },
                "cardPaymentMethodSpecificInput": {"authorizationMode": "SALE"},
            }
        )
        context = CallContext(idempotence_key=str(payment.idempotency_key))
        created = self._call(
            lambda merchant: merchant.hosted_checkout().create_hosted_checkout(body, context)
        )
        url = created.redirect_url or (
            PARTIAL_REDIRECT_PREFIX + created.partial_redirect_url
            if created.partial_redirect_url
            else ""
        )
        if not created.hosted_checkout_id or not url:
            raise ProviderError("Worldline gave no hosted checkout")
        return Checkout(provider_id=str(created.hosted_checkout_id), redirect_url=str(url))

    def handle_return(self, payment: Payment) -> RemoteStatus:
        return self.fetch_status(payment)

    def handle_notification(
        self, body: Mapping[str, str], headers: Mapping[str, str], raw: bytes = b""
    ) -> str:
        """The hosted checkout a verified event is about. A signature that does not verify (or
        a key id that is not ours) is :class:`ForgedNotification`."""
        merchants = [self.config, *worldline_merchants()[1:]]
        helper = WebhooksHelper(
            DefaultMarshaller.instance(),
            ConfiguredKeys({merchant.webhook_key_id: merchant.webhook_secret
                            for merchant in reversed(merchants)}),
        )  # fmt: skip
        sent = [RequestHeader(name, value) for name, value in headers.items()]
        try:
            event = helper.unmarshal(raw, sent)
        except SignatureValidationException:
            raise ForgedNotification("signature does not verify") from None
        except Exception:
            raise UnknownPayment("an event Loket cannot read") from None
        if event.merchant_id not in {merchant.merchant_id for merchant in merchants}:
            raise UnknownPayment("an event for another merchant")
        output = event.payment.hosted_checkout_specific_output if event.payment else None
        if output is None or not output.hosted_checkout_id:
            raise UnknownPayment(f"an event without a hosted checkout ({event.type})"[:60])
        return str(output.hosted_checkout_id)

    def fetch_status(self, payment: Payment) -> RemoteStatus:
        checkout = self._call(
            lambda merchant: merchant.hosted_checkout().get_hosted_checkout(payment.provider_id)
        )
        created = checkout.created_payment_output
        remote = created.payment if created else None
        if remote is None or remote.payment_output is None:
            # No payment yet (or none ever): no money moved, nothing of theirs to compare.
            return RemoteStatus(
                provider_id=payment.provider_id,
                status=CHECKOUT_STATUSES.get(str(checkout.status), Payment.Status.OPEN),
                amount_cents=payment.amount_cents,
                currency=payment.currency,
                reference=payment.reference,
            )
        output = remote.payment_output
        money = output.amount_of_money
        references = output.references
        return RemoteStatus(
            provider_id=payment.provider_id,
            status=PAYMENT_STATUSES.get(str(remote.status), Payment.Status.OPEN),
            amount_cents=int(money.amount) if money and money.amount is not None else 0,
            currency=str(money.currency_code) if money else "",
            reference=str(references.merchant_reference) if references else "",
        )

    def refund(self, payment: Payment, amount_cents: int, reason: str) -> str:
        """Refund the payment the hosted checkout created, with the refund's idempotency key."""
        checkout = self._call(
            lambda merchant: merchant.hosted_checkout().get_hosted_checkout(payment.provider_id)
        )
        created = checkout.created_payment_output
        if created is None or created.payment is None or not created.payment.id:
            raise ProviderError("Worldline has no payment to refund")
        body = RefundRequest().from_dictionary(
            {"amountOfMoney": {"amount": amount_cents, "currencyCode": payment.currency}}
        )
        context = CallContext(idempotence_key=refund_key(payment, amount_cents))
        refunded = self._call(
            lambda merchant: merchant.payments().refund_payment(
                str(created.payment.id), body, context
            )
        )
        if str(refunded.status) in ("REJECTED", "CANCELLED"):
            raise ProviderError(f"Worldline refused the refund ({refunded.status})")
        return str(refunded.id)

    def _call(self, call: Callable[[IMerchantClient], Any]) -> Any:
        """One call to Worldline; its failures as Loket's (their text is safe to log)."""
        try:
            return call(self.merchant())
        except HttpFailure as failure:
            raise ProviderError(f"Worldline: {failure}") from None
        except NotFoundException:
            raise UnknownPayment("Worldline does not know this payment") from None
        except ApiException as error:
            if error.status_code in (404, 410):
                raise UnknownPayment("Worldline does not know this payment") from None
            raise ProviderError(f"Worldline refused ({error.status_code})") from None
        except CommunicationException:
            raise ProviderError("Worldline answered with an error") from None
