"""The EPC QR code ("SEPA credit transfer" QR, EPC069-12) that a banking app scans to fill in
a transfer: beneficiary, IBAN, BIC, amount and the structured communication."""

from __future__ import annotations

from decimal import Decimal

import segno
from django.conf import settings
from segno import helpers

from loket.payments.models import Payment


def account() -> dict[str, str]:
    return dict(settings.CONFIG.payment_account)


def qr_code(payment: Payment) -> segno.QRCode:
    """The QR code of ``payment``'s transfer; the structured communication goes in the
    "reference" field, where banks expect a structured (creditor) reference."""
    to = account()
    return helpers.make_epc_qr(
        name=to["name"],
        iban=to["iban"],
        amount=Decimal(payment.amount_cents) / 100,
        bic=to["bic"],
        reference=payment.reference.strip("+").replace("/", ""),
        encoding="utf-8",
    )
