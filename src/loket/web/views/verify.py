"""The public verification of certificates: by code (what the QR code opens) or by the file.

No login. Every lookup counts against a per-address rate limit; unknown codes and the first
refusal of a window are logged as security events; every verification of a real certificate
is recorded for its holder to see.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from loket.audit.actions import do_record_security_event
from loket.certificates.actions import do_record_verification, outcome_of
from loket.certificates.codes import normalise
from loket.certificates.content import KINDS
from loket.certificates.models import IssuedCertificate, Verification
from loket.certificates.selectors import certificate_by_code
from loket.certificates.verify import check_file
from loket.core.access import access
from loket.core.client import client_address
from loket.core.ratelimit import hit

MAX_UPLOAD = 10 * 1024 * 1024


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        help_text=gettext_lazy("The code printed on the certificate, for example ABCD-EFGH-…"),
        max_length=80,
        error_messages={"required": gettext_lazy("Enter the verification code.")},
    )

    def clean_code(self) -> str:
        code = normalise(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(
                gettext_lazy("A verification code has 32 letters and digits, in groups of four.")
            )
        return code


class FileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("The certificate as a PDF file"),
        error_messages={"required": gettext_lazy("Choose the PDF file of the certificate.")},
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(gettext_lazy("The file is larger than 10 MB."))
        data: bytes = upload.read()
        if not data.startswith(b"%PDF-"):
            raise forms.ValidationError(gettext_lazy("The file is not a PDF."))
        return data


def _limited(request: HttpRequest) -> HttpResponse | None:
    wait = hit(f"verify:{client_address(request)}", "LOKET_VERIFY_RATE_LIMIT")
    if wait is None:
        return None
    response = render(
        request,
        "web/verify/rate_limited.html",
        {"minutes": max(1, (wait + 59) // 60)},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


def _result(
    request: HttpRequest, certificate: IssuedCertificate, outcome: str, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "web/verify/result.html",
        {"certificate": certificate, "kind": KINDS.get(certificate.kind), "outcome": outcome},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The form: a code (sent to the code's own page) or the PDF file (checked here)."""
    code_form, file_form = CodeForm(), FileForm()
    if request.method == "POST" and "code" in request.POST:
        code_form = CodeForm(request.POST)
        if code_form.is_valid():
            return redirect("web:verify-code", code=code_form.cleaned_data["code"])
    elif request.method == "POST":
        limited = _limited(request)
        if limited:
            return limited
        file_form = FileForm(request.POST, request.FILES)
        if file_form.is_valid():
            check = check_file(file_form.cleaned_data["file"], Verification.Channel.UPLOAD)
            if check.certificate is not None and check.seal.ok:
                return _result(request, check.certificate, outcome_of(check.certificate))
            do_record_security_event(
                "certificate-file-not-authentic",
                ip_address=client_address(request),
                problems="; ".join(check.problems)[:300],
            )
            return render(request, "web/verify/not_authentic.html", {"check": check}, status=422)
    errors = bool(code_form.errors or file_form.errors)
    return render(
        request,
        "web/verify/index.html",
        {"form": code_form, "file_form": file_form},
        status=422 if errors else 200,
    )


@require_http_methods(["GET"])
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    limited = _limited(request)
    if limited:
        return limited
    certificate = certificate_by_code(code)
    if certificate is None:
        do_record_security_event(
            "certificate-code-unknown", ip_address=client_address(request), length=len(code)
        )
        typed = code[:80]  # what the field accepts
        return render(
            request,
            "web/verify/unknown.html",
            {"form": CodeForm(initial={"code": typed}), "malformed": not normalise(code)},
            status=404,
        )
    outcome = outcome_of(certificate)
    do_record_verification(certificate, Verification.Channel.PAGE, outcome)
    return _result(request, certificate, outcome)


@access("anonymous")
@require_http_methods(["GET"])
def verify_code_in_visitors_language(request: HttpRequest, code: str) -> HttpResponse:
    """``/verify/<code>/``, what the QR code and the printed address open: the same page in the
    visitor's language (their choice, else their browser's, else French). Nothing is looked up
    here, so the rate limit and the record of the check stay with the page itself."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        return redirect(reverse("web:verify-code", kwargs={"code": code}))
