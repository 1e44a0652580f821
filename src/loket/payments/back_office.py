"""The back-office's money pages beside a case's own: importing a bank statement, the
administration's queue of money to give back, and the merchant accounts that the region's staff
manage. Each reads through a scoped selector and writes through an action."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loket.audit.actions import do_record_security_event
from loket.audit.subjects import person_pseudonym
from loket.cases.selectors import agent_administration_ids
from loket.core.models import Administration, User
from loket.payments import merchants
from loket.payments.actions import PaymentRefused
from loket.payments.models import MerchantAccount, Payment, Refund
from loket.payments.reconcile import check_may_import, do_import_lines
from loket.payments.refunds import do_give_back_owed, do_mark_paid_back, refunds_queue
from loket.payments.statements import StatementError, read_statement

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_STATEMENT_BYTES = 5 * 1024 * 1024


def _agent(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not agent_administration_ids(user):
        raise Http404
    return user


@login_required
def import_statement(request: HttpRequest) -> HttpResponse:
    """Upload a camt.053 or CODA file of the administration's account and read what became of
    each line: totals per outcome (how many, how much), money to look at, and the money that
    left the account in its own group. A file that is not one, or of another account, is
    refused (422) and nothing is imported."""
    agent = _agent(request)
    error, report, status = "", None, 200
    if request.method == "POST":
        upload = request.FILES.get("statement")
        try:
            if upload is None:
                raise PaymentRefused(_("Choose the statement file (camt.053 or CODA)."))
            if upload.size is None or upload.size > MAX_STATEMENT_BYTES:
                raise PaymentRefused(_("The file is larger than 5 MB: is it a bank statement?"))
            try:
                lines = read_statement(upload.read())
            except (StatementError, UnicodeDecodeError):
                raise PaymentRefused(
                    _("This file is not a bank statement Loket can read (camt.053 or CODA): "
                      "nothing was imported.")
                ) from None  # fmt: skip
            check_may_import(agent, lines)
        except PaymentRefused as refused:
            error, status = refused.message, 422
        else:
            report = do_import_lines(lines)
    own = set(agent_administration_ids(agent))
    return render(
        request,
        "payments/import_statement.html",
        {"error": error, "report": report, "own": own},
        status=status,
    )


@login_required
def refunds_queue_page(request: HttpRequest) -> HttpResponse:
    """Everything the agent's administrations owe back, oldest first, each with an action to
    record it as given back (in the case's history; the applicant is told)."""
    agent = _agent(request)
    administrations = agent_administration_ids(agent)
    if request.method == "POST":
        try:
            if request.POST.get("refund"):
                refund = Refund.objects.filter(
                    pk=_number(request.POST["refund"]), provider_refund_id="",
                    payment__administration_id__in=administrations,
                ).first()  # fmt: skip
                if refund is None:
                    _refuse(agent, refund=request.POST["refund"][:20])
                do_mark_paid_back(refund, timezone.localdate(), agent)
            else:
                named = request.POST.get("payment", "")[:40]
                payment = Payment.objects.filter(
                    reference=named, administration_id__in=administrations, case__isnull=False
                ).first()
                if payment is None:
                    _refuse(agent, payment=named)
                do_give_back_owed(payment, agent, timezone.localdate())
        except PaymentRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Recorded as given back; the applicant is told."))
        return redirect("payments:refunds-queue")
    return render(
        request,
        "payments/refunds_queue.html",
        {
            "items": refunds_queue(administrations),
            "administrations": Administration.objects.filter(id__in=administrations),
        },
    )


def _refuse(agent: User, **named: str) -> NoReturn:
    """Another administration's money, or none: the same 404, and the attempt is logged."""
    do_record_security_event(
        "refund-outside-tenancy", actor_pseudonym=person_pseudonym(agent), user_id=agent.pk,
        **named,
    )  # fmt: skip
    raise Http404


def _number(text: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise Http404
    return int(text)


def _region_staff(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not merchants.may_manage(user):
        raise Http404
    return user


@login_required
def merchant_accounts(request: HttpRequest) -> HttpResponse:
    """The region's staff: every administration, and which have their own account."""
    _region_staff(request)
    accounts = {account.administration_id: account for account in MerchantAccount.objects.all()}
    rows = [
        (administration, accounts.get(administration.pk))
        for administration in Administration.objects.order_by("kind", "id")
    ]
    return render(request, "payments/merchant_accounts.html", {"rows": rows})


SECRET_HELP = gettext_lazy("Stored encrypted and never shown. Leave empty to keep the one stored.")


def _optional(label: StrOrPromise, max_length: int) -> forms.CharField:
    """A field left empty to fall back to the platform's value."""
    return forms.CharField(label=label, required=False, max_length=max_length)


def _secret(label: StrOrPromise) -> forms.CharField:
    """A secret: typed, never shown back; empty keeps the one stored."""
    return forms.CharField(
        label=label, required=False, max_length=200, widget=forms.PasswordInput,
        help_text=SECRET_HELP,
    )  # fmt: skip


class MerchantAccountForm(forms.Form):
    iban = _optional(gettext_lazy("IBAN"), 42)
    bic = _optional(gettext_lazy("BIC"), 14)
    beneficiary = _optional(
        gettext_lazy("Beneficiary (the account holder's name as the bank knows it)"), 70
    )
    worldline_merchant_id = _optional(gettext_lazy("Worldline merchant (PSPID)"), 40)
    worldline_api_key_id = _optional(gettext_lazy("Worldline API key id"), 100)
    worldline_api_secret = _secret(gettext_lazy("Worldline API secret"))
    worldline_webhook_key_id = _optional(gettext_lazy("Worldline webhook key id"), 100)
    worldline_webhook_secret = _secret(gettext_lazy("Worldline webhook secret"))
    mollie_profile_id = _optional(gettext_lazy("Mollie profile"), 40)
    mollie_api_key = _secret(gettext_lazy("Mollie API key of the profile"))


@login_required
def merchant_account(request: HttpRequest, administration_id: str) -> HttpResponse:
    """One administration's merchant account; empty fields fall back to the platform's."""
    staff = _region_staff(request)
    administration = get_object_or_404(Administration, pk=administration_id)
    stored = merchants.account_of(administration.pk)
    initial: dict[str, Any] = (
        {name: getattr(stored, name) for name in merchants.PLAIN} if stored else {}
    )
    form = MerchantAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        typed = merchants.Typed(
            plain={name: form.cleaned_data[name] for name in merchants.PLAIN},
            secrets={name: form.cleaned_data[name] for name in merchants.SECRETS},
        )
        try:
            merchants.do_save_merchant_account(administration, staff, typed)
        except merchants.MerchantAccountRefused as refused:
            for name, message in refused.errors.items():
                form.add_error(name, message)
        else:
            messages.success(request, _("The merchant account is saved."))
            return redirect("payments:merchant-accounts")
    secrets_set = {name: bool(stored and getattr(stored, name)) for name in merchants.SECRETS}
    return render(
        request,
        "payments/merchant_account.html",
        {
            "form": form,
            "administration": administration,
            "secrets_set": secrets_set,
            "platform": merchants.transfer_account(None),
        },
        status=422 if form.errors else 200,
    )
