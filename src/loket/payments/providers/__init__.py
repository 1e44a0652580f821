"""Payment providers as plugins: one interface (:class:`Provider`), a registry, and the check
that production offers no demo provider.

Each provider declares ``name`` and ``demo``, and implements:

- ``start(payment, return_url)``: create the payment on the provider's side; a
  :class:`Checkout` says where the applicant goes (or what they do, for a transfer);
- ``handle_return(payment)``: the applicant is back; the outcome is fetched from the provider,
  whatever the return address says;
- ``handle_notification(body, headers, raw)``: which of its payments the provider says changed
  (``body`` is the form, ``raw`` the bytes as received, which a signature covers); a notification
  is verified (signature) or only names a payment to fetch again;
- ``fetch_status(payment)``: the payment as the provider holds it (:class:`RemoteStatus`);
- ``refund(payment, amount_cents, reason)``: give money back (:class:`RefundNotOffered` when
  the provider cannot: accounting pays it back);
- optionally ``cancel(payment)``: close an open payment on the provider's side so that its page
  takes no money any more (the fee was paid by another attempt, the case was withdrawn). A
  provider without it (a transfer, which nobody can stop) is only closed in Loket: money that
  still arrives is recorded and refunded (:func:`cancel_at_provider`).

Which providers an applicant is offered: those of ``LOKET_PAYMENT_PROVIDERS`` (the deployment's),
narrowed per procedure and administration by ``providers:`` in fees.yaml (:func:`offered_for`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Protocol

from django.conf import settings

from loket.config import ConfigurationError

if TYPE_CHECKING:
    from loket.payments.models import Payment

logger = logging.getLogger("loket.payments")

PROVIDERS: dict[str, str] = {
    "demo": "loket.payments.providers.demo.DemoProvider",
    "transfer": "loket.payments.providers.transfer.TransferProvider",
    "mollie": "loket.payments.providers.mollie.MollieProvider",
    "worldline": "loket.payments.providers.worldline.WorldlineProvider",
}


class ProviderError(Exception):
    """The provider did not answer as expected (down, timeout, refusal)."""


class UnknownPayment(ProviderError):
    """A notification or return names no payment the provider knows."""


class ForgedNotification(UnknownPayment):
    """A notification whose signature does not verify: nothing in it is read."""


class RefundNotOffered(ProviderError):
    """The provider cannot give money back (a transfer): accounting pays it back."""


@dataclass(frozen=True)
class Checkout:
    """Where the applicant goes to pay (``redirect_url``), or nothing for a transfer, whose
    instructions Loket shows itself; ``provider_id`` is the provider's name for the payment."""

    provider_id: str
    redirect_url: str = ""


@dataclass(frozen=True)
class RemoteStatus:
    """A payment as the provider holds it: its status in Loket's words (``Payment.Status``),
    and the amount and reference the provider has, compared with ours before anything is
    applied."""

    provider_id: str
    status: str
    amount_cents: int
    currency: str
    reference: str


class Provider(Protocol):
    name: str
    demo: bool

    def start(self, payment: Payment, return_url: str) -> Checkout: ...

    def handle_return(self, payment: Payment) -> RemoteStatus: ...

    def handle_notification(
        self, body: Mapping[str, str], headers: Mapping[str, str], raw: bytes = b""
    ) -> str: ...

    def fetch_status(self, payment: Payment) -> RemoteStatus: ...

    def refund(self, payment: Payment, amount_cents: int, reason: str) -> str: ...


def get_provider(name: str, administration_id: str | None = None) -> Provider:
    """The provider called ``name``, with ``administration_id``'s own contract with it when it
    has one (``merchants``: a Mollie profile, a Worldline PSPID), else the platform's; a
    ``ConfigurationError`` for one Loket does not know."""
    if name not in PROVIDERS:
        raise ConfigurationError(f"unknown payment provider {name!r}")
    module, _dot, cls = PROVIDERS[name].rpartition(".")
    provider_class = getattr(import_module(module), cls)
    if administration_id and name in ("mollie", "worldline"):
        from loket.payments import merchants  # its models import this module's callers

        own = (merchants.mollie_settings if name == "mollie" else merchants.worldline_settings)(
            administration_id
        )
        provider: Provider = provider_class(own)
        return provider
    provider = provider_class()
    return provider


def cancel_at_provider(payment: Payment) -> bool:
    """Close ``payment`` at its provider when the provider can (True); a provider that cannot,
    or does not answer, leaves it open there (False, logged): Loket has closed it already."""
    provider = get_provider(payment.provider, payment.administration_id)
    cancel = getattr(provider, "cancel", None)
    if cancel is None:
        return False
    try:
        cancel(payment)
    except ProviderError as error:
        logger.warning("payment %s: not cancelled at %s: %s", payment.reference, payment.provider,
                       error)  # fmt: skip
        return False
    return True


def offered() -> list[str]:
    """The providers offered to applicants, in the configured order."""
    return [name for name in settings.CONFIG.payment_providers if name in PROVIDERS]


def offered_for(procedure_id: str, administration_id: str) -> list[str]:
    """The providers offered for a procedure at an administration: the deployment's, narrowed by
    the fee's ``providers:`` in fees.yaml (an administration that contracted one provider)."""
    from loket.payments.fees import providers_of

    chosen = providers_of(procedure_id, administration_id)
    return [name for name in offered() if chosen is None or name in chosen]


def refund_key(payment: Payment, amount_cents: int) -> str:
    """The idempotency key of the next refund of ``payment``: the same for a retry of a refund
    whose answer was lost (nothing recorded yet), another for the refund after it."""
    done = payment.refunds.count()
    return str(uuid.uuid5(payment.idempotency_key, f"refund {done} {amount_cents}"))


def demo_provider_problems() -> list[str]:
    names = settings.CONFIG.payment_providers
    unknown = [name for name in names if name not in PROVIDERS]
    problems = [f"LOKET_PAYMENT_PROVIDERS names unknown providers: {unknown}"] if unknown else []
    return problems + [
        f"LOKET_PAYMENT_PROVIDERS offers {name!r}, a demo provider (no money moves)"
        for name in names
        if name in PROVIDERS and get_provider(name).demo
    ]


def refuse_demo_provider_in_production() -> None:
    """Stop Loket under ``LOKET_ENV=production`` when a demo provider is offered (config.py
    refuses the name ``demo`` already; this also catches any provider marked ``demo``)."""
    if getattr(settings, "LOKET_ENV", "") != "production":
        return
    problems = demo_provider_problems()
    if problems:
        raise ConfigurationError("Loket refuses to start in production: " + "; ".join(problems))
