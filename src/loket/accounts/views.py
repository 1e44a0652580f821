"""Login page, the OpenID Connect login (start, callback) and logout. Thin: the flow is in
``flow``, who the person is in ``identities``, the lockout in ``lockout``."""

from __future__ import annotations

import math
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from loket.accounts import flow
from loket.accounts.authentication import demo_login_enabled, log_in, log_out
from loket.accounts.errors import PROVIDER_UNAVAILABLE, LoginRefused
from loket.accounts.identities import do_match_agent, do_match_resident
from loket.accounts.lockout import record_failure, retry_after
from loket.accounts.middleware import mark_session_start
from loket.accounts.providers import AGENT, RESIDENT, client_for, metadata
from loket.audit.actions import do_record_security_event
from loket.core.client import client_address
from loket.core.models import User

ID_TOKEN_KEY = "loket_oidc_id_token"  # noqa: S105 (a session key name)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _page(
    request: HttpRequest, status: int, title: str, message: str, *, try_again: bool = True
) -> HttpResponse:
    return render(
        request,
        "accounts/refused.html",
        {"title": title, "message": message, "status": status, "try_again": try_again},
        status=status,
    )


def _locked_out(request: HttpRequest, seconds: int) -> HttpResponse:
    minutes = math.ceil(seconds / 60)
    response = _page(
        request,
        429,
        _("Too many failed login attempts"),
        ngettext(
            "For your security, logging in is blocked for a while. Try again in %(minutes)d "
            "minute.",
            "For your security, logging in is blocked for a while. Try again in %(minutes)d "
            "minutes.",
            minutes,
        )
        % {"minutes": minutes},
        try_again=False,
    )
    response["Retry-After"] = str(seconds)
    return response


def _refused(request: HttpRequest, refused: LoginRefused) -> HttpResponse:
    refusal = refused.refusal
    address = client_address(request)
    do_record_security_event(
        refusal.kind, actor_pseudonym=refused.account, ip_address=address, **refused.detail
    )
    if refusal is not PROVIDER_UNAVAILABLE:  # an outage is nobody's failed attempt
        record_failure(address, refused.account, refusal.kind)
    return _page(request, refusal.status, str(refusal.title), str(refusal.message))


@require_GET
def login_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/login.html",
        {
            "resident_login": client_for(RESIDENT) is not None,
            "agent_login": client_for(AGENT) is not None,
            "demo_login": demo_login_enabled(),
            "next": _safe_next(request),
        },
    )


@require_POST
def start(request: HttpRequest, provider: str) -> HttpResponse:
    client = client_for(provider)
    if client is None:
        raise Http404
    wait = retry_after(client_address(request))
    if wait is not None:
        return _locked_out(request, wait)
    try:
        return HttpResponseRedirect(flow.begin(request, provider, client, _safe_next(request)))
    except LoginRefused as refused:
        return _refused(request, refused)


@require_GET
def callback(request: HttpRequest, provider: str) -> HttpResponse:
    address = client_address(request)
    wait = retry_after(address)
    if wait is not None:
        return _locked_out(request, wait)
    try:
        result = flow.complete(request, provider)
        wait = retry_after(address, flow.account_key(result.client.issuer, result.claims["sub"]))
        if wait is not None:
            return _locked_out(request, wait)
        match = do_match_agent if provider == AGENT else do_match_resident
        user = match(result.claims, result.client)
    except LoginRefused as refused:
        return _refused(request, refused)
    log_in(request, user, method=f"oidc-{provider}")
    mark_session_start(request)
    request.session[ID_TOKEN_KEY] = result.id_token  # the id_token_hint of the provider logout
    return redirect(_landing(request, user, result.next_url))


def _landing(request: HttpRequest, user: User, next_url: str) -> str:
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return next_url
    if user.memberships.filter(role="agent").exists():
        return reverse("web:backoffice")
    return reverse("web:my-cases")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Log out here, then at the provider when it offers RP-initiated logout."""
    method = str(request.session.get("loket_login_method", ""))
    id_token = str(request.session.get(ID_TOKEN_KEY, ""))
    log_out(request)
    client = client_for(method.removeprefix("oidc-")) if method.startswith("oidc-") else None
    if client is None or not id_token:
        return redirect("web:home")
    try:
        end_session = metadata(client).get("end_session_endpoint")
    except LoginRefused:
        end_session = None  # logged out here; the provider's session ends on its own
    if not isinstance(end_session, str) or not end_session:
        return redirect("web:home")
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("oidc:logged-out")),
            "client_id": client.client_id,
        }
    )
    return HttpResponseRedirect(f"{end_session}{'&' if '?' in end_session else '?'}{query}")


@require_GET
def logged_out(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the browser back after its logout."""
    return redirect("web:home")
