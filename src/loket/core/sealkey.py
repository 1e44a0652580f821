"""A seal's private key held in a file (PKCS#12), parsed once per process instead of once per
signature.

pyHanko's ``SimpleSigner`` turns its key back into a ``cryptography`` key for every signature,
and ``cryptography`` checks an RSA key on every load: some 40 ms of CPU per certificate, the
largest single cost of sealing in ``bench/certificates.py``'s profile. ``KeptKeySigner`` keeps
the parsed key. The key was in the process's memory already (``signing_key``); it is still
checked, once. Signing with one key object from several threads is safe (OpenSSL).
"""

from __future__ import annotations

from functools import cached_property

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from pyhanko.sign import signers
from pyhanko_certvalidator.util import get_pyca_cryptography_hash


class KeptKeySigner(signers.SimpleSigner):
    """A ``SimpleSigner`` that parses its private key once. RSA with PKCS#1 v1.5 padding (the
    seal's) signs with the kept key; any other mechanism goes through pyHanko as before."""

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
