"""A seal's private key held in a file (PKCS#12), parsed once per process instead of once per
signature, and the parts of the seal's CMS that name its certificate, encoded once.

pyHanko's ``SimpleSigner`` turns its key back into a ``cryptography`` key for every signature,
and ``cryptography`` checks an RSA key on every load: some 40 ms of CPU per certificate, the
largest single cost of sealing in ``bench/certificates.py``'s profile. ``KeptKeySigner`` keeps
the parsed key. The key was in the process's memory already (``signing_key``); it is still
checked, once. Signing with one key object from several threads is safe (OpenSSL).

Two parts of every seal's CMS name the seal's certificate: the signing-certificate-v2 signed
attribute (its hash, issuer and serial number, which PAdES requires) and the signer's identifier
(issuer and serial number). pyHanko builds both again for every signature from the parsed
certificate's issuer name, and asn1crypto then re-encodes that name field by field each time
the structure holding it is encoded, which happens several times per signature: about 8 ms of
CPU per seal for 250 bytes. ``KeptKeySigner`` encodes them once and hands out values loaded from
those bytes, which asn1crypto writes back as they are. The CMS is the same, byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any

from asn1crypto import cms, tsp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from pyhanko.sign import attributes, signers
from pyhanko.sign.general import as_signing_certificate_v2
from pyhanko_certvalidator.util import get_pyca_cryptography_hash


class KeptSigningCertificateV2(attributes.CMSAttributeProvider):
    """The signing-certificate-v2 attribute, from its bytes encoded once."""

    attribute_type: str = "signing_certificate_v2"

    def __init__(self, encoded: bytes) -> None:
        self.encoded = encoded

    async def build_attr_value(self, dry_run: bool = False) -> tsp.SigningCertificateV2:
        return tsp.SigningCertificateV2.load(self.encoded)


class KeptCertificateAttributes(attributes.SignedAttributeProviderSpec):
    """pyHanko's signed attributes (``spec``'s), with the signing certificate's kept."""

    def __init__(self, spec: Any, encoded: bytes) -> None:
        self.spec, self.encoded = spec, encoded

    def signed_attr_providers(
        self, data_digest: bytes, digest_algorithm: str
    ) -> Iterable[attributes.CMSAttributeProvider]:
        for provider in self.spec.signed_attr_providers(data_digest, digest_algorithm):
            if isinstance(provider, attributes.SigningCertificateV2Provider):
                yield KeptSigningCertificateV2(self.encoded)
            else:
                yield provider


class KeptKeySigner(signers.SimpleSigner):
    """A ``SimpleSigner`` that parses its private key once. RSA with PKCS#1 v1.5 padding (the
    seal's) signs with the kept key; any other mechanism goes through pyHanko as before. The
    CMS parts naming the certificate are encoded once (see the module's docstring)."""

    @classmethod
    def keeping_key_of(cls, signer: signers.SimpleSigner) -> KeptKeySigner:
        """The same key, certificate, chain and mechanism as ``signer`` (as loaded from a file)."""
        return cls(
            signing_cert=signer.signing_cert,
            signing_key=signer.signing_key,
            cert_registry=signer.cert_registry,
            signature_mechanism=signer.signature_mechanism,
        )

    @cached_property
    def private_key(self) -> PrivateKeyTypes:
        return serialization.load_der_private_key(self.signing_key.dump(), password=None)

    @cached_property
    def signing_certificate_v2(self) -> bytes:
        encoded: bytes = as_signing_certificate_v2(self.signing_cert).dump()
        return encoded

    @cached_property
    def signer_identifier(self) -> bytes:
        certificate = self.signing_cert
        assert certificate is not None  # loaded with its key
        identifier = cms.SignerIdentifier(
            name="issuer_and_serial_number",
            value=cms.IssuerAndSerialNumber(
                {"issuer": certificate.issuer, "serial_number": certificate.serial_number}
            ),
        )
        encoded: bytes = identifier.dump()
        return encoded

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        """As pyHanko's, with the kept key."""
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            algorithm = mechanism.signature_algo
        except ValueError:
            algorithm = mechanism["algorithm"].native
        key = self.private_key
        if algorithm == "rsassa_pkcs1v15" and isinstance(key, RSAPrivateKey):
            return key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        result: bytes = super().sign_raw(data, digest_algorithm)
        return result

    def _signed_attr_provider_spec(self, *args: Any, **kwargs: Any) -> Any:
        spec = super()._signed_attr_provider_spec(*args, **kwargs)
        return KeptCertificateAttributes(spec, self.signing_certificate_v2)

    def signer_info(self, digest_algorithm: str, signed_attrs: Any, signature: bytes) -> Any:
        """As pyHanko's, with the signer's identifier loaded from its bytes encoded once."""
        info = super().signer_info(digest_algorithm, signed_attrs, signature)
        info["sid"] = cms.SignerIdentifier.load(self.signer_identifier)
        return info
