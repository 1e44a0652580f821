"""The seal's signer keeps its parsed private key: the same signatures as pyHanko's own signer,
with the key parsed once per process instead of once per signature."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from pyhanko.sign import signers

from loket.core.sealkey import KeptKeySigner


def test_the_kept_key_signs_as_pyhanko_does_and_is_parsed_once(
    seal_authority: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = seal_authority["settings"]
    loaded = signers.SimpleSigner.load_pkcs12(
        settings["pkcs12"], passphrase=settings["password"].encode()
    )
    assert loaded is not None
    kept = KeptKeySigner.keeping_key_of(loaded)
    parsed: list[object] = []
    load = serialization.load_der_private_key

    def counted(*args: Any, **kwargs: Any) -> Any:
        parsed.append(args)
        return load(*args, **kwargs)

    monkeypatch.setattr(serialization, "load_der_private_key", counted)
    signatures = [kept.sign_raw(b"certificate %d" % n, "sha256") for n in range(3)]
    assert len(parsed) == 1
    # PKCS#1 v1.5 is deterministic: byte for byte what pyHanko's own signer makes.
    assert signatures == [loaded.sign_raw(b"certificate %d" % n, "sha256") for n in range(3)]
    assert len(parsed) == 4
    assert kept.signing_cert == loaded.signing_cert
    assert kept.cert_registry is loaded.cert_registry


def test_the_kept_certificate_parts_make_the_same_cms_as_pyhanko(
    seal_authority: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The signing-certificate-v2 attribute and the signer's identifier, encoded once, give the
    CMS pyHanko's own signer makes, byte for byte (PAdES signed attributes hold no time, and
    PKCS#1 v1.5 is deterministic); pyHanko's per-signature attribute is never built."""
    import asyncio
    import hashlib

    from pyhanko.sign import attributes

    def sign(signer: signers.Signer, digest: bytes) -> bytes:
        made = asyncio.run(signer.async_sign(digest, "sha256", use_pades=True))
        encoded: bytes = made.dump()
        return encoded

    settings = seal_authority["settings"]
    loaded = signers.SimpleSigner.load_pkcs12(
        settings["pkcs12"], passphrase=settings["password"].encode()
    )
    assert loaded is not None
    kept = KeptKeySigner.keeping_key_of(loaded)
    digests = [hashlib.sha256(b"certificate %d" % n).digest() for n in range(3)]
    theirs = [sign(loaded, d) for d in digests]

    async def not_again(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the signing certificate attribute was built again")

    monkeypatch.setattr(attributes.SigningCertificateV2Provider, "build_attr_value", not_again)
    ours = [sign(kept, d) for d in digests]
    assert ours == theirs
    assert len(set(ours)) == 3
