"""What payments write in a case's history, as codes rendered in the reader's language
(``cases.history``): the text for each code, and the note as written at the time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from loket.cases.history import register_note
from loket.payments.fees import format_amount
from loket.payments.models import PROVIDER_LABELS, Payment

STARTED = "payment-started"
NOT_MADE = "payment-not-made"
PAID = "payment-paid"
AFTER_WITHDRAWAL = "payment-after-withdrawal"
PAID_TWICE = "payment-paid-twice"
LAPSED = "payment-lapsed"
PAID_BACK = "payment-paid-back"


def _words(params: Mapping[str, Any]) -> dict[str, Any]:
    provider = str(params.get("provider", ""))
    words: dict[str, Any] = {
        "amount": format_amount(int(params.get("amount_cents", 0))),
        "provider": str(PROVIDER_LABELS.get(provider, provider)),
        "days": int(params.get("days", 0)),
        "reference": str(params.get("reference", "")),
    }
    if "status" in params:
        words["status"] = str(Payment.Status(params["status"]).label)
    return words


def render(code: str, params: Mapping[str, Any]) -> str:
    """The entry ``code`` with ``params``, in the active language."""
    texts = {
        STARTED: _("Payment of %(amount)s started: %(provider)s (reference %(reference)s).")
        if params.get("reference") else _("Payment of %(amount)s started: %(provider)s."),
        NOT_MADE: _("The payment of %(amount)s was not made (%(status)s). You can pay again, in "
                    "another way if you wish."),
        PAID: _("Paid: %(amount)s (%(provider)s)."),
        AFTER_WITHDRAWAL: _("A payment of %(amount)s was received after the application was "
                            "withdrawn or lapsed (%(provider)s): it will be refunded."),
        PAID_TWICE: _("A second payment of %(amount)s was received (%(provider)s): it will be "
                      "refunded."),
        PAID_BACK: _("Paid back by transfer: %(amount)s."),
        LAPSED: _("Not paid within %(days)s days: the application has lapsed. You can apply "
                  "again."),
    }  # fmt: skip
    return texts[code] % _words(params)


def written(code: str, params: Mapping[str, Any], language: str) -> str:
    """The entry as written at the time, in the case's language (kept in ``note``)."""
    with translation.override(language or "fr"):
        return render(code, params)


def register() -> None:
    for code in (STARTED, NOT_MADE, PAID, AFTER_WITHDRAWAL, PAID_TWICE, LAPSED, PAID_BACK):
        register_note(code, lambda params, code=code: render(code, params))  # type: ignore[misc]
