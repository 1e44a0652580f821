"""The demo login, and what a logged-in person sees of their own: cases and data consultations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import translate_url
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, get_language_from_path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loket.accounts.authentication import demo_login_enabled, log_in, log_out
from loket.cases.actions import (
    CaseRefused,
    check_can_post_message,
    check_can_request_review,
    do_post_message,
    do_request_review,
)
from loket.cases.decision_documents import decision_document, earlier_decisions
from loket.cases.history import history
from loket.cases.models import Case, CaseEvent
from loket.cases.notices import do_mark_seen_by_applicant
from loket.cases.selectors import cases_of_applicant, get_case_for_applicant, open_request
from loket.certificates.selectors import certificates_of_holders_case, latest_certificates_by_case
from loket.core.i18n import pick
from loket.core.models import User
from loket.forms.actions import do_delete_draft
from loket.forms.models import Draft
from loket.mandates.actions import do_record_refused_use
from loket.mandates.selectors import principal_drafts_for
from loket.notify.actions import do_mark_read, do_open
from loket.notify.models import Notification
from loket.payments.actions import do_withdraw_application
from loket.payments.selectors import (
    fee_paid_elsewhere,
    fees_of_cases,
    paid_notices,
    payment_panel,
    payments_of,
    refunds_of_cases,
)
from loket.web.acting import acting_mandate, safe_next
from loket.web.casework import MessageForm, ReviewForm
from loket.web.demo import DEMO_IDENTITIES
from loket.web.presenters import sent_answers
from loket.web.views.mandates import principal_cases
from loket.web.views.performance import case_feedback


def demo_login(request: HttpRequest) -> HttpResponse:
    if not demo_login_enabled():
        raise Http404
    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    identities = [
        (identity, users[f"demo-{identity.key}"])
        for identity in DEMO_IDENTITIES
        if f"demo-{identity.key}" in users
    ]
    if request.method == "POST":
        user = users.get(f"demo-{request.POST.get('identity', '')}")
        if user is not None:
            log_in(request, user, method="demo")
            target = safe_next(request)
            if target:
                return redirect(target)
            if user.memberships.filter(role="agent").exists():
                return redirect("web:backoffice")
            return redirect("web:my-cases")
    return render(
        request,
        "web/account/demo_login.html",
        {"identities": identities, "next": safe_next(request)},
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    log_out(request)
    return redirect("web:home")


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    """Drafts, the inbox and the cases. Reading the page changes nothing: the inbox's "mark as
    read" button posts to :func:`mark_notices_read`."""
    assert isinstance(request.user, User)
    acting = acting_mandate(request)
    if acting is not None and acting.is_valid_on(timezone.localdate()):
        return principal_cases(request, acting)
    drafts = Draft.objects.in_progress().filter(user=request.user).select_related("procedure")
    notices = list(Notification.objects.filter(recipient=request.user)[:20])
    unread = [n.pk for n in notices if n.read_at is None]
    cases = list(cases_of_applicant(request.user))
    certificates = latest_certificates_by_case(request.user) if cases else {}
    fees = fees_of_cases(cases) if cases else {}
    paid = paid_notices(notices, cases, fees)  # what they asked to pay is paid: done
    refunds = refunds_of_cases(cases) if cases else {}
    return render(
        request,
        "web/account/my_cases.html",
        {
            "cases": cases,
            "rows": [
                (case, certificates.get(case.pk), fees.get(case.pk), refunds.get(case.pk, []))
                for case in cases
            ],
            "drafts": drafts,
            "notices": notices,
            "unread": set(unread),
            "notice_rows": [(n, paid.get(n.pk)) for n in notices],
        },
    )


@login_required
@require_POST
def mark_notices_read(request: HttpRequest) -> HttpResponse:
    """Mark as read the notices the page showed (those posted back), not newer ones."""
    assert isinstance(request.user, User)
    shown = [raw for raw in request.POST.getlist("notice")[:100] if raw.isascii() and raw.isdigit()]
    do_mark_read(request.user, [int(raw) for raw in shown if len(raw) < 12])
    return redirect("web:my-cases")


@login_required
def open_notice(request: HttpRequest, notice_id: int) -> HttpResponse:
    """Follow an inbox notice to where it leads, marking that one read (the inbox's links come
    here): what was opened is no longer "New"."""
    assert isinstance(request.user, User)
    notice = do_open(request.user, notice_id)
    if notice is None:
        raise Http404
    safe = url_has_allowed_host_and_scheme(notice.link, allowed_hosts=None)
    if not notice.link or not safe:
        return redirect("web:my-cases")
    # The notice was written in the case's language; the reader stays in the page's.
    reader = get_language()
    with translation.override(get_language_from_path(notice.link)):
        return redirect(translate_url(notice.link, reader))


def _own_draft(request: HttpRequest, procedure_id: str) -> Draft:
    """The draft of the person whose cases are shown: the user's own, or, for a helper acting
    under a mandate, the principal's in a procedure the mandate covers. Anything else is 404
    (a helper's try outside the mandate is logged)."""
    assert isinstance(request.user, User)
    mandate = acting_mandate(request)
    drafts: QuerySet[Draft]
    if mandate is None:
        drafts = Draft.objects.in_progress().filter(user=request.user)
    else:
        drafts = principal_drafts_for(request.user, mandate)
    draft = drafts.select_related("user").filter(procedure_id=procedure_id).first()
    if draft is None:
        if mandate is not None:
            do_record_refused_use(request.user, mandate, procedure_id[:50])
        raise Http404
    return draft


@login_required
def draft_delete(request: HttpRequest, procedure_id: str) -> HttpResponse:
    """Deleting a draft asks first, on its own page: what was typed cannot be brought back."""
    draft = _own_draft(request, procedure_id)
    if request.method == "POST":
        assert isinstance(request.user, User)
        do_delete_draft(draft, request.user)
        messages.success(
            request,
            _("Your draft of “%(procedure)s” has been deleted.")
            % {"procedure": draft.procedure.name},
        )
        return redirect("web:my-cases")
    return render(
        request,
        "web/account/draft_delete.html",
        {"draft": draft, "acting": acting_mandate(request)},
    )


def _review_open(case: Case) -> bool:
    try:
        check_can_request_review(case)
    except CaseRefused:
        return False
    return True


@login_required
def case_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    """Withdrawing asks first, on its own page away from the message button: no undo."""
    user = request.user
    assert isinstance(user, User)
    case = get_case_for_applicant(user, reference)
    if request.method == "POST":
        try:
            do_withdraw_application(case, user)
        except CaseRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Your application has been withdrawn."))
        return redirect("web:case", reference=case.reference)
    if not case.is_open:
        return redirect("web:case", reference=case.reference)
    transfers = payments_of(case).filter(provider="transfer", status="open").exists()
    return render(
        request, "web/account/case_withdraw.html", {"case": case, "open_transfer": transfers}
    )


@login_required
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The applicant's view of a case: status, history, messages, documents; answer, withdraw."""
    user = request.user
    assert isinstance(user, User)
    case = get_case_for_applicant(user, reference)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = MessageForm(
        request.POST if action == "message" else None,
        request.FILES if action == "message" else None,
    )
    question = open_request(case)
    if question is not None:  # the message box answers the question, at the top of the page
        form.fields["body"].label = _("Your answer to this question")
        form.fields["body"].error_messages["required"] = _("Write your answer.")
    status = 200
    if action == "message":
        try:
            check_can_post_message(case)  # before storing a file that could not be used
            if form.is_valid():
                files = form.stored_attachments(user)
                if not form.errors:
                    do_post_message(case, user, form.cleaned_data["body"], files)
                    messages.success(request, _("Your message has been sent."))
                    return redirect("web:case", reference=case.reference)
        except CaseRefused as refused:
            form.add_error(None, refused.message)
            status = 409  # the case closed: what was typed stays on the page
        else:
            status = 422
    review = ReviewForm(
        request.POST if action == "review" else None,
        request.FILES if action == "review" else None,
    )
    if action == "review":
        try:
            check_can_request_review(case)  # before storing a file that could not be used
            if review.is_valid():
                files = review.stored_attachments(user)
                if not review.errors:
                    do_request_review(case, user, review.cleaned_data["body"], files)
                    messages.success(
                        request,
                        _("Your request for review has been sent. %(administration)s will "
                          "decide again and send you its new decision.")
                        % {"administration": case.administration.name},
                    )  # fmt: skip
                    return redirect("web:case", reference=case.reference)
        except CaseRefused as refused:
            review.add_error(None, refused.message)
            status = 409
        else:
            status = 422
    do_mark_seen_by_applicant(case, user)
    panel = payment_panel(case)
    events = history(case.events.status_changes())  # referrals among them, in the same order
    referrals = [event for event in events if event.kind == CaseEvent.Kind.REFERRAL]
    return render(
        request,
        "web/account/case.html",
        {
            "case": case,
            "question": question,
            "events": events,
            # The open question is shown once, at the top with its answer box: not again here.
            "messages_list": case.messages.exclude(pk__in=[question.pk] if question else [])
            .select_related("author")
            .prefetch_related("attachments"),
            "form": form if case.is_open or form.is_bound else None,
            "just_submitted": request.GET.get("submitted") == "1",
            "certificates": list(certificates_of_holders_case(case)),
            "decision_document": decision_document(case) if case.is_decided else None,
            "earlier_decisions": earlier_decisions(case),
            "review_form": review if review.is_bound or _review_open(case) else None,
            "review_until": case.review_until,
            "referral": referrals[-1] if referrals else None,
            **panel,
            "next_steps": [pick(step) for step in case.procedure.next_steps],
            "sent": sent_answers(case),
            "fee_elsewhere": fee_paid_elsewhere(case.procedure),
            **case_feedback(request, case, panel.get("awaiting_payment", False)),
        },
        status=status,
    )
