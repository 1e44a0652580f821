"""Why a login is refused: each reason has a security event kind, a status and a page text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Refusal:
    kind: str  # the security event kind, e.g. "oidc_state_invalid"
    status: int
    title: Promise
    message: Promise


STATE_INVALID = Refusal(
    "oidc_state_invalid",
    400,
    _("This login link is no longer valid"),
    _(
        "The answer of the identity provider does not belong to a login started here, or it "
        "was already used. Start the login again."
    ),
)
LOGIN_EXPIRED = Refusal(
    "oidc_login_expired",
    400,
    _("The login took too long"),
    _("For your security a login must be finished within 10 minutes. Start the login again."),
)
PROVIDER_ERROR = Refusal(
    "oidc_provider_error",
    400,
    _("The identity provider did not log you in"),
    _("The login was cancelled or refused by the identity provider. You can try again."),
)
TOKEN_INVALID = Refusal(
    "oidc_token_invalid",
    403,
    _("The login could not be verified"),
    _(
        "The proof of identity we received is not valid, so you are not logged in. Start the "
        "login again; if this happens again, contact the helpdesk."
    ),
)
NONCE_MISMATCH = Refusal(
    "oidc_nonce_mismatch",
    403,
    TOKEN_INVALID.title,
    TOKEN_INVALID.message,
)
IDENTIFIER_MISSING = Refusal(
    "oidc_identifier_missing",
    403,
    _("Your national number was not received"),
    _(
        "The identity provider did not give us a valid national number, so we cannot show you "
        "your data. Log in with your eID or itsme, or ask a public digital space for help."
    ),
)
PROVIDER_UNAVAILABLE = Refusal(
    "oidc_provider_unavailable",
    503,
    _("The login service cannot be reached"),
    _("The identity provider does not answer at the moment. Please try again in a few minutes."),
)


@dataclass
class LoginRefused(Exception):
    """Raised anywhere in the login flow; the view turns it into a page and a security event."""

    refusal: Refusal
    detail: dict[str, Any] = field(default_factory=dict)
    account: str = ""  # pseudonym of the account, when known (per-account lockout)
