"""A resident's rights over their data: the page that explains and takes requests, each request's
page (with the erasure plan or the archive link), the one-time download, and consent answers."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from loket.audit.actions import do_record_security_event
from loket.audit.subjects import person_pseudonym
from loket.cases.selectors import cases_of_applicant
from loket.core.access import access
from loket.core.models import User
from loket.privacy.archive import ArchiveGone, take_archive
from loket.privacy.consent import PURPOSES, do_answer_consent
from loket.privacy.erasure import erasure_plan
from loket.privacy.models import DataSubjectRequest
from loket.privacy.requests import do_file_request
from loket.sources.catalogue import REGISTER_KEEPERS, source_name

Kind = DataSubjectRequest.Kind


class RequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What do you ask?"), choices=Kind.choices, widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose what you ask.")},
    )  # fmt: skip
    details = forms.CharField(
        label=gettext_lazy("Explain in your own words"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("For a correction: what is wrong and what is right. For an "
                               "objection or a restriction: which use of your data, and why."),
        error_messages={"max_length": gettext_lazy("Write at most 4,000 characters.")},
    )  # fmt: skip
    register = forms.ChoiceField(
        label=gettext_lazy("The wrong data comes from a register"), required=False
    )
    case = forms.ChoiceField(label=gettext_lazy("Or: the wrong data is in an application"),
                             required=False)  # fmt: skip

    def __init__(self, person: User, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.person = person
        none = [("", _("Not a register"))]
        self.fields["register"].choices = none + [  # type: ignore[attr-defined]
            (s, source_name(s)) for s in REGISTER_KEEPERS
        ]
        self.fields["case"].choices = [("", _("Not an application"))] + [  # type: ignore[attr-defined]
            (c.reference, f"{c.reference} · {c.procedure.name}") for c in cases_of_applicant(person)
        ]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if kind and kind != Kind.ACCESS and not str(cleaned.get("details", "")).strip():
            self.add_error("details", _("Explain what you ask, in a few words."))
        if kind == Kind.RECTIFICATION and not (cleaned.get("register") or cleaned.get("case")):
            self.add_error("register", _("Choose the register or the application with the error."))
        return cleaned


def _person(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@access("resident")
@login_required
def rights(request: HttpRequest) -> HttpResponse:
    """What each right means, a form to use one, and the person's requests with their dates."""
    person = _person(request)
    form = RequestForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        if kind == Kind.ERASURE and request.POST.get("confirmed") != "yes":
            return render(request, "privacy/erasure_confirm.html",
                          {"form": form, "plan": erasure_plan(person)})  # fmt: skip
        case = None
        if kind == Kind.RECTIFICATION and form.cleaned_data["case"]:
            case = cases_of_applicant(person).get(reference=form.cleaned_data["case"])
        register = form.cleaned_data["register"] if kind == Kind.RECTIFICATION and not case else ""
        filed = do_file_request(person, kind, form.cleaned_data["details"], case, register)
        return redirect("privacy:request", filed.pk)
    return render(
        request,
        "privacy/rights.html",
        {"form": form, "requests": DataSubjectRequest.objects.filter(person=person)},
        status=422 if form.errors else 200,
    )


@access("resident")
@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    filed = get_object_or_404(DataSubjectRequest, pk=pk, person=person)
    archive = getattr(filed, "archive", None)
    return render(
        request,
        "privacy/request.html",
        {
            "filed": filed,
            "archive": archive,
            "plan": erasure_plan(person) if filed.kind == Kind.ERASURE and filed.is_open else None,
            "correction_url": (
                reverse("web:procedure", args=["personal-data-correction"])
                + f"?register={filed.register}"
            ) if filed.register else "",
        },
    )  # fmt: skip


@access("resident")
@login_required
def archive_download(request: HttpRequest, token: str) -> HttpResponse:
    """The archive, once: afterwards, or after its expiry, 410 Gone."""
    person = _person(request)
    try:
        archive, content = take_archive(token, person)
    except LookupError:
        do_record_security_event(
            "privacy-archive-unknown-token",
            person_pseudonym(person),
        )
        raise Http404 from None
    except ArchiveGone:
        return render(request, "privacy/archive_gone.html", status=410)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="loket-my-data-{archive.pk}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


@access("resident")
@login_required
@require_POST
def consent(request: HttpRequest) -> HttpResponse:
    """A yes or a no to one optional use, from My data."""
    purpose = request.POST.get("purpose", "")
    answer = request.POST.get("answer", "")
    if purpose not in PURPOSES or answer not in ("yes", "no"):
        context = {"title": _("This choice does not exist"),
                   "message": _("Go back to My data and choose again.")}  # fmt: skip
        return render(request, "web/error.html", context, status=400)
    do_answer_consent(_person(request), purpose, given=answer == "yes")
    return redirect(reverse("web:my-data") + "#consents")
