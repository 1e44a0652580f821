"""Paying a case as the applicant does: the "Pay" button, then the demo provider's page."""

from __future__ import annotations

import uuid

from django.test import Client

from loket.cases.models import Case
from loket.payments.models import Payment


def start_payment(client: Client, case: Case, provider: str = "demo", key: str = "") -> Payment:
    key = key or str(uuid.uuid4())
    response = client.post(
        f"/en/payments/cases/{case.reference}/pay/",
        {"provider": provider, "idempotency_key": key},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Payment.objects.get(idempotency_key=key)


def pay_with_demo(client: Client, case: Case, outcome: str = "paid") -> Payment:
    """Pay (or fail, or abandon) on the demo page, then come back as the browser does."""
    payment = start_payment(client, case)
    page = client.post(f"/en/payments/demo/{payment.provider_id}/", {"outcome": outcome})
    assert page.status_code == 302
    back = client.get(page["Location"])
    assert back.status_code == 302
    payment.refresh_from_db()
    case.refresh_from_db()
    return payment
