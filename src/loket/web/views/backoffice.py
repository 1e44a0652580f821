"""The back-office case page: the case, its history, internal notes and openings (for a head of
service), and every write on it (decide, message, request information, assign, note), where a
certificate that could not be issued at once is issued by the agent. The queue is in
``backoffice_queue``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from loket.assist.selectors import case_suggestion
from loket.cases.actions import (
    ALLOWED_TRANSITIONS,
    DECISIONS,
    CaseRefused,
    StaleCase,
    UnfitText,
    check_can_decide,
    check_can_post_message,
    check_model_fits,
    check_version,
    do_add_internal_note,
    do_assign,
    do_change_status,
    do_decide,
    do_mark_reply_seen,
    do_post_message,
    do_record_case_opening,
    do_request_information,
    model_text,
)
from loket.cases.charging import fee_elsewhere
from loket.cases.decision_documents import decision_document
from loket.cases.documents import decision_preview
from loket.cases.history import history
from loket.cases.models import Case, CaseEvent
from loket.cases.motivations import MotivationModel, motivation_model
from loket.cases.selectors import (
    Changes,
    changes_since,
    colleagues_of,
    get_case_for_agent,
    openings_of_case,
)
from loket.certificates.actions import DeliveryRefused, do_deliver_certificate
from loket.certificates.content import KINDS, CannotIssue, unsupported_by_known_facts
from loket.certificates.selectors import certificates_of_case
from loket.core.models import User
from loket.core.seal import SealUnavailable
from loket.forms.answers import answer_rows
from loket.forms.definitions import get_definition
from loket.forms.models import Attachment
from loket.payments.selectors import payment_summary_for_agent
from loket.web.casework import DecisionForm, MessageForm
from loket.web.presenters import declared_rows, fact_rows
from loket.web.views.backoffice_queue import back_office_agent, next_case, posted_number, queue_link
from loket.web.views.errors import bad_request


class NoteForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Note for colleagues"),
        help_text=gettext_lazy(
            "Only agents of this administration see it; the applicant never does."
        ),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Write the note.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_note_%s")
        super().__init__(*args, **kwargs)


CASE_ACTIONS = ("model", "preview", "edit", "decide", "take", "message", "request", "assign")
DECISION_ACTIONS = ("model", "preview", "edit", "decide")


@login_required
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    agent = back_office_agent(request)
    case = get_case_for_agent(agent, reference)
    if request.method == "POST":
        return _act(request, agent, case)
    do_record_case_opening(case, agent)
    do_mark_reply_seen(case)
    return case_page(request, agent, case)


def _decisions(case: Case) -> set[str]:
    """What the case page offers as a decision: approve or refuse, when the status allows."""
    return ALLOWED_TRANSITIONS.get(case.status, set()) & set(DECISIONS)


def _decision_form(case: Case, request: HttpRequest | None = None, **kwargs: Any) -> DecisionForm:
    """The decision form of ``case``, bound to what ``request`` posted when given."""
    return DecisionForm(
        request.POST if request else None, request.FILES if request else None,
        allowed=_decisions(case), procedure_id=case.procedure_id, language=case.language or "fr",
        delivers=case.procedure.delivers,
        **kwargs,
    )  # fmt: skip


def _act(request: HttpRequest, agent: User, case: Case) -> HttpResponse:
    """One write from the case page, under the version the page was shown with: a change made
    meanwhile by someone else is shown (409) with what the agent typed, to check and resend.
    A decision goes through a preview of the document in the case's language ("preview"), which
    the agent confirms ("decide") or takes back to the form ("edit")."""
    action = request.POST.get("action", "")
    if action == "note":  # not a change to the case: no version to match
        note = NoteForm(request.POST)
        if note.is_valid():
            do_add_internal_note(case, agent, note.cleaned_data["body"])
            messages.success(request, _("Your note was added."))
            return redirect(reverse("web:backoffice-case", args=[case.reference]) + "#notes")
        return case_page(request, agent, case, note=note, status=422)
    seen = posted_number(request, "version")
    if action not in CASE_ACTIONS or seen is None:
        return bad_request(request)
    if action in ("model", "edit"):
        if action == "model":
            try:  # said when picked; the preview and the decision refuse it
                check_model_fits(case, _chosen_model(case, request.POST.get("model", "")))
            except UnfitText as unfit:
                messages.warning(request, unfit.message)
        return case_page(request, agent, case, _decision_form(case, initial=_typed(request, case)))
    decision = _decision_form(case, request if action in DECISION_ACTIONS else None)
    message = MessageForm(
        request.POST if action in ("message", "request") else None,
        request.FILES if action in ("message", "request") else None,
        language=case.language or "fr",
    )
    form = decision if action in DECISION_ACTIONS else message
    try:
        check_version(case, seen)  # before storing a file that could not be used
        if action == "assign":
            chosen = (
                agent.pk
                if request.POST.get("assignee") == "me"
                else posted_number(request, "assignee")
            )
            assignee = colleagues_of(agent).filter(pk=chosen or 0).first()
            handover = request.POST.get("handover", "")[:2000]
            do_assign(case, agent, assignee, expected_version=seen, note=handover)
            messages.success(request, _assigned_message(agent, assignee))
            return redirect("web:backoffice-case", reference=case.reference)
        if action == "take":
            do_change_status(case, agent, Case.Status.IN_PROGRESS, expected_version=seen)
            messages.success(request, _("The case is marked as being handled."))
            return redirect("web:backoffice-case", reference=case.reference)
        if action not in DECISION_ACTIONS:
            check_can_post_message(case)
        if form.is_valid():
            files = form.stored_attachments(agent)
            if not form.errors and action == "preview":
                return _preview_page(request, agent, case, decision, files)
            if not form.errors:
                done = _write(case, agent, action, form.cleaned_data, files, seen)
                messages.success(request, done)
                return redirect("web:backoffice-case", reference=case.reference)
    except StaleCase as stale:
        return _stale_page(request, agent, stale, action)
    except UnfitText as unfit:  # what was typed stays in the form, to correct
        form.add_error(unfit.field if unfit.field in form.fields else None, unfit.message)
        return case_page(request, agent, case, decision, message, status=422)
    except CaseRefused as refused:
        form.add_error(None, refused.message)
        return case_page(request, agent, case, decision, message, status=409)
    return case_page(request, agent, case, decision, message, status=422)


def _chosen_model(case: Case, key: str) -> MotivationModel | None:
    return motivation_model(
        case.procedure_id, case.language or "fr", key, delivers=case.procedure.delivers
    )


def _typed(request: HttpRequest, case: Case) -> dict[str, str]:
    """The decision form as the agent left it, with the chosen model text put in the reasons
    ("model"; after what they had typed, if anything) or as it was previewed ("edit")."""
    typed = {key: request.POST.get(key, "") for key in ("status", "model", "note", "kept")}
    if request.POST.get("action") == "model":
        chosen = _chosen_model(case, typed["model"])
        if chosen is not None:
            text = model_text(case, chosen)
            typed["note"] = "\n\n".join(t for t in (typed["note"].strip(), text) if t)
            typed["status"] = typed["status"] or chosen.decision
    return typed


def _preview_page(
    request: HttpRequest, agent: User, case: Case, form: DecisionForm, files: list[Attachment]
) -> HttpResponse:
    """The decision as the applicant will receive it, in the case's language, to confirm; or,
    when it could not be sent as it is (reasons in another language, information with nothing
    in it), with why and no way to confirm (422)."""
    data = form.cleaned_data
    try:
        check_can_decide(case, data["status"], data["note"], with_documents=bool(files))
        check_model_fits(case, _chosen_model(case, data.get("model") or ""))
        refusal = ""
    except UnfitText as unfit:
        refusal = unfit.message
    return render(
        request,
        "web/backoffice/decision_preview.html",
        {
            "case": case,
            "preview": mark_safe(  # noqa: S308 - rendered by our template, every value escaped
                decision_preview(case, agent, data["status"], data["note"], files)
            ),
            "typed": {"status": data["status"], "note": data["note"].strip(),
                      "model": data.get("model") or ""},
            "kept": files[0].pk if files else "",
            "case_language": case.language_name,
            "refusal": refusal,
        },
        status=422 if refusal else 200,
    )  # fmt: skip


def _kept_attachment(agent: User, form: DecisionForm) -> Attachment | None:
    """The PDF the agent attached before the preview, still theirs and in no case yet."""
    kept = form.data.get("kept") if form.is_bound else form.initial.get("kept")
    if not kept:
        return None
    try:
        return Attachment.objects.filter(pk=kept, owner=agent, case__isnull=True).first()
    except (ValidationError, ValueError):
        return None


def _write(
    case: Case, agent: User, action: str, data: dict[str, Any], files: list[Attachment], seen: int
) -> str:
    """Make the write; what to tell the agent it did."""
    if action == "decide":
        check_model_fits(case, _chosen_model(case, data.get("model") or ""))
        decided = do_decide(case, agent, data["status"], data["note"], files, expected_version=seen)
        if decided.status == Case.Status.APPROVED:
            return _("The case is approved; the applicant is told, with the decision.")
        return _("The case is refused; the applicant is told, with the decision and its reasons.")
    if action == "request":
        do_request_information(case, agent, data["body"], files, expected_version=seen)
        return _("Your request was sent to the applicant; the case is paused until they answer.")
    do_post_message(case, agent, data["body"], files, expected_version=seen)
    return _("Your message was sent to the applicant.")


def _assigned_message(agent: User, assignee: User | None) -> str:
    if assignee is None:
        return _("The case is now assigned to nobody.")
    if assignee.pk == agent.pk:
        return _("The case is now assigned to you.")
    return _("The case is now assigned to %(name)s.") % {"name": assignee.display_name}


@login_required
@require_POST
def issue_certificate(request: HttpRequest, reference: str) -> HttpResponse:
    """Issue the certificate of a case passed on to a civil servant, under the version the page
    was shown with: issued and the case closed as delivered, or the page again with why not."""
    agent = back_office_agent(request)
    case = get_case_for_agent(agent, reference)
    seen = posted_number(request, "version")
    if seen is None:
        return bad_request(request)
    try:
        check_version(case, seen)
        issued = do_deliver_certificate(case, agent)
    except StaleCase as stale:
        return _stale_page(request, agent, stale, "issue")
    except CannotIssue as cannot:
        problem = _("The certificate was not issued: %(reason)s") % {"reason": cannot.reason}
        return case_page(request, agent, case, problem=problem, status=422)
    except SealUnavailable:
        problem = _("The certificate was not issued: the electronic seal could not be applied "
                    "just now. Try again in a few minutes.")  # fmt: skip
        return case_page(request, agent, case, problem=problem, status=409)
    except DeliveryRefused as refused:
        if refused.code == "not-yours":  # lost the membership meanwhile (logged by the action)
            raise Http404 from None
        case.refresh_from_db()
        problem = _("The certificate was not issued: this case is no longer open.")
        return case_page(request, agent, case, problem=problem, status=409)
    messages.success(
        request,
        _("Certificate no. %(number)s issued; the case is closed as delivered.")
        % {"number": issued.certificate.number},
    )
    return redirect("web:backoffice-case", reference=case.reference)


def _stale_page(request: HttpRequest, agent: User, stale: StaleCase, action: str) -> HttpResponse:
    """The case as it is now, what changed since the agent's version, and what they typed (not
    a file: a browser cannot be given one back), ready to check and send again."""
    case = get_case_for_agent(agent, stale.case.reference)
    typed = request.POST
    decision = _decision_form(
        case, initial=_typed(request, case) if action in DECISION_ACTIONS else None
    )
    message = MessageForm(
        initial={"body": typed.get("body", "")} if action in ("message", "request") else None,
        language=case.language or "fr",
    )
    return case_page(
        request, agent, case, decision, message, status=409,
        changed=changes_since(case, stale.expected_version), refusal=stale.message,
    )  # fmt: skip


def _was_typed(form: forms.Form) -> bool:
    """The agent sent this form: it stays on the page, whatever the case's state now."""
    return form.is_bound or bool(form.initial)


def case_page(
    request: HttpRequest, agent: User, case: Case, decision: DecisionForm | None = None,
    message: MessageForm | None = None, status: int = 200, changed: Changes | None = None,
    refusal: str = "", problem: str = "", note: NoteForm | None = None,
    reroute: dict[str, str] | None = None,
) -> HttpResponse:  # fmt: skip
    """The case page; ``refusal`` is a write refused because the case changed meanwhile (with
    ``changed``), ``problem`` why the certificate could not be issued, ``reroute`` a change of
    category refused (the category and reason typed, the ``problem`` and the ``field`` at fault)."""
    if decision is None:
        decision = _decision_form(case)
    if message is None:
        message = MessageForm(language=case.language or "fr")
    definition = get_definition(case.procedure_id, case.definition_version)
    delivers_certificate = case.procedure_id in KINDS
    unsupported = (
        CannotIssue(code).reason
        if delivers_certificate
        and case.is_open
        and (code := unsupported_by_known_facts(case.procedure_id, case.facts))
        else None
    )
    return render(
        request,
        "web/backoffice/case.html",
        {
            "case": case,
            "facts": fact_rows(case.facts, definition.facts, about_applicant=True)
            if definition
            else [],
            "declared": declared_rows(case.answers.get("declared", {})),
            "declared_instead": case.declared_instead,
            "answers": answer_rows(definition, case.answers, case.facts) if definition else [],
            "events": history(case.events.select_related("actor", "assignee")),
            "payment_summary": payment_summary_for_agent(case),
            "messages_list": case.messages.select_related("author").prefetch_related("attachments"),
            "decision_form": decision if _decisions(case) or _was_typed(decision) else None,
            "message_form": message if case.is_open or _was_typed(message) else None,
            "can_request": Case.Status.INFORMATION_REQUESTED
            in ALLOWED_TRANSITIONS.get(case.status, set()),
            "can_take": case.status in (Case.Status.SUBMITTED, Case.Status.REVIEW_REQUESTED),
            "kept_attachment": _kept_attachment(agent, decision),
            "colleagues": colleagues_of(agent),
            "changed": changed,
            "refusal": refusal,
            "problem": problem,
            "delivers_certificate": delivers_certificate,
            "can_issue": delivers_certificate and case.is_open and not unsupported,
            "unsupported": unsupported,
            "certificates": certificates_of_case(agent, case) if delivers_certificate else [],
            "decision_document": decision_document(case) if case.is_decided else None,
            "fee_elsewhere": fee_elsewhere(case),
            "note_form": note or NoteForm(),
            "suggestion": case_suggestion(case),
            "reroute": reroute or {},
            "notes": case.notes.select_related("author"),
            "openings": openings_of_case(agent, case),
            "queue_link": queue_link(request),
            "next_case": None if case.is_open else next_case(request, agent, case),
            "referral": case.events.filter(kind=CaseEvent.Kind.REFERRAL).last()
            if case.is_open
            else None,
        },
        status=status,
    )
