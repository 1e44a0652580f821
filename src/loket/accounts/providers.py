"""The configured OpenID providers, read from settings at request time, and their metadata.

The discovery document and the key set are cached (``DISCOVERY_SECONDS``); the key set is fetched
again when a token names a key it does not hold, so a provider may rotate its keys at any time.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from loket.accounts.errors import PROVIDER_UNAVAILABLE, LoginRefused
from loket.config import OidcClient

log = logging.getLogger("loket.auth")

RESIDENT = "resident"
AGENT = "agent"
PROVIDERS = (RESIDENT, AGENT)
DISCOVERY_SECONDS = 60 * 60
HTTP_TIMEOUT_SECONDS = 10


def client_for(provider: str) -> OidcClient | None:
    """The configuration of ``provider`` ("resident" or "agent"), or None when not configured."""
    if provider == RESIDENT:
        client = settings.LOKET_OIDC
    elif provider == AGENT:
        client = settings.LOKET_OIDC_AGENT
    else:
        return None
    return client if isinstance(client, OidcClient) else None


def _cache_key(kind: str, url: str) -> str:
    return f"loket-oidc-{kind}-{hashlib.sha256(url.encode()).hexdigest()[:32]}"


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT_SECONDS)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as problem:
        log.error("OpenID provider unreachable url=%s error=%s", url, problem)
        raise LoginRefused(PROVIDER_UNAVAILABLE, {"url": url}) from None
    if not isinstance(document, dict):
        raise LoginRefused(PROVIDER_UNAVAILABLE, {"url": url, "problem": "not an object"})
    return document


def metadata(client: OidcClient) -> dict[str, Any]:
    """The provider's discovery document, checked to be the issuer's own."""
    url = f"{client.issuer}/.well-known/openid-configuration"
    key = _cache_key("discovery", url)
    document: dict[str, Any] | None = cache.get(key)
    if document is None:
        document = _get_json(url)
        if document.get("issuer") != client.issuer:
            # OpenID Connect Discovery 1.0 §4.3: the document must name the issuer asked for.
            raise LoginRefused(PROVIDER_UNAVAILABLE, {"url": url, "problem": "issuer mismatch"})
        for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(document.get(endpoint), str):
                raise LoginRefused(PROVIDER_UNAVAILABLE, {"url": url, "problem": endpoint})
        cache.set(key, document, DISCOVERY_SECONDS)
    return document


def key_set(client: OidcClient, *, refresh: bool = False) -> KeySet:
    """The provider's public signing keys (from ``jwks_uri``)."""
    url = str(metadata(client)["jwks_uri"])
    key = _cache_key("jwks", url)
    jwks: dict[str, Any] | None = None if refresh else cache.get(key)
    if jwks is None:
        jwks = _get_json(url)
        cache.set(key, jwks, DISCOVERY_SECONDS)
    try:
        return KeySet.import_key_set(jwks)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as problem:
        log.error("OpenID provider key set unusable url=%s error=%s", url, problem)
        raise LoginRefused(PROVIDER_UNAVAILABLE, {"url": url, "problem": "jwks"}) from None
