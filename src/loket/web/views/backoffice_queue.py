"""The back-office queue: an administration's cases filtered, searched, sorted and paged, the
same list as a CSV file, figures by procedure, agent and week, and bulk changes.

The queue's filters are kept in the URL and, for "Back to the queue" and "Next case", in the
session: an agent who opens a case comes back to the list as they left it."""

from __future__ import annotations

import io
import re
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from loket.cases.actions import (
    DECISIONS,
    PERSON_SEARCH_PURPOSES,
    CaseRefused,
    StaleCase,
    WrongLanguage,
    check_can_decide,
    check_language,
    check_transition,
    do_change_status,
    do_find_person,
    do_record_name_search,
)
from loket.cases.models import OPEN_STATUSES, Case, status_for_agent
from loket.cases.selectors import (
    QueueFilters,
    agent_administration_ids,
    agent_administrations,
    cases_named,
    cases_visible_to,
    colleagues_of,
    figures_by,
    filter_queue,
    queue_figures,
    queue_procedures,
    with_status,
)
from loket.core import csv_export
from loket.core.models import User
from loket.payments.accounting import administrations_with_money
from loket.payments.merchants import may_manage as may_manage_merchant_accounts

PAGE_SIZE = 50
PERSON_RESULTS = 100
EXPORT_LIMIT = 10_000
SESSION_KEY = "loket_queue_query"
# What several cases can be moved to at once from the queue.
BULK_STATUSES = (Case.Status.IN_PROGRESS, Case.Status.APPROVED, Case.Status.REJECTED)
# Typed in the search box, this is a national number (11 digits, with or without separators).
NATIONAL_NUMBER = re.compile(r"^\s*\d{2}[.\s]?\d{2}[.\s]?\d{2}[-.\s]?\d{3}[.\s]?\d{2}\s*$")


def status_choices(first: str) -> list[tuple[str, str]]:
    """The statuses to filter cases by, ``first`` ("open" or "all") the default."""
    groups = {"open": ("open", _("Open cases")), "all": ("all", _("All cases"))}
    statuses = [(s.value, str(status_for_agent(s))) for s in Case.Status]
    return [groups[first], *statuses, *(g for key, g in groups.items() if key != first)]


class QueueForm(forms.Form):
    reference = forms.CharField(label=gettext_lazy("Reference"), required=False, max_length=30)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    procedure = forms.ChoiceField(label=gettext_lazy("Procedure"), required=False)
    assigned = forms.ChoiceField(label=gettext_lazy("Assigned to"), required=False)
    older_than_days = forms.IntegerField(
        label=gettext_lazy("Received more than … days ago"), required=False, min_value=0,
        max_value=3650, error_messages={"invalid": gettext_lazy("Enter a number of days.")},
    )  # fmt: skip
    overdue = forms.BooleanField(label=gettext_lazy("Only overdue cases"), required=False)
    replied = forms.BooleanField(
        label=gettext_lazy("Only cases with a reply to read"), required=False
    )
    sort = forms.ChoiceField(label=gettext_lazy("Sort by"), required=False)
    # Shown in the queue's compact bar; the others are folded under "More filters".
    MAIN_FIELDS = ("status", "procedure", "assigned", "sort")

    def __init__(self, *args: Any, agent: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = status_choices(first="open")  # type: ignore[attr-defined]
        self.fields["procedure"].choices = [("", _("All"))] + [  # type: ignore[attr-defined]
            (p.id, p.name) for p in queue_procedures(agent)
        ]
        self.fields["assigned"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")), ("me", _("Me")), ("nobody", _("Nobody")),
            *[(str(u.pk), u.display_name) for u in colleagues_of(agent)],
        ]  # fmt: skip
        self.fields["sort"].choices = [  # type: ignore[attr-defined]
            ("due", _("Due date, soonest first")), ("received", _("Received, oldest first")),
            ("-received", _("Received, newest first")), ("status", _("Status")),
            ("procedure", _("Procedure")),
        ]  # fmt: skip

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.MAIN_FIELDS]

    def more_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.MAIN_FIELDS]

    def more_in_use(self) -> bool:
        """A folded filter is set or wrong: the fold opens, so the agent sees it."""
        return any(field.value() or field.errors for field in self.more_fields())

    def filters(self) -> QueueFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return QueueFilters(
            status=data.get("status") or "open",
            procedure=data.get("procedure") or "",
            assigned=data.get("assigned") or "",
            older_than_days=data.get("older_than_days"),
            overdue=bool(data.get("overdue")),
            replied=bool(data.get("replied")),
            reference=data.get("reference") or "",
            sort=data.get("sort") or "due",
        )


def back_office_agent(request: HttpRequest) -> User:
    """The logged-in civil servant; anyone without a back-office membership is refused (403)."""
    user = request.user
    assert isinstance(user, User)
    if not agent_administration_ids(user):
        raise PermissionDenied
    return user


def posted_number(request: HttpRequest, name: str) -> int | None:
    """A whole number a back-office form posts (the case version it was shown with, a user id),
    or None."""
    raw = request.POST.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


class PersonSearchForm(forms.Form):
    """Find a person's cases by name or national number. Sent by POST, so that neither ends up
    in an address (browser history, server logs); a national number needs a declared purpose."""

    person = forms.CharField(
        label=gettext_lazy("Name or national number"), max_length=60,
        error_messages={"required": gettext_lazy("Enter a name or a national number.")},
    )  # fmt: skip
    purpose = forms.ChoiceField(
        label=gettext_lazy("Why you look this person up (for a national number)"),
        required=False,
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_person_%s")
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = [  # type: ignore[attr-defined]
            ("", "—"), *PERSON_SEARCH_PURPOSES.items()]  # fmt: skip
        self.fields["status"].choices = status_choices(first="all")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if NATIONAL_NUMBER.match(data.get("person") or "") and not data.get("purpose"):
            self.add_error(
                "purpose",
                _("Say why you look this person up: a search by national number is logged "
                  "and the person can read it."),
            )  # fmt: skip
        return data


def _found(agent: User, form: PersonSearchForm) -> QuerySet[Case] | None:
    """The cases of the person searched, or None when the search was refused (the form says
    why). A national number is searched only through ``do_find_person``, which logs it."""
    visible = cases_visible_to(agent)
    if not form.is_valid():
        return None
    text = form.cleaned_data["person"]
    status = form.cleaned_data.get("status") or "all"
    if not NATIONAL_NUMBER.match(text):
        return with_status(cases_named(visible, text), status)
    try:
        found = do_find_person(agent, visible, text, form.cleaned_data["purpose"])
    except CaseRefused as refused:
        form.add_error("person", refused.message)
        return None
    return with_status(found, status)


@login_required
@require_POST
def find_person(request: HttpRequest) -> HttpResponse:
    """The cases of one person, found by name or national number, on the queue's page."""
    agent = back_office_agent(request)
    person_form = PersonSearchForm(request.POST)
    found = _found(agent, person_form)
    # Each row shows its fee, as in the queue: read with the cases, not one query a row.
    shown = found.select_related("fee", "applicant") if found is not None else None
    cases = list(shown[: PERSON_RESULTS + 1]) if shown is not None else []
    if found is not None and not NATIONAL_NUMBER.match(person_form.cleaned_data["person"]):
        do_record_name_search(
            agent, cases[:PERSON_RESULTS], person_form.cleaned_data.get("purpose") or ""
        )
    return _queue_page(
        request, agent, QueueForm(agent=agent), person_form, cases[:PERSON_RESULTS],
        more=len(cases) > PERSON_RESULTS, status=422 if person_form.errors else 200,
        searched=person_form.cleaned_data["person"] if found is not None else "",
    )  # fmt: skip


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    agent = back_office_agent(request)
    if request.method == "POST":
        return _bulk_change(request, agent)
    return _filtered_queue(request, agent)


def _filtered_queue(
    request: HttpRequest, agent: User, bulk_error: str = "", keep: bool = False
) -> HttpResponse:
    """The queue as filtered; after a refused bulk change (with why) or one the agent wants to
    change (``keep``), with what the agent chose and typed."""
    form = QueueForm(request.GET or None, agent=agent)
    cases = filter_queue(cases_visible_to(agent), form.filters(), agent).select_related(
        "fee__paid_by"
    )
    if not form.errors and request.session.get(SESSION_KEY) != request.GET.urlencode():
        request.session[SESSION_KEY] = request.GET.urlencode()  # no session write when unchanged
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return _queue_page(
        request, agent, form, PersonSearchForm(), page.object_list, page=page,
        status=422 if form.errors or bulk_error else 200, bulk_error=bulk_error,
        keep=keep or bool(bulk_error),
    )  # fmt: skip


def _queue_page(
    request: HttpRequest, agent: User, form: QueueForm, person_form: PersonSearchForm,
    cases: Any, status: int, page: Page[Case] | None = None, more: bool = False,
    bulk_error: str = "", keep: bool = False, searched: str = "",
) -> HttpResponse:  # fmt: skip
    """The queue page; ``searched`` is the name or number of a person search that was run."""
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/backoffice/queue.html",
        {
            "form": form,
            "person_form": person_form,
            "page": page,
            "cases": cases,
            "more": more,
            "searched": searched,
            "searched_all": not searched or person_form.cleaned_data.get("status") in ("", "all"),
            "query": query.urlencode(),
            "today": timezone.localdate(),
            "figures": queue_figures(cases_visible_to(agent)),
            "bulk_statuses": [(s.value, status_for_agent(s)) for s in BULK_STATUSES],
            "bulk_error": bulk_error,
            "can_bulk": any(case.is_open for case in cases),
            "bulk_typed": request.POST if keep else {},
            "selected": request.POST.getlist("selected") if keep else [],
            "administrations": agent_administrations(agent),
            "accountant_export": bool(administrations_with_money(agent)),
            "merchant_accounts": may_manage_merchant_accounts(agent),
        },
        status=status,
    )


def queue_link(request: HttpRequest) -> str:
    """The queue as the agent last filtered it (for "Back to the queue")."""
    query = request.session.get(SESSION_KEY, "")
    return reverse("web:backoffice") + (f"?{query}" if query else "")


def next_case(request: HttpRequest, agent: User, current: Case) -> Case | None:
    """The first open case after ``current`` in the queue as the agent last filtered it (an
    open case of the queue's order that is not this one, and not assigned to someone else)."""
    form = QueueForm(QueryDict(request.session.get(SESSION_KEY, "")), agent=agent)
    filters = form.filters()
    cases = filter_queue(cases_visible_to(agent), filters, agent)
    mine_or_nobody = Q(assigned_to__isnull=True) | Q(assigned_to=agent)
    return cases.filter(mine_or_nobody, status__in=OPEN_STATUSES).exclude(pk=current.pk).first()


BULK_REASONS_REQUIRED = gettext_lazy(
    "A decision in bulk must give its reasons: write them in the field under the list. "
    "Your selection is kept."
)
BULK_NOTHING_SELECTED = gettext_lazy(
    "Select at least one case in the list, then choose what to move them to."
)


def _bulk_change(request: HttpRequest, agent: User) -> HttpResponse:
    """Move several cases to one status, in two steps: the agent first sees which cases, which
    status and which reasons (a page that changes nothing), then confirms. A decision in bulk
    states its reasons like any other (the same reasons for each case)."""
    status = request.POST.get("bulk_status", "")
    note = request.POST.get("bulk_note", "")[:4000]
    step = request.POST.get("confirm", "")
    chosen = (
        cases_visible_to(agent)
        .filter(reference__in=request.POST.getlist("selected")[:200])
        .select_related("procedure", "applicant")
        .order_by("reference")
    )
    if step == "change":
        return _filtered_queue(request, agent, keep=True)
    if status not in BULK_STATUSES or not chosen:
        return _filtered_queue(request, agent, str(BULK_NOTHING_SELECTED))
    if status in DECISIONS and not note.strip():
        return _filtered_queue(request, agent, str(BULK_REASONS_REQUIRED))
    if step != "yes":
        rows = [(case, *_bulk_refusal(case, status, note)) for case in chosen]
        kept = [case for case, language, other in rows if not (language or other)]
        return render(
            request,
            "web/backoffice/bulk_preview.html",
            {
                "rows": rows,
                "cases": kept,
                "left_out": [case.reference for case, language, _other in rows if language],
                "cannot_take": [case.reference for case, _language, other in rows if other],
                "status": status,
                "status_label": status_for_agent(status),
                "is_decision": status in DECISIONS,
                "note": note,
                "versions": {c.reference: request.POST.get(f"version-{c.reference}", "")
                             for c in kept},
                "action": request.get_full_path(),
            },
            status=200 if kept else 422,
        )  # fmt: skip
    return _apply_bulk_change(request, agent, list(chosen), status, note)


def _bulk_refusal(case: Case, status: str, note: str) -> tuple[str, str]:
    """Why a change in bulk cannot be made to this case, before anything is confirmed: the
    reasons of a decision are in another language than the case's (first), or the case cannot
    take the change at all (second: a case awaiting payment cannot be decided, say), or ("", "").
    The same checks as the actions make when the change is applied."""
    try:
        if status in DECISIONS:
            check_language(case, note, "note")
            check_can_decide(case, status, note)
        else:
            check_transition(case, status)
    except WrongLanguage as refused:
        return refused.message, ""
    except CaseRefused as refused:
        return "", refused.message
    return "", ""


def _apply_bulk_change(
    request: HttpRequest, agent: User, chosen: list[Case], status: str, note: str
) -> HttpResponse:
    """Apply a confirmed bulk change. A case changed by someone else since the queue was shown
    is skipped, and so is a case that cannot make that move; the changed ones are listed."""
    changed: list[str] = []
    refused: list[str] = []
    stale: list[str] = []
    other_language: list[str] = []
    for case in chosen:
        seen = posted_number(request, f"version-{case.reference}")
        try:
            do_change_status(
                case, agent, status, note, expected_version=-1 if seen is None else seen
            )
            changed.append(case.reference)
        except StaleCase:
            stale.append(case.reference)
        except WrongLanguage:
            other_language.append(f"{case.reference} ({case.language_name})")
        except CaseRefused as refusal:
            refused.append(f"{case.reference} ({refusal.message})")
    if changed:
        messages.success(
            request,
            ngettext(
                "%(count)s case moved to “%(status)s”: %(list)s.",
                "%(count)s cases moved to “%(status)s”: %(list)s.",
                len(changed),
            )
            % {"count": len(changed), "status": status_for_agent(status),
               "list": ", ".join(changed)},
        )  # fmt: skip
    else:
        messages.info(request, _("No case was changed."))
    if stale:
        messages.warning(
            request,
            _("These cases were changed by someone else meanwhile and were left as they are; "
              "check them and try again: %(list)s") % {"list": ", ".join(stale)},
        )  # fmt: skip
    if other_language:
        messages.warning(
            request,
            _("These cases were left as they are: the reasons are not in their language, and a "
              "decision must not mix languages: %(list)s") % {"list": ", ".join(other_language)},
        )  # fmt: skip
    if refused:
        messages.warning(
            request,
            _("These cases were left as they are: %(list)s") % {"list": "; ".join(refused)},
        )
    return redirect(request.get_full_path())


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """The queue as filtered, as a CSV file (at most ``EXPORT_LIMIT`` rows, said in the file)."""
    agent = back_office_agent(request)
    form = QueueForm(request.GET or None, agent=agent)
    if form.errors:
        return queue(request)
    cases = filter_queue(cases_visible_to(agent), form.filters(), agent)
    today = timezone.localdate()
    out = io.StringIO()
    writer = csv_export.Writer(out)
    writer.writerow([
        _("Reference"), _("Procedure"), _("Applicant"), _("Received"), _("Due"),
        _("Assigned to"), _("Status"), _("Overdue"), _("Channel"), _("Typed data"),
    ])  # fmt: skip
    rows = list(cases[: EXPORT_LIMIT + 1])
    for case in rows[:EXPORT_LIMIT]:
        overdue = case.is_open and case.due_on is not None and case.due_on < today
        writer.writerow([
            case.reference, case.procedure.name, case.applicant.display_name,
            timezone.localtime(case.submitted_at).date().isoformat(),
            case.due_on.isoformat() if case.due_on else "",
            case.assigned_to.display_name if case.assigned_to else "",
            case.get_status_display(), _("yes") if overdue else "",
            case.get_channel_display(), _("yes") if case.declared_instead else "",
        ])  # fmt: skip
    if len(rows) > EXPORT_LIMIT:
        writer.writerow([_("Only the first %(count)s cases are listed.") % {"count": EXPORT_LIMIT}])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cases.csv"'
    return response


FIGURE_DIMENSIONS = {
    "procedure": gettext_lazy("By procedure"),
    "agent": gettext_lazy("By agent"),
    "week": gettext_lazy("By week of receipt (ISO week)"),
}


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    """Counts by procedure, agent and ISO week, each a link to the matching queue."""
    agent = back_office_agent(request)
    visible = cases_visible_to(agent)
    tables = [
        {"key": key, "title": title,
         "rows": [(row, _figure_link(key, row.key)) for row in figures_by(visible, key)]}
        for key, title in FIGURE_DIMENSIONS.items()
    ]  # fmt: skip
    return render(request, "web/backoffice/figures.html", {"tables": tables})


def _figure_link(dimension: str, key: str) -> str:
    """The queue of all the cases behind one row of figures ("" for a week: no such filter)."""
    if dimension == "procedure":
        params = {"status": "all", "procedure": key}
    elif dimension == "agent":
        params = {"status": "all", "assigned": key or "nobody"}
    else:
        return ""
    return reverse("web:backoffice") + "?" + urlencode(params)
