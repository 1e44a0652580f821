"""Checking an ID token: signature against the provider's keys, then iss, aud, exp, iat, nonce.

Pure functions over joserfc, so each refusal is unit-tested with tokens signed here.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from typing import Any

from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

# Asymmetric algorithms only: never "none", never HS* keyed with the client secret.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
CLOCK_SKEW_SECONDS = 60


class IdTokenError(Exception):
    """The ID token is refused; ``reason`` names the first check that failed."""

    def __init__(self, reason: str, subject: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.subject = subject  # known when the signature was good, for the per-account lockout


def validate_id_token(
    id_token: str,
    *,
    keys: KeySet,
    issuer: str,
    client_id: str,
    nonce: str,
    now: int | None = None,
    refresh_keys: Callable[[], KeySet] | None = None,
) -> dict[str, Any]:
    """Return the claims of ``id_token`` or raise ``IdTokenError``.

    ``refresh_keys`` is called once when the token names a key the set does not hold (the
    provider rotated its keys since they were cached).
    """
    try:
        try:
            token = jwt.decode(id_token, keys, algorithms=list(ALGORITHMS))
        except InvalidKeyIdError:
            if refresh_keys is None:
                raise
            token = jwt.decode(id_token, refresh_keys(), algorithms=list(ALGORITHMS))
    except BadSignatureError:
        raise IdTokenError("signature") from None
    except (JoseError, ValueError, TypeError) as problem:
        raise IdTokenError(f"malformed: {type(problem).__name__}") from None

    claims = token.claims
    subject = str(claims.get("sub", ""))
    registry = JWTClaimsRegistry(
        now=now if now is not None else int(time.time()),
        leeway=CLOCK_SKEW_SECONDS,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError:
        raise IdTokenError("expired", subject) from None
    except (InvalidClaimError, MissingClaimError) as problem:
        raise IdTokenError(f"claim {problem.claim}", subject) from None
    except JoseError as problem:
        raise IdTokenError(f"claims: {type(problem).__name__}", subject) from None
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise IdTokenError("claim azp", subject)
    if not nonce or not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise IdTokenError("nonce", subject)
    return claims
