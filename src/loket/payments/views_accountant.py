"""The accountant's export page: the form (the last full month proposed), how many rows the
period has before anything is downloaded, and the CSV (``accounting``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loket.cases.selectors import agent_administration_ids
from loket.core.models import Administration, User
from loket.payments.accounting import (
    ATTEMPTS,
    EXCEL,
    MONEY,
    RFC4180,
    Period,
    accountant_csv,
    administrations_with_money,
    check_export_administration,
    rows_for_accountant,
)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class AccountantExportForm(forms.Form):
    """The period (both days included; the last full month unless changed), what to export and
    how, and, for a civil servant of several, the administration."""

    administration = forms.ChoiceField(label=gettext_lazy("Administration"))
    start = forms.DateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={
            "required": gettext_lazy("Enter the first day of the period."),
            "invalid": gettext_lazy("Enter a real date, for example 15/03/2027."),
        },
    )
    end = forms.DateField(
        label=gettext_lazy("Until"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={
            "required": gettext_lazy("Enter the last day of the period."),
            "invalid": gettext_lazy("Enter a real date, for example 15/03/2027."),
        },
    )
    contents = forms.ChoiceField(
        label=gettext_lazy("What to export"),
        widget=forms.RadioSelect,
        required=False,
        choices=[
            (MONEY, gettext_lazy("Money received and refunded (payments and refunds)")),
            (
                ATTEMPTS,
                gettext_lazy(
                    "Attempts to pay that brought no money (open, failed, abandoned, expired)"
                ),
            ),
        ],
    )
    format = forms.ChoiceField(
        label=gettext_lazy("File"),
        widget=forms.RadioSelect,
        required=False,
        choices=[
            (
                EXCEL,
                gettext_lazy("For a spreadsheet (Excel, LibreOffice): “;” and a decimal comma"),
            ),
            (RFC4180, gettext_lazy("For a program (CSV as in RFC 4180): “,” and a decimal point")),
        ],
    )

    def __init__(self, *args: Any, agent: User, today: date, **kwargs: Any) -> None:
        month = Period.month_before(today)
        kwargs["initial"] = {
            "start": month.start, "end": month.end, "contents": MONEY, "format": EXCEL,
        }  # fmt: skip
        super().__init__(*args, **kwargs)
        field = self.fields["administration"]
        assert isinstance(field, forms.ChoiceField)
        with_money = administrations_with_money(agent)
        offered = [
            administration
            for administration in Administration.objects.filter(
                id__in=agent_administration_ids(agent)
            ).order_by("id")
            if administration.pk in with_money or not with_money
        ]
        field.choices = [(administration.pk, administration.name) for administration in offered]
        self.administration_ids = [administration.pk for administration in offered]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if isinstance(start, date) and isinstance(end, date) and start > end:
            self.add_error("end", _("The end date must be after the start date."))
        cleaned["contents"] = cleaned.get("contents") or MONEY
        cleaned["format"] = cleaned.get("format") or EXCEL
        return cleaned


@login_required
def accountant_export(request: HttpRequest) -> HttpResponse:
    """The accountant's CSV of an administration's payments and refunds over a period; the
    form again, with what was typed and why not, when the period is not one (422)."""
    agent = _user(request)
    if not agent_administration_ids(agent):
        raise Http404
    form = AccountantExportForm(request.GET or None, agent=agent, today=timezone.localdate())
    if not form.is_bound:  # what the proposed period holds, before anything is downloaded
        return render(request, "payments/accountant_export.html", {
            "form": form, "count": _proposed_count(form), "period": _proposed_period(form),
        })  # fmt: skip
    if form.is_valid():
        administration_id = check_export_administration(agent, form.cleaned_data["administration"])
        period = Period(form.cleaned_data["start"], form.cleaned_data["end"])
        spelling, contents = form.cleaned_data["format"], form.cleaned_data["contents"]
        if request.GET.get("action") == "count":
            count = rows_for_accountant(administration_id, period, contents)
            return render(
                request, "payments/accountant_export.html",
                {"form": form, "count": count, "period": period},
            )  # fmt: skip
        response = HttpResponse(
            accountant_csv(administration_id, period, spelling, contents),
            content_type="text/csv; charset=utf-8"
            + ("; header=present" if spelling == RFC4180 else ""),
        )
        name = f"{contents}-{administration_id}-{period.start}-{period.end}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "payments/accountant_export.html", {"form": form}, status=422)


def _proposed_period(form: AccountantExportForm) -> Period:
    return Period(form.initial["start"], form.initial["end"])


def _proposed_count(form: AccountantExportForm) -> int | None:
    """The rows of the proposed period for the first administration offered (None when the
    agent has several: the count waits until one is chosen)."""
    if len(form.administration_ids) != 1:
        return None
    return rows_for_accountant(form.administration_ids[0], _proposed_period(form), MONEY)
