"""The authorization code flow with PKCE (S256), state and nonce, over Authlib's OAuth2Session.

``begin`` remembers each login attempt in the session under its ``state``; ``complete`` takes it
out before anything else, so a state answers once (a replayed callback finds nothing) and an
attempt older than ``ATTEMPT_SECONDS`` is refused.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language

from loket.accounts import errors
from loket.accounts.errors import LoginRefused
from loket.accounts.providers import RESIDENT, client_for, key_set, metadata
from loket.accounts.tokens import IdTokenError, validate_id_token
from loket.config import OidcClient
from loket.core.identifiers import pseudonym

ATTEMPTS_KEY = "loket_oidc_attempts"
ATTEMPT_SECONDS = 10 * 60
MAX_OPEN_ATTEMPTS = 5


@dataclass(frozen=True)
class LoginResult:
    provider: str
    client: OidcClient
    claims: dict[str, Any]
    id_token: str
    next_url: str


def account_key(issuer: str, subject: str) -> str:
    """The pseudonym under which an account's failed logins are counted."""
    return pseudonym(f"oidc|{issuer}|{subject}")


def callback_uri(request: HttpRequest, provider: str) -> str:
    name = "oidc:callback" if provider == RESIDENT else "oidc:agent-callback"
    return request.build_absolute_uri(reverse(name))


def _oauth_session(request: HttpRequest, provider: str, client: OidcClient) -> OAuth2Session:
    return OAuth2Session(
        client.client_id,
        client.client_secret,
        scope=client.scopes,
        redirect_uri=callback_uri(request, provider),
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method name)
    )


def begin(request: HttpRequest, provider: str, client: OidcClient, next_url: str) -> str:
    """Remember a new login attempt and return the provider's authorization URL for it."""
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = generate_token(64)
    authorization_endpoint = str(metadata(client)["authorization_endpoint"])
    url, _state = _oauth_session(request, provider, client).create_authorization_url(
        authorization_endpoint,
        state=state,
        nonce=nonce,
        code_verifier=verifier,
        ui_locales=get_language() or "fr",
    )
    now = int(time.time())
    attempts = {
        key: attempt
        for key, attempt in request.session.get(ATTEMPTS_KEY, {}).items()
        if now - int(attempt["started"]) <= ATTEMPT_SECONDS
    }
    # A few open attempts (several tabs) are fine; an unbounded number would bloat the session.
    kept = sorted(attempts.items(), key=lambda item: int(item[1]["started"]))[
        -(MAX_OPEN_ATTEMPTS - 1) :
    ]
    request.session[ATTEMPTS_KEY] = {
        **dict(kept),
        state: {
            "provider": provider,
            "nonce": nonce,
            "verifier": verifier,
            "next": next_url,
            "started": now,
        },
    }
    return str(url)


def _take_attempt(request: HttpRequest, provider: str) -> dict[str, Any]:
    state = request.GET.get("state", "")
    attempts = dict(request.session.get(ATTEMPTS_KEY, {}))
    attempt = attempts.pop(state, None) if state else None
    request.session[ATTEMPTS_KEY] = attempts
    if attempt is None or attempt.get("provider") != provider:
        raise LoginRefused(errors.STATE_INVALID, {"provider": provider, "state_sent": bool(state)})
    if int(time.time()) - int(attempt["started"]) > ATTEMPT_SECONDS:
        raise LoginRefused(errors.LOGIN_EXPIRED, {"provider": provider})
    return dict(attempt)


def complete(request: HttpRequest, provider: str) -> LoginResult:
    """Check the provider's answer, exchange the code and validate the ID token."""
    client = client_for(provider)
    attempt = _take_attempt(request, provider)
    if client is None:
        raise LoginRefused(errors.PROVIDER_UNAVAILABLE, {"provider": provider})
    params = request.GET
    if "error" in params:
        raise LoginRefused(errors.PROVIDER_ERROR, {"error": params["error"][:100]})
    if params.get("iss") and params["iss"] != client.issuer:
        # RFC 9207: an answer that names another issuer is a mix-up attack.
        raise LoginRefused(errors.PROVIDER_ERROR, {"error": "issuer mismatch"})
    if not params.get("code"):
        raise LoginRefused(errors.PROVIDER_ERROR, {"error": "no code"})
    token_endpoint = str(metadata(client)["token_endpoint"])
    try:
        token = _oauth_session(request, provider, client).fetch_token(
            token_endpoint,
            grant_type="authorization_code",
            code=params["code"],
            code_verifier=attempt["verifier"],
        )
    except OAuthError as problem:
        raise LoginRefused(errors.PROVIDER_ERROR, {"error": str(problem.error)[:100]}) from None
    except requests.RequestException:
        raise LoginRefused(errors.PROVIDER_UNAVAILABLE, {"provider": provider}) from None
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise LoginRefused(errors.TOKEN_INVALID, {"reason": "no id_token"})
    try:
        claims = validate_id_token(
            id_token,
            keys=key_set(client),
            issuer=client.issuer,
            client_id=client.client_id,
            nonce=str(attempt["nonce"]),
            refresh_keys=lambda: key_set(client, refresh=True),
        )
    except IdTokenError as problem:
        refusal = errors.NONCE_MISMATCH if problem.reason == "nonce" else errors.TOKEN_INVALID
        account = account_key(client.issuer, problem.subject) if problem.subject else ""
        raise LoginRefused(refusal, {"reason": problem.reason}, account) from None
    return LoginResult(provider, client, claims, id_token, str(attempt.get("next", "")))
