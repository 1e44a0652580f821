"""The demo certification authority: a root, an electronic-seal certificate and a timestamp
authority, all named DEMO, made with ``cryptography`` under var/certificates/.

Production refuses every one of them (config.py refuses the settings that fall back to them,
``seal_checks.refuse_demo_seal_in_production`` a seal certificate whose name says DEMO). Nothing
here is ever committed: ``loket certificates demo-ca`` (run by ``loket seed`` and ``loket demo``)
makes them on each machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.utils import timezone

DEMO_PASSWORD = b"demo"
DEMO_MARK = "DEMO"
# The seal certificate's name, printed in the stamp of documents in French, Dutch and English.
DEMO_SEAL_NAME = f"Loket {DEMO_MARK} - cachet / zegel / seal"
ROOT_FILE = "demo-root-ca.pem"
SEAL_FILE = "demo-seal.p12"
TSA_FILE = "demo-tsa.p12"
ROOT_KEY_FILE = "demo-root-ca.key.pem"
VALID_YEARS = 5


@dataclass(frozen=True)
class DemoAuthority:
    folder: Path

    @property
    def root(self) -> Path:
        return self.folder / ROOT_FILE

    @property
    def seal(self) -> Path:
        return self.folder / SEAL_FILE

    @property
    def tsa(self) -> Path:
        return self.folder / TSA_FILE

    @property
    def root_key(self) -> Path:
        return self.folder / ROOT_KEY_FILE

    def exists(self) -> bool:
        return all(p.exists() for p in (self.root, self.seal, self.tsa, self.root_key))


def _name(common_name: str, mark: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"Loket {mark} (not a real authority)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key() -> rsa.RSAPrivateKey:
    # RSA: pdfsig (NSS) and pyHanko's test timestamper both take it.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _certificate(
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: x509.Name,
    issuer_key: rsa.RSAPrivateKey,
    *,
    ca: bool,
    usage: x509.KeyUsage,
    extended: list[x509.ObjectIdentifier] | None = None,
) -> x509.Certificate:
    now = timezone.now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * VALID_YEARS))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if extended:
        builder = builder.add_extension(x509.ExtendedKeyUsage(extended), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _usage(*, sign: bool = False, commit: bool = False, ca: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign, content_commitment=commit, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip


def make_demo_authority(folder: Path, mark: str = DEMO_MARK) -> DemoAuthority:
    """Write a fresh demo root, seal and timestamp authority into ``folder`` (replacing any).

    ``mark`` is in every name; only tests of the production checks ever change it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    authority = DemoAuthority(folder)
    root_key = _key()
    root_name = _name(f"Loket {mark} Root CA", mark)
    root = _certificate(root_name, root_key, root_name, root_key, ca=True, usage=_usage(ca=True))
    for path, common_name, usage, extended in (
        (
            authority.seal,
            DEMO_SEAL_NAME.replace(DEMO_MARK, mark),
            _usage(sign=True, commit=True),
            None,
        ),
        (
            authority.tsa,
            f"Loket {mark} timestamp authority",
            _usage(sign=True, commit=True),
            [ExtendedKeyUsageOID.TIME_STAMPING],
        ),
    ):
        key = _key()
        certificate = _certificate(
            _name(common_name, mark),
            key,
            root_name,
            root_key,
            ca=False,
            usage=usage,
            extended=extended,
        )
        bundle = pkcs12.serialize_key_and_certificates(
            common_name.encode(), key, certificate, [root],
            serialization.BestAvailableEncryption(DEMO_PASSWORD),
        )  # fmt: skip
        _write(path, bundle)
    _write(authority.root, root.public_bytes(serialization.Encoding.PEM))
    _write(
        authority.root_key,
        root_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(DEMO_PASSWORD),
        ),
    )
    return authority


def ensure_demo_authority(folder: Path) -> DemoAuthority:
    authority = DemoAuthority(folder)
    return authority if authority.exists() else make_demo_authority(folder)


def demo_crl(authority: DemoAuthority, now: datetime | None = None) -> bytes:
    """An empty certificate revocation list of the demo root, valid for a week from ``now``:
    the revocation data a B-LT seal embeds for the demo chain."""
    now = now or timezone.now()
    root = x509.load_pem_x509_certificate(authority.root.read_bytes())
    key = serialization.load_pem_private_key(authority.root_key.read_bytes(), DEMO_PASSWORD)
    assert isinstance(key, rsa.RSAPrivateKey)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root.subject)
        .last_update(now - timedelta(minutes=5))
        .next_update(now + timedelta(days=7))
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return crl.public_bytes(serialization.Encoding.DER)


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    path.chmod(0o600)
