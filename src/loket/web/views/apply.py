"""Applying for a procedure: preview of register use, facts, questions, check, submit."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from loket.assist.suggesting import (
    category_page,
    described_anew,
    suggestion_for_page,
    with_suggested_category,
)
from loket.cases.actions import (
    AlreadyRunning,
    check_none_running,
    counter_administration,
    do_submit_case,
    running_grant_text,
)
from loket.cases.delivery import delivered_at_once
from loket.cases.models import Case
from loket.cases.selectors import (
    RunningGrant,
    awaiting_payment_for,
    case_sent_with,
    open_applications_of,
    running_grants,
)
from loket.catalog.models import Procedure
from loket.catalog.search import held_catalogue
from loket.core.i18n import pick
from loket.core.models import User
from loket.forms.actions import (
    do_decline_prefill,
    do_prefill,
    do_read_after_all,
    do_save_answers,
    get_or_start_draft,
    missing_pages,
    outdated_pages,
)
from loket.forms.answers import answer_rows, format_address
from loket.forms.definitions import FormDefinition, get_definition
from loket.forms.fallback import declarable, declaration_form, declaration_missing
from loket.forms.models import Draft
from loket.forms.pages import PageForm
from loket.payments.selectors import fee_of_draft, fee_paid_elsewhere
from loket.sources.base import Actor, ConsultationRefused
from loket.web.acting import acting_mandate, after_submission, stop_acting, submission_channel
from loket.web.presenters import (
    MOVE,
    declared_rows,
    fact_rows,
    legal_bases,
    need_rows,
    with_pending_move,
)
from loket.web.submission_limit import limit_submissions
from loket.web.views.mandates import mandate_required, refused

INVALID = 422  # invalid form input: the page comes back with the errors and what was typed


def _applicant(request: HttpRequest) -> User:
    """Whose application this is: the user, or the principal a helper acts for."""
    mandate = acting_mandate(request)
    if mandate is not None:
        return mandate.grantor
    assert isinstance(request.user, User)
    return request.user


def _principal(request: HttpRequest) -> str:
    """The name of the person whose data is shown, when someone acts for them; else ""."""
    mandate = acting_mandate(request)
    return mandate.grantor.display_name if mandate is not None else ""


def _actor(request: HttpRequest) -> Actor:
    user = request.user
    assert isinstance(user, User)
    mandate = acting_mandate(request)
    if mandate is not None and mandate.kind == "counter":
        counter = counter_administration(user)
        return Actor(
            user.pk,
            user.national_number or "",
            "counter",
            administration_id=counter.id if counter else "",
            acting_for=mandate.principal_identifier,
        )
    if mandate is not None:
        return Actor(
            user.pk, user.national_number or "", "helper", acting_for=mandate.principal_identifier
        )
    return Actor(user.pk, user.national_number or "", "self")


def _context(
    request: HttpRequest, procedure_id: str
) -> tuple[User, Procedure, FormDefinition, Draft]:
    user = _applicant(request)
    procedure = held_catalogue().procedures.get(procedure_id)  # from memory: no query
    definition = get_definition(procedure_id)
    if procedure is None or definition is None:
        raise Http404
    draft = get_or_start_draft(user, procedure, definition, getattr(request, "door", None))
    if draft.definition_version != definition.version:
        # A draft goes on with the version of the form it was started with.
        definition = get_definition(procedure_id, draft.definition_version) or definition
    return user, procedure, definition, draft


def _url(name: str, procedure: Procedure, **kwargs: str) -> str:
    return reverse(f"web:{name}", kwargs={"procedure_id": procedure.id, **kwargs})


def _first_page_url(procedure: Procedure, definition: FormDefinition) -> str:
    return _url("apply-page", procedure, page_id=definition.pages[0].id)


def reads_no_register(definition: FormDefinition) -> bool:
    """A form that reads no register and limits nothing to one running application has no
    consent to ask and no facts to check (a report of a problem in the street, say)."""
    return not definition.facts and definition.one_running is None


@login_required
@mandate_required
def start(request: HttpRequest, procedure_id: str) -> HttpResponse:
    """Say which registers will be asked for what and why, and let the applicant decline; for
    a certificate drawn from a register, say that it is read under the law (no choice)."""
    user, procedure, definition, draft = _context(request, procedure_id)
    error = ""
    if reads_no_register(definition):
        # Nothing to consent to and no facts to check: straight to the first question (or
        # where the applicant stopped).
        if draft.consented is None:
            do_prefill(draft, definition, _actor(request))
        missing = missing_pages(draft, definition)
        return redirect(_url("apply-page", procedure, page_id=missing[0]) if missing
                        else _first_page_url(procedure, definition))  # fmt: skip
    if request.method == "GET" and draft.consented is not None and not request.GET.get("review"):
        # Coming back to a saved draft: go on where the applicant stopped.
        missing = missing_pages(draft, definition)
        if missing:
            return redirect(_url("apply-page", procedure, page_id=missing[0]))
        return redirect(_url("apply-check", procedure))
    from_register = bool(delivered_at_once(definition))
    if request.method == "POST":
        # A certificate states what the register holds: it is read whatever one chose, so the
        # page offers no choice, only "Continue", and nothing posted declines it.
        choice = "yes" if from_register else request.POST.get("use_registers")
        if choice == "yes":
            try:
                do_prefill(draft, definition, _actor(request))
            except ConsultationRefused:
                mandate = acting_mandate(request)
                if mandate is None:
                    raise
                stop_acting(request)  # the page says so: the helper is back in their own name
                return refused(request, mandate)
            return redirect(_url("apply-facts", procedure))
        if choice == "no":
            do_decline_prefill(draft, definition)
            return redirect(_url("apply-declare", procedure))
        error = _("Choose whether we may use the data the administration already holds.")
    needs = need_rows(procedure, definition.facts, _principal(request))
    return render(
        request,
        "web/apply/start.html",
        {
            "procedure": procedure,
            "needs": needs,
            "legal_bases": legal_bases(needs),
            "error": error,
            "draft": draft,
            "from_register": from_register,
            # One card per thing: said before consent, an application under way may be all
            # there is to apply for.
            "running": open_applications_of(user, procedure.id) if definition.one_running else [],
        },
        status=INVALID if error else 200,
    )


def _fact_rows(
    request: HttpRequest, user: User, procedure: Procedure, definition: FormDefinition,
    draft: Draft,
) -> list[dict[str, Any]]:  # fmt: skip
    """The register's facts as the applicant checks them, a move under way said on the address."""
    rows = fact_rows(draft.facts, definition.facts, procedure, principal=_principal(request))
    moves = open_applications_of(user, MOVE) if procedure.id != MOVE else []
    with_pending_move(rows, procedure, moves[0] if moves else None)
    return rows


@login_required
@mandate_required
def facts(request: HttpRequest, procedure_id: str) -> HttpResponse:
    user, procedure, definition, draft = _context(request, procedure_id)
    if draft.consented is None or reads_no_register(definition):
        return redirect(_url("apply-start", procedure))
    next_url = (
        _url("apply-declare", procedure)
        if declarable(draft.unavailable)
        else _first_page_url(procedure, definition)
    )
    return render(
        request,
        "web/apply/facts.html",
        {
            "procedure": procedure,
            "facts": _fact_rows(request, user, procedure, definition, draft),
            "unavailable": draft.unanswered,
            "next_url": next_url,
            "back_url": _url("apply-start", procedure),
        },
    )


def _declare_intro(draft: Draft, attributes: list[str]) -> str:
    """Why the applicant types: they chose to, a register did not answer, or the registers hold
    nothing on it for them (which is no failure, and not told as one)."""
    if draft.consented is False:
        return _(
            "You chose to fill in your details yourself instead of using the registers: "
            "please type them."
        )
    if any(attribute in draft.unanswered for attribute in attributes):
        return _("We could not use the register for this data, so please type it.")
    return _("The registers hold nothing on this for you, so please type it.")


@login_required
@mandate_required
def declare(request: HttpRequest, procedure_id: str) -> HttpResponse:
    """Ask for the data a register could not give (declined or unavailable)."""
    _user, procedure, definition, draft = _context(request, procedure_id)
    attributes = declarable(draft.unavailable)
    if not attributes:
        return redirect(_first_page_url(procedure, definition))
    declared = draft.answers.get("declared", {})
    if request.method == "POST" and request.POST.get("use_register") == REGISTER_ADDRESS:
        return _use_register_address(request, draft, attributes)
    form = declaration_form(attributes, data=request.POST or None, initial=declared)
    if request.method == "POST" and form.is_valid():
        do_save_answers(draft, {"declared": {**declared, **form.cleaned_data}})
        return redirect(_first_page_url(procedure, definition))
    return _declare_page(request, draft, procedure, attributes, form)


REGISTER_ADDRESS = "population.address"


def _declare_page(
    request: HttpRequest, draft: Draft, procedure: Procedure, attributes: list[str],
    form: forms.Form, error: str = "",
) -> HttpResponse:  # fmt: skip
    back = _url("apply-facts", procedure) if draft.consented else _url("apply-start", procedure)
    return render(
        request,
        "web/apply/page.html",
        {
            "procedure": procedure,
            "form": form,
            "title": _("Your details"),
            "back_url": back,
            "intro": _declare_intro(draft, attributes),
            # The address register may hold theirs: offered instead of typing it.
            "register_address": REGISTER_ADDRESS in attributes and bool(draft.user.national_number),
            "register_error": error,
            "error_list": [("use-register-address", error)] if error else [],
        },
        status=INVALID if form.errors or error else 200,
    )


def _use_register_address(
    request: HttpRequest, draft: Draft, attributes: list[str]
) -> HttpResponse:
    """The person asks to use their address from the register after all: read it, keep what
    they typed for the rest, and go on; if the register holds none, say so and let them type."""
    procedure = draft.procedure
    others = set(attributes) - {REGISTER_ADDRESS}
    typed = {key: value for key, value in request.POST.items() if key.rsplit(".", 1)[0] in others}
    if typed:  # what was typed for the other facts stays, checked when sent on
        declared = draft.answers.get("declared", {})
        do_save_answers(draft, {"declared": {**declared, **typed}})
    try:
        found = do_read_after_all(draft, REGISTER_ADDRESS, _actor(request))
    except ConsultationRefused:
        found = False
    if found:
        held = format_address(draft.facts["population"]["address"])
        messages.success(
            request, _("The address held in the register is used: %(address)s.") % {"address": held}
        )
        return redirect(_url("apply-declare", procedure))
    form = declaration_form(attributes, initial=draft.answers.get("declared", {}))
    error = _("The register has no address for you right now: please type it.")
    return _declare_page(request, draft, procedure, attributes, form, error)


@login_required
@mandate_required
def question(request: HttpRequest, procedure_id: str, page_id: str) -> HttpResponse:
    user, procedure, definition, draft = _context(request, procedure_id)
    page = definition.page(page_id)
    if page is None:
        raise Http404
    if draft.consented is None:
        return redirect(_url("apply-start", procedure))
    posted = request.method == "POST"
    suggestion = suggestion_for_page(procedure.id, page, draft.answers)
    if suggestion is not None and any(
        draft.answers.get(k) != v for k, v in suggestion.answers.items()
    ):
        do_save_answers(draft, suggestion.answers)  # recorded once per text, kept with the report
    form = PageForm(
        page,
        draft.facts,
        with_suggested_category(draft.answers, suggestion),
        data=request.POST if posted else None,
        files=request.FILES if posted else None,
        adding=request.GET.get("add", ""),
        procedure=procedure,
    )
    all_blocked = _name_running_grants(procedure, definition, form, user)
    _whose_email(request, form, user)
    valid = posted and form.is_valid(owner=user)
    pending = _awaiting_payment(request, user, procedure, definition, form) if valid else None
    if pending is not None and not draft.answers:
        draft.delete()  # nothing answered yet: a refused try leaves no draft behind
    if valid and pending is None and _none_running(procedure, definition, form):
        do_save_answers(draft, form.answers())
        group = form.group_to_extend()
        if group:
            return redirect(_url("apply-page", procedure, page_id=page.id) + f"?add={group}")
        following = definition.page_after(page.id, draft.answers)
        asked_again = (
            category_page(definition) if described_anew(procedure.id, draft.answers) else None
        )
        if asked_again is not None:  # a new description: its suggestion is shown, even on a change
            change = "?change=1" if request.GET.get("change") else ""
            return redirect(_url("apply-page", procedure, page_id=asked_again.id) + change)
        if following is None or request.GET.get("change"):
            return redirect(_url("apply-check", procedure))
        return redirect(_url("apply-page", procedure, page_id=following.id))
    previous = definition.page_before(page.id, draft.answers)
    if previous:
        back = _url("apply-page", procedure, page_id=previous.id)
    elif reads_no_register(definition):
        back = reverse("web:procedure", args=[procedure.id])
    else:
        back = _url("apply-facts", procedure)
    errors = form.errors()
    return render(
        request,
        "web/apply/page.html",
        {
            "procedure": procedure,
            "page_form": form,
            "error_list": errors,
            "title": pick(page.title),
            "intro": pick(page.intro),
            "back_url": back,
            "pending_case": pending,
            "suggestion": suggestion,
            "all_blocked": all_blocked,
            "own_running": [g.reference for g in all_blocked or [] if g.applicant_id == user.pk],
        },
        status=INVALID if errors else 200,
    )


@login_required
@mandate_required
@limit_submissions
def check(request: HttpRequest, procedure_id: str) -> HttpResponse:
    user = _applicant(request)
    if request.method == "POST":
        # A double click or a retried request: the draft is gone, the case is there.
        key = request.POST.get("idempotency_key", "")
        done = case_sent_with(user.pk, uuid.UUID(key)) if _is_uuid(key) else None
        if done is not None:
            return redirect(_sent_url(request, done))
    _user, procedure, definition, draft = _context(request, procedure_id)
    if request.method == "POST":
        key = request.POST.get("idempotency_key", "")
        if _is_uuid(key) and key != str(draft.idempotency_key):
            # Another server process may have committed the case for this key in the meantime.
            done = case_sent_with(user.pk, uuid.UUID(key))
            if done is not None:
                if draft.consented is None and not draft.answers:
                    draft.delete()  # the empty draft the lookup above just started
                return redirect(_sent_url(request, done))
    missing = missing_pages(draft, definition)
    if draft.consented is None:
        return redirect(_url("apply-start", procedure))
    if declaration_missing(draft.unavailable, draft.answers.get("declared", {})):
        return redirect(_url("apply-declare", procedure))
    if missing:
        return redirect(_url("apply-page", procedure, page_id=missing[0]))
    outdated = outdated_pages(draft, definition)
    if outdated:  # checked again when sending: a date saved days ago may no longer be possible
        messages.warning(request, _("A date you chose is no longer possible: choose another."))
        return redirect(_url("apply-page", procedure, page_id=outdated[0]))
    error = ""
    if request.method == "POST" and request.POST.get("idempotency_key") == str(
        draft.idempotency_key
    ):
        try:
            return _submit(request, draft)
        except AlreadyRunning as refused:
            error = refused.message  # the check page again, the answers kept, the rule said
    last_page = definition.visible_pages(draft.answers)[-1].id
    return render(
        request,
        "web/apply/check.html",
        {
            "procedure": procedure,
            "facts": _fact_rows(request, user, procedure, definition, draft),
            "declared": declared_rows(draft.answers.get("declared", {})),
            "answers": answer_rows(
                definition,
                draft.answers,
                draft.facts,
                lambda page_id: _url("apply-page", procedure, page_id=page_id) + "?change=1",
            ),
            "draft": draft,
            "fee": fee_of_draft(draft, draft.answers),
            "fee_elsewhere": fee_paid_elsewhere(procedure),
            "back_url": _url("apply-page", procedure, page_id=last_page),
            "error": error,
        },
        status=INVALID if error else 200,
    )


def _submit(request: HttpRequest, draft: Draft) -> HttpResponse:
    """Send the draft as a case, in the applicant's name or for the person acted for."""
    mandate = acting_mandate(request)
    if mandate is not None:
        assert isinstance(request.user, User)
        case = do_submit_case(
            draft, draft.answers, request.user, channel=submission_channel(mandate)
        )
        if mandate.kind == "counter":  # a helper lands on the case, which says it all
            messages.success(
                request,
                _("Application %(reference)s sent for %(name)s.")
                % {"reference": case.reference, "name": mandate.principal_name},
            )
        return redirect(after_submission(mandate, case))
    case = do_submit_case(draft, draft.answers)
    return redirect(_case_url(case))


class _ChoiceSomeBlocked(forms.RadioSelect):
    """A radio list where a thing already granted (or applied for) cannot be chosen: its option
    is shown disabled, with the applicant's own case to follow or pay (``blocked``: value → grant,
    None when the case is someone else's, e.g. another member of the household)."""

    def __init__(
        self, blocked: dict[str, RunningGrant | None], attrs: dict[str, Any] | None = None
    ) -> None:
        super().__init__(attrs)
        self.blocked = blocked

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        value = str(option["value"])
        if value in self.blocked:
            grant = self.blocked[value]
            option["blocked"] = True
            option["reference"] = grant.reference if grant else ""
            option["to_pay"] = bool(grant and grant.awaiting_payment)
            option["selected"] = False  # never kept as chosen: it cannot be sent
        return option


def _name_running_grants(
    procedure: Procedure, definition: FormDefinition, form: PageForm, applicant: User
) -> list[RunningGrant] | None:
    """A thing that already has its card (or an application under way) says so in the choice,
    which cannot be taken: "1-ABC-123 · VW Golf — already has a card until 5 December 2027".
    Returns the grants that block every choice (the page then says so instead of a form that can
    only fail), or None when something can still be chosen."""
    rule = definition.one_running
    field = form.form.fields.get(rule.field) if rule is not None else None
    if rule is None or not isinstance(field, forms.ChoiceField):
        return None
    choices: list[tuple[str, str]] = [(str(v), str(label)) for v, label in field.choices]  # type: ignore[misc,union-attr]
    grants = running_grants(procedure.id, rule, [value for value, _label in choices])
    if not grants:
        return None
    own = {v: g if g.applicant_id == applicant.pk else None for v, g in grants.items()}
    if isinstance(field.widget, forms.RadioSelect):
        field.widget = _ChoiceSomeBlocked(own, attrs=field.widget.attrs)
    field.choices = [
        (value, f"{label} — {running_grant_text(definition, grants[value].until)}")
        if value in grants
        else (value, label)
        for value, label in choices
    ]
    offered = [value for value, _label in choices if value]
    if offered and all(value in grants for value in offered):
        return [grants[value] for value in offered]
    return None


def _whose_email(request: HttpRequest, form: PageForm, applicant: User) -> None:
    """An e-mail address asked on a page is the applicant's: it starts with the one we know, and
    a helper is told it is the principal's (else she types her own, and what is sent goes to
    her)."""
    mandate = acting_mandate(request)
    for item in form.items:
        bound = item.bound[0] if item.kind == "field" else None
        if bound is None or not isinstance(bound.field, forms.EmailField):
            continue
        if applicant.email and not form.form.initial.get(bound.name):
            form.form.initial[bound.name] = applicant.email
        if mandate is not None:
            bound.help_text = _(
                "The e-mail address of %(name)s: what this application sends by e-mail goes "
                "there, not to you."
            ) % {"name": mandate.principal_name}


def _none_running(procedure: Procedure, definition: FormDefinition, form: PageForm) -> bool:
    """Refuse, on the field, a thing that already has a running card or application."""
    rule = definition.one_running
    if rule is None or rule.field not in form.form.cleaned_data:
        return True
    try:
        check_none_running(procedure.id, definition, form.form.cleaned_data)
    except AlreadyRunning as refused:
        form.form.add_error(rule.field, refused.message)
        return False
    return True


def _awaiting_payment(
    request: HttpRequest, user: User, procedure: Procedure, definition: FormDefinition,
    form: PageForm,
) -> Case | None:  # fmt: skip
    """The applicant's own application for the chosen thing that waits for its payment, said on
    the field: the page then links to paying it (not to a helper acting for someone)."""
    rule = definition.one_running
    if rule is None or rule.field not in form.form.cleaned_data or acting_mandate(request):
        return None
    value = str(form.form.cleaned_data[rule.field] or "")
    pending = awaiting_payment_for(user, procedure.id, rule, value)
    if pending is not None:
        form.form.add_error(
            rule.field,
            _("Your application %(reference)s for %(value)s is waiting for its payment: pay it "
              "instead of applying again.") % {"reference": pending.reference, "value": value},
        )  # fmt: skip
    return pending


def _sent_url(request: HttpRequest, case: Case) -> str:
    """Where a repeated submit lands: the case, as whoever sent it may see it."""
    mandate = acting_mandate(request)
    if case.submitted_by is not None and mandate is not None:
        return after_submission(mandate, case)
    if case.submitted_by is not None:
        return reverse("web:mandates")
    return _case_url(case)


def _case_url(case: Case) -> str:
    return reverse("web:case", kwargs={"reference": case.reference}) + "?submitted=1"


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
