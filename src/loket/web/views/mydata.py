"""My data: who consulted my data (with proofs), and what the registers hold about me."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loket.audit.models import AccessLogEntry
from loket.audit.proofs import proof_document
from loket.audit.subjects import subject_pseudonyms
from loket.core import csv_export
from loket.core.models import Administration, User
from loket.privacy.consent import consents_of
from loket.sources.access import what_registers_hold
from loket.sources.catalogue import attribute_label, source_name
from loket.web.consultations import Filters, certificate_checks, describe, entries_about
from loket.web.presenters import fact_rows

SOURCES = ("population", "vehicle", "enterprise", "social", "case")
PAGE_SIZE = 50
CSV_ROWS = 10_000


@dataclass
class HistoryPage:
    """A page of the history, newest first. Pages go as far back as the CSV file does (the
    archive of one's data, under "Your rights", holds every entry), and the total is not
    counted: counting a person's entries on each view would cost more than the page."""

    number: int
    has_next: bool = False

    @classmethod
    def of(cls, asked: str | None) -> HistoryPage:
        try:
            number = int(asked or 1)
        except ValueError:  # not a number, or too long a one to convert
            number = 1
        return cls(min(max(number, 1), CSV_ROWS // PAGE_SIZE))

    @property
    def skip(self) -> int:
        return (self.number - 1) * PAGE_SIZE

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next


class FilterForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("Register"), required=False)
    administration = forms.ChoiceField(label=gettext_lazy("Administration"), required=False)
    since = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("Enter a real date, for example 15/03/2027.")},
    )
    until = forms.DateField(
        label=gettext_lazy("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("Enter a real date, for example 15/03/2027.")},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        everything = [("", _("All"))]
        self.fields["source"].choices = everything + [  # type: ignore[attr-defined]
            (s, source_name(s) if s != "case" else _("Case files")) for s in SOURCES
        ]
        self.fields["administration"].choices = everything + [  # type: ignore[attr-defined]
            (a.id, a.name) for a in Administration.objects.all()
        ]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if isinstance(since, date) and isinstance(until, date) and since > until:
            self.add_error("until", _("The end date must be after the start date."))
        return cleaned

    def filters(self) -> Filters:
        data = self.cleaned_data if self.is_valid() else {}
        return Filters(
            source=data.get("source") or "",
            administration=data.get("administration") or "",
            since=data.get("since"),
            until=data.get("until"),
        )


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """Every consultation of the person's data, in plain words, filterable, as CSV too."""
    user = request.user
    assert isinstance(user, User)
    form = FilterForm(request.GET or None)
    if request.GET.get("format") == "csv":
        return _csv(entries_about(user, form.filters(), limit=CSV_ROWS))
    page = HistoryPage.of(request.GET.get("page"))
    # One entry more than a page tells whether there are older ones, with no count of them all.
    entries = entries_about(user, form.filters(), limit=PAGE_SIZE + 1, skip=page.skip)
    page.has_next = len(entries) > PAGE_SIZE
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/account/my_data.html",
        {
            "form": form,
            "rows": describe(entries[:PAGE_SIZE]),
            "page": page,
            "query": query.urlencode(),
            "consents": consents_of(user),
            "certificate_checks": certificate_checks(user),
        },
        status=422 if form.errors else 200,
    )


def _csv(entries: list[AccessLogEntry]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="loket-consultations.csv"'
    writer = csv_export.Writer(response)
    writer.writerow(
        [
            _("Entry"),
            _("Date"),
            _("Time"),
            _("Administration"),
            _("Register"),
            _("Data"),
            _("Procedure"),
            _("Case"),
            _("Legal basis"),
            _("Description"),
        ]
    )
    for row in describe(entries):
        writer.writerow(
            [
                row["entry"].leaf_index,
                row["date"],
                row["time"],
                row["who"],
                row["source"],
                row["data"],
                row["procedure"],
                row["case"],
                row["legal_basis"],
                row["sentence"],
            ]
        )
    return response


@login_required
def entry_proof(request: HttpRequest, index: int) -> HttpResponse:
    """The proof file of one entry about me: checkable offline with `loket audit verify-proof`."""
    user = request.user
    assert isinstance(user, User)
    entry = AccessLogEntry.objects.filter(
        leaf_index=index, subject_pseudonym__in=subject_pseudonyms(user)
    ).first()
    if entry is None:
        raise Http404
    body = json.dumps(proof_document(entry), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="loket-proof-{index}.json"'
    return response


@login_required
def my_registers(request: HttpRequest) -> HttpResponse:
    """What each register holds about me. Opening this page reads the registers, and says so."""
    user = request.user
    assert isinstance(user, User)
    read, attributes = what_registers_hold(user)
    return render(
        request,
        "web/account/my_registers.html",
        {
            "facts": fact_rows(read.facts, attributes),
            "unavailable": read.unanswered,
            "not_held": [attribute_label(a) for a in read.missing if a not in read.unanswered],
        },
    )
