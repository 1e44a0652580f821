"""ID token validation: each check refuses a token that fails it, with tokens signed here."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from loket.accounts.tokens import CLOCK_SKEW_SECONDS, IdTokenError, validate_id_token

ISSUER = "https://idp.example.be"
CLIENT_ID = "loket"
NONCE = "n-0S6_WzA2Mj"
PROVIDER_KEY = RSAKey.generate_key(2048, parameters={"kid": "provider-1", "alg": "RS256"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "provider-1", "alg": "RS256"})


def public_keys(*keys: RSAKey) -> KeySet:
    return KeySet.import_key_set({"keys": [key.as_dict(private=False) for key in keys]})


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    values = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": "resident-1",
        "iat": now,
        "exp": now + 300,
        "nonce": NONCE,
        "national_number": "85073003328",
    }
    values.update(changes)
    return {name: value for name, value in values.items() if value is not None}


def sign(payload: dict[str, Any], key: RSAKey = PROVIDER_KEY, kid: str = "provider-1") -> str:
    return jwt.encode({"alg": "RS256", "kid": kid}, payload, key)


def validate(token: str, keys: KeySet | None = None, **kwargs: Any) -> dict[str, Any]:
    return validate_id_token(
        token,
        keys=keys or public_keys(PROVIDER_KEY),
        issuer=ISSUER,
        client_id=CLIENT_ID,
        nonce=kwargs.pop("nonce", NONCE),
        **kwargs,
    )


def refused_because(token: str, **kwargs: Any) -> str:
    with pytest.raises(IdTokenError) as refused:
        validate(token, **kwargs)
    return refused.value.reason


def test_a_token_signed_by_the_provider_with_the_right_claims_is_accepted() -> None:
    assert validate(sign(claims()))["national_number"] == "85073003328"


def test_a_token_signed_with_another_key_is_refused() -> None:
    assert refused_because(sign(claims(), key=OTHER_KEY)) == "signature"


def test_a_token_whose_payload_was_altered_is_refused() -> None:
    header, _payload, signature = sign(claims()).split(".")
    _h, forged_payload, _s = sign(claims(national_number="93051822361")).split(".")
    assert refused_because(f"{header}.{forged_payload}.{signature}") == "signature"


def test_an_unsigned_token_is_refused() -> None:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    unsigned = f"{part({'alg': 'none'})}.{part(claims())}."
    assert refused_because(unsigned).startswith("malformed")


def test_a_token_signed_with_the_client_secret_hs256_is_refused() -> None:
    secret = OctKey.import_key("a-client-secret-that-is-long-enough-for-hs256")
    token = jwt.encode({"alg": "HS256"}, claims(), secret)
    assert refused_because(token).startswith("malformed")


def test_a_token_from_another_issuer_is_refused() -> None:
    assert refused_because(sign(claims(iss="https://evil.example"))) == "claim iss"


def test_a_token_for_another_client_is_refused() -> None:
    assert refused_because(sign(claims(aud="another-client"))) == "claim aud"


def test_a_token_for_several_audiences_must_name_us_as_authorized_party() -> None:
    assert refused_because(sign(claims(aud=[CLIENT_ID, "other"]))) == "claim azp"
    assert validate(sign(claims(aud=[CLIENT_ID, "other"], azp=CLIENT_ID)))["sub"] == "resident-1"


def test_an_expired_token_is_refused_but_a_small_clock_skew_is_tolerated() -> None:
    now = int(time.time())
    assert refused_because(sign(claims(exp=now - CLOCK_SKEW_SECONDS - 5))) == "expired"
    assert validate(sign(claims(exp=now - CLOCK_SKEW_SECONDS // 2)))["sub"] == "resident-1"


def test_a_token_issued_in_the_future_is_refused() -> None:
    issued = int(time.time()) + CLOCK_SKEW_SECONDS + 30
    assert refused_because(sign(claims(iat=issued, exp=issued + 300))) == "claim iat"


@pytest.mark.parametrize("missing", ["iss", "aud", "sub", "exp", "iat"])
def test_a_token_without_a_required_claim_is_refused(missing: str) -> None:
    assert refused_because(sign(claims(**{missing: None}))) == f"claim {missing}"


def test_a_token_with_another_nonce_is_refused_and_names_its_subject() -> None:
    with pytest.raises(IdTokenError) as refused:
        validate(sign(claims()), nonce="the-nonce-of-another-attempt")
    assert (refused.value.reason, refused.value.subject) == ("nonce", "resident-1")
    assert refused_because(sign(claims(nonce=None))) == "nonce"


def test_a_key_unknown_to_the_cached_set_makes_one_refresh_of_the_keys() -> None:
    rotated = RSAKey.generate_key(2048, parameters={"kid": "provider-2", "alg": "RS256"})
    calls: list[int] = []

    def refresh() -> KeySet:
        calls.append(1)
        return public_keys(PROVIDER_KEY, rotated)

    token = sign(claims(), key=rotated, kid="provider-2")
    assert validate(token, refresh_keys=refresh)["sub"] == "resident-1"
    assert calls == [1]
