"""The EPC QR code ("SEPA credit transfer" QR, EPC069-12) that a banking app scans to fill in
a transfer: beneficiary, IBAN, BIC, amount and the structured communication."""

from __future__ import annotations

from decimal import Decimal

import segno

from loket.core.models import Administration
from loket.payments.merchants import transfer_account
from loket.payments.models import Payment


def account(administration: Administration | None) -> dict[str, str]:
    """The account a transfer for ``administration`` is paid to: its own merchant account's, or
    the platform's (``merchants.transfer_account``)."""
    return transfer_account(administration)


def grouped_iban(iban: str) -> str:
    """The IBAN in blocks of four, as printed on bank cards and statements."""
    compact = iban.replace(" ", "").upper()
    return " ".join(compact[start : start + 4] for start in range(0, len(compact), 4))


def payload(payment: Payment) -> str:
    """The EPC069-12 text: service tag, version 002, UTF-8, SCT, BIC, beneficiary, IBAN, amount,
    no purpose, and the structured communication as the (structured) remittance reference."""
    to = account(payment.administration)
    amount = f"EUR{Decimal(payment.amount_cents) / 100:.2f}"
    reference = payment.reference.strip("+").replace("/", "")
    return "\n".join(
        ["BCD", "002", "1", "SCT", to["bic"], to["name"], to["iban"].replace(" ", ""), amount, "",
         reference]
    )  # fmt: skip


def qr_code(payment: Payment) -> segno.QRCode:
    """The QR code of ``payment``'s transfer (error correction M, as EPC069-12 asks)."""
    return segno.make(payload(payment), error="m", micro=False, encoding="utf-8")
