"""Paying a case: the "Pay" button, the transfer instructions, the return from a provider, the
providers' notifications, and the demo provider's own page.

The return address carries the payment's key only: whatever else it says, the outcome is fetched
from the provider (``actions.do_refresh``)."""

from __future__ import annotations

import logging
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from loket.audit.actions import do_record_security_event
from loket.cases.models import Case
from loket.cases.selectors import (
    get_case_for_agent,
    get_case_for_applicant,
)
from loket.core.models import User
from loket.payments import epc
from loket.payments.actions import (
    PaymentRefused,
    do_handle_notification,
    do_refresh,
    do_start_payment,
)
from loket.payments.expiry import pay_by
from loket.payments.fees import format_amount
from loket.payments.models import DemoCheckout, Payment
from loket.payments.providers import ProviderError, UnknownPayment, offered
from loket.payments.refunds import (
    check_refund,
    do_mark_paid_back,
    do_refund,
    money_of,
    parse_amount,
)
from loket.payments.selectors import (
    fee_of,
    payment_of_applicant,
    refund_of_case,
    transfer_details,
)

logger = logging.getLogger("loket.payments")


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _case_url(case: Case) -> str:
    return reverse("web:case", kwargs={"reference": case.reference})


def _return_url(payment: Payment) -> str:
    return reverse("payments:return", kwargs={"key": payment.idempotency_key})


@login_required
@require_POST
def pay(request: HttpRequest, reference: str) -> HttpResponse:
    """Start a payment; a double click (same key) lands on the same payment."""
    case = get_case_for_applicant(_user(request), reference)
    try:
        key = uuid.UUID(request.POST.get("idempotency_key", ""))
    except ValueError:
        messages.error(request, _("The form was out of date: press 'Pay' again."))
        return redirect(_case_url(case))
    provider = request.POST.get("provider", "")
    try:
        payment = do_start_payment(
            case, provider, key, _user(request),
            lambda payment: request.build_absolute_uri(_return_url(payment)),
        )  # fmt: skip
    except PaymentRefused as refused:
        messages.error(request, refused.message)
        return redirect(_case_url(case))
    if payment.is_final:
        return redirect(_return_url(payment))
    if payment.checkout_url:
        return redirect(payment.checkout_url)
    return redirect("payments:transfer", key=payment.idempotency_key)


@login_required
def transfer(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    """The details of a transfer, its QR code, and the last day to pay while the case waits."""
    payment = payment_of_applicant(_user(request), str(key))
    if payment.provider != "transfer":
        raise Http404
    case = payment.case  # found through its applicant: there
    assert case is not None
    fee = fee_of(case)
    waiting = (
        fee is not None
        and fee.paid_by_id is None
        and case.status == Case.Status.AWAITING_PAYMENT
        and payment.status == Payment.Status.OPEN
    )
    code = epc.qr_code(payment)
    return render(
        request,
        "payments/transfer.html",
        {
            "payment": payment,
            "case": case,
            "transfer": transfer_details(payment),
            "pay_by": pay_by(fee) if waiting and fee is not None else None,
            "on_transfer_page": True,
            "not_awaited": not waiting,
            "qr_svg": code.svg_inline(scale=4, title=_("EPC QR code of the transfer")),
        },
    )


@login_required
def payment_return(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    """Back from the provider: fetch the outcome there, then show the case."""
    user = _user(request)
    payment = Payment.objects.filter(idempotency_key=key, case__applicant=user).first()
    if payment is None:
        do_record_security_event("payment-return-unknown", key=str(key))
        raise Http404
    try:
        payment = do_refresh(payment)
    except PaymentRefused as refused:
        messages.error(request, refused.message)
    except ProviderError:
        logger.warning("payment %s: provider did not answer on return", payment.reference)
        messages.info(
            request,
            _("We could not yet confirm your payment with the payment service. This page will "
              "show it as soon as it is confirmed."),
        )  # fmt: skip
    else:
        fee = fee_of(payment.case) if payment.case is not None else None
        if payment.status == Payment.Status.CANCELLED and fee is not None and fee.paid_by_id:
            messages.info(request, closed_because(payment))
        elif payment.status == Payment.Status.PAID and fee and fee.paid_by_id != payment.pk:
            messages.warning(request, paid_twice_message(payment))
        elif payment.status == Payment.Status.PAID:
            messages.success(request, _("Thank you: your payment is received."))
        elif payment.status == Payment.Status.OPEN:
            messages.info(request, _("Your payment is not confirmed yet."))
        else:
            messages.error(request, _("The payment was not made. You can try again."))
    case = payment.case
    assert case is not None  # found through its applicant
    return redirect(_case_url(case))


def closed_because(payment: Payment) -> str:
    """Why a closed attempt takes no money: the fee is paid, or nothing is expected any more."""
    fee = fee_of(payment.case) if payment.case is not None else None
    if fee is not None and fee.paid_by_id is not None:
        return _("This fee is already paid: this payment was closed and takes no money. "
                 "Nothing was charged here.")  # fmt: skip
    return _("This payment was closed: the application no longer waits for it. Nothing was "
             "charged here.")  # fmt: skip


def paid_twice_message(payment: Payment) -> str:
    return _("This fee was already paid: this second payment of %(amount)s will be paid back to "
             "you. You do not need to do anything.") % {"amount": payment.display}  # fmt: skip


@csrf_exempt
@require_POST
def notify(request: HttpRequest, provider: str) -> HttpResponse:
    """A provider's notification (webhook): 200 once handled, 404 for a payment it names that
    Loket does not know (logged), 503 when the provider cannot be asked (it will retry)."""
    raw = request.body  # before the form is parsed: a signature covers the bytes as sent
    body = {key: request.POST.get(key, "") for key in request.POST}
    try:
        do_handle_notification(provider, body, dict(request.headers), raw)
    except UnknownPayment:
        return JsonResponse({"status": "unknown"}, status=404)
    except PaymentRefused:
        return JsonResponse({"status": "refused"}, status=409)
    except ProviderError:
        return JsonResponse({"status": "retry"}, status=503)
    return JsonResponse({"status": "ok"})


def demo_checkout(request: HttpRequest, token: str) -> HttpResponse:
    """The demo provider's page: pay, fail or abandon. It then notifies Loket, as a provider
    does, and sends the browser back to the return address."""
    if "demo" not in offered():
        raise Http404
    checkout = get_object_or_404(DemoCheckout, token=token)
    payment = Payment.objects.filter(provider="demo", provider_id=token).first()
    if payment is not None and payment.status == Payment.Status.CANCELLED:
        return render(
            request, "payments/demo_checkout.html",
            {"checkout": checkout, "closed": closed_because(payment),
             "amount": format_amount(checkout.amount_cents)}, status=409,
        )  # fmt: skip
    outcome = request.POST.get("outcome", "") if request.method == "POST" else ""
    if outcome in ("paid", "failed", "canceled") and checkout.status == "open":
        checkout.status = outcome
        checkout.save(update_fields=["status"])
        try:
            do_handle_notification("demo", {"id": checkout.token}, {})
        except (UnknownPayment, PaymentRefused):
            logger.warning("demo checkout %s: notification refused", checkout.token)
        return redirect(checkout.return_url)
    amount = format_amount(checkout.amount_cents)
    return render(request, "payments/demo_checkout.html", {"checkout": checkout, "amount": amount})


@login_required
def refunds(request: HttpRequest, reference: str) -> HttpResponse:
    """A civil servant's page of a case's payments, to refund one fully or partly with a
    reason. "Refund" shows what will happen (how much, to whom, how, why); only "Confirm the
    refund" does it. A refused refund comes back with what was typed."""
    agent = _user(request)
    case = get_case_for_agent(agent, reference)
    typed = {"payment": "", "amount": "", "reason": ""}
    error, status, preview = "", 200, None
    if request.method == "POST":
        typed = {key: request.POST.get(key, "")[:2000] for key in typed}
        confirmed = request.POST.get("action") == "confirm"
        if request.POST.get("action") == "paid_back":
            refund = refund_of_case(case, request.POST.get("refund", ""))
            if refund is None or refund.provider_refund_id:
                raise Http404
            do_mark_paid_back(refund, timezone.localdate(), agent)
            messages.success(request, _("The refund is marked as paid back."))
            return redirect("payments:refunds", reference=case.reference)
        payment = case.payments.filter(reference=typed["payment"]).first()
        try:
            if payment is None:
                raise PaymentRefused(_("Choose the payment to refund."))
            amount = parse_amount(typed["amount"])
            if confirmed:
                do_refund(payment, agent, amount, typed["reason"])
            else:
                preview = check_refund(payment, amount, typed["reason"])
        except PaymentRefused as refused:
            error, status = refused.message, 422
        else:
            if confirmed:
                messages.success(request, _("The refund is recorded and the applicant is told."))
                return redirect("payments:refunds", reference=case.reference)
    payments = [money_of(payment) for payment in case.payments.all()]
    return render(
        request,
        "payments/refunds.html",
        {
            "case": case,
            "payments": payments,
            "typed": typed,
            "error": error,
            "preview": preview,
            "case_language": _language_name(case.language),
        },
        status=status,
    )


def _language_name(code: str) -> str:
    """The case's language, named in the active one ("Dutch", "néerlandais")."""
    try:
        return str(get_language_info(code or "fr")["name_translated"])
    except KeyError:
        return code
