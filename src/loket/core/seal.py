"""The electronic seal: PAdES with pyHanko, an RFC 3161 timestamp, and its verification.

The administration's seal goes on every document that is a legal act: certificates
(``certificates``) and decisions (``cases``); it lives in core so that both can use it.

Sealing makes a PAdES baseline B-T signature (the seal plus a timestamp from ``LOKET_TSA_URL``,
asked over one kept connection per thread: core.timestamping) and embeds the chain and its
revocation data when they are at hand, in the signed revision itself, which makes it B-LT, with a
visible stamp on the last page. Checking reads the seal back with pyHanko's validator against
the configured trust anchors (``LOKET_SEAL_TRUST_ANCHORS``) only: nothing is fetched from the
network while checking.

Outside production an empty setting falls back to the demo authority (``democa``), including an
in-process demo timestamp authority; production refuses to start without real ones (config.py).
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import load_cert_from_pemder
from pyhanko.sign.signers.pdf_signer import DSSContentSettings, SigDSSPlacementPreference
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext

from loket.core.democa import DEMO_MARK, DEMO_PASSWORD, demo_crl, ensure_demo_authority
from loket.core.timestamping import KeepAliveTimeStamper, KeptKeyTimeStamper

FIELD_NAME = "LoketSeal"
# Bottom right of an A4 page, inside the bottom margin every sealed document's template keeps free.
STAMP_BOX = (320, 22, 565, 88)
# Room kept for the signature: the seal, its chain and the timestamp token with its own chain
# take 6 to 12 KB. A fixed room spares asking the timestamp authority twice (pyHanko otherwise
# asks once to measure).
SIGNATURE_BYTES = 24576
# The validation data (B-LT) goes into the revision the seal signs, not a second revision after
# it: the file is parsed and written once, and the seal covers the whole file. (Per-signature
# VRI dictionaries cannot be written that way; PAdES baseline signatures do not need them.)
DSS_WITH_SEAL = DSSContentSettings(
    placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE, include_vri=False
)


class SealUnavailable(Exception):
    """The seal's key or the timestamp authority cannot be used: nothing can be issued now."""


@dataclass
class SealMaterial:
    signer: signers.Signer
    timestamper: timestamps.TimeStamper
    trust_anchors: list[asn1_x509.Certificate]
    crls: list[asn1_crl.CertificateList] = field(default_factory=list)
    demo: bool = False

    def validation_context(self, *, for_signing: bool) -> ValidationContext:
        """What the chain is checked against: the anchors, the chain the seal carries, and the
        demo CRL. Production may fetch revocation data while sealing (B-LT), never in checks."""
        fetching = for_signing and not self.demo
        return ValidationContext(
            trust_roots=self.trust_anchors,
            other_certs=list(self.signer.cert_registry),
            crls=self.crls,
            allow_fetching=fetching,
            revocation_mode="soft-fail",
        )


_lock = threading.Lock()
_cached: dict[str, SealMaterial] = {}


def seal_settings() -> dict[str, Any]:
    return dict(getattr(settings, "LOKET_SEAL", {}) or {})


def material() -> SealMaterial:
    """The seal material for the current settings, loaded once per process."""
    config = seal_settings()
    key = repr(sorted((k, repr(v)) for k, v in config.items()))
    with _lock:
        if key not in _cached:
            _cached.clear()
            _cached[key] = _load(config)
        return _cached[key]


def _load(config: dict[str, Any]) -> SealMaterial:
    production = getattr(settings, "LOKET_ENV", "") == "production"
    authority = None
    if not config.get("pkcs12") or not config.get("tsa_url") or not config.get("trust_anchors"):
        if production:
            raise ImproperlyConfigured(
                "LOKET_SEAL_PKCS12, LOKET_TSA_URL and LOKET_SEAL_TRUST_ANCHORS are required"
            )
        authority = ensure_demo_authority(Path(config.get("demo_dir") or "var/certificates"))
    signer = _signer(config, authority)
    seal_certificate = signer.signing_cert
    if production and seal_certificate and DEMO_MARK in seal_certificate.subject.human_friendly:
        raise ImproperlyConfigured("LOKET_SEAL_PKCS12 holds a DEMO seal certificate")
    anchors_file = config.get("trust_anchors") or (authority.root if authority else "")
    anchors = list(_certificates(Path(anchors_file)))
    crls = []
    if authority is not None:
        crls.append(asn1_crl.CertificateList.load(demo_crl(authority)))
    return SealMaterial(
        signer=signer,
        timestamper=_timestamper(config, authority),
        trust_anchors=anchors,
        crls=crls,
        demo=authority is not None,
    )


def _signer(config: dict[str, Any], authority: Any) -> signers.Signer:
    from loket.core.sealkey import KeptKeySigner  # the key parsed once, not for each seal

    pkcs11 = config.get("pkcs11") or {}
    if config.get("pkcs12"):
        password = str(config.get("password", "")).encode()
        try:  # checked first: pyHanko logs a traceback on a wrong password
            pkcs12.load_key_and_certificates(Path(config["pkcs12"]).read_bytes(), password)
        except (OSError, ValueError):
            raise SealUnavailable(
                "LOKET_SEAL_PKCS12 could not be opened (file or password)"
            ) from None
        loaded = signers.SimpleSigner.load_pkcs12(config["pkcs12"], passphrase=password)
        if loaded is None:
            raise SealUnavailable("LOKET_SEAL_PKCS12 could not be opened (file or password)")
        return KeptKeySigner.keeping_key_of(loaded)
    if pkcs11.get("module"):  # an HSM; see docs/operations.md (configuration only)
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

        session = open_pkcs11_session(
            pkcs11["module"],
            token_criteria=TokenCriteria(label=pkcs11.get("token")),
            user_pin=pkcs11.get("pin") or None,
        )
        return PKCS11Signer(
            session,
            key_label=pkcs11.get("key_label"),
            cert_label=pkcs11.get("cert_label") or pkcs11.get("key_label"),
        )
    demo = signers.SimpleSigner.load_pkcs12(str(authority.seal), passphrase=DEMO_PASSWORD)
    if demo is None:
        raise SealUnavailable(f"the demo seal {authority.seal} cannot be opened")
    return KeptKeySigner.keeping_key_of(demo)


def _timestamper(config: dict[str, Any], authority: Any) -> timestamps.TimeStamper:
    if config.get("tsa_url"):
        return KeepAliveTimeStamper(config["tsa_url"], timeout=10)
    # The demo's own timestamp authority, in the process (pyHanko's test authority, key kept).
    tsa = signers.SimpleSigner.load_pkcs12(str(authority.tsa), passphrase=DEMO_PASSWORD)
    if tsa is None:
        raise SealUnavailable(f"the demo timestamp authority {authority.tsa} cannot be opened")
    return KeptKeyTimeStamper(
        tsa_cert=tsa.signing_cert,
        tsa_key=tsa.signing_key,
        certs_to_embed=tsa.cert_registry,
    )


def _certificates(path: Path) -> list[asn1_x509.Certificate]:
    data = path.read_bytes()
    if not pem.detect(data):
        return [load_cert_from_pemder(str(path))]
    return [asn1_x509.Certificate.load(der) for _t, _h, der in pem.unarmor(data, multiple=True)]


def seal_pdf(pdf: bytes, *, stamp_text: str, reason: str, location: str) -> bytes:
    """Seal ``pdf``: PAdES B-T (B-LT with the validation data embedded), visible stamp.

    ``stamp_text`` may use ``%(signer)s`` and ``%(ts)s`` (the timestamp's time).
    Raises ``SealUnavailable`` when the key or the timestamp authority fails.
    """
    seal = material()
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        embed_validation_info=True,
        validation_context=seal.validation_context(for_signing=True),
        dss_settings=DSS_WITH_SEAL,
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        signer=seal.signer,
        timestamper=seal.timestamper,
        stamp_style=TextStampStyle(stamp_text=stamp_text, border_width=1),
        new_field_spec=fields.SigFieldSpec(FIELD_NAME, on_page=-1, box=STAMP_BOX),
    )
    try:
        output = pdf_signer.sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False),
            bytes_reserved=SIGNATURE_BYTES,
        )
    except Exception as problem:  # the key, the TSA or the revocation data failed
        raise SealUnavailable(f"the document could not be sealed: {problem}") from problem
    return bytes(output.getbuffer())


@dataclass(frozen=True)
class SealCheck:
    """What checking a file's seal found. ``ok`` only when every part holds."""

    sealed: bool = False
    intact: bool = False  # the signed bytes are unchanged
    covers_whole_file: bool = False  # nothing was added after sealing
    trusted: bool = False  # the chain ends at a configured trust anchor
    timestamped: bool = False  # an RFC 3161 timestamp, itself valid and trusted
    signer: str = ""
    signed_at: datetime | None = None
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return all(
            (self.sealed, self.intact, self.covers_whole_file, self.trusted, self.timestamped)
        )


def check_pdf(data: bytes) -> SealCheck:
    """Check the seal of ``data`` offline against the configured trust anchors."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # not a PDF, or a broken one
        return SealCheck(problems=("not a readable PDF",))
    sealed = [s for s in signatures if s.field_name == FIELD_NAME]
    if not sealed:
        return SealCheck(problems=("no Loket seal in the file",))
    seal = material()
    try:
        status = validate_pdf_signature(sealed[-1], seal.validation_context(for_signing=False))
    except Exception as problem:
        return SealCheck(sealed=True, problems=(f"the seal cannot be read: {problem}",))
    return _check_from_status(status)


def _only_validation_data_added(status: PdfSignatureStatus) -> bool:
    """The seal covers the file, or what came after it is validation data (the B-LT part)."""
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    level = status.modification_level
    return (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and level is not None
        and level <= ModificationLevel.LTA_UPDATES
    )


def _check_from_status(status: PdfSignatureStatus) -> SealCheck:
    timestamp = status.timestamp_validity
    timestamped = bool(timestamp and timestamp.intact and timestamp.valid and timestamp.trusted)
    check = SealCheck(
        sealed=True,
        intact=bool(status.intact and status.valid),
        covers_whole_file=_only_validation_data_added(status),
        trusted=bool(status.trusted),
        timestamped=timestamped,
        signer=status.signing_cert.subject.human_friendly,
        signed_at=timestamp.timestamp if timestamp else None,
    )
    problems = [
        text
        for holds, text in (
            (check.intact, "the signed content was changed"),
            (check.covers_whole_file, "the file was changed after it was sealed"),
            (check.trusted, "the seal's certificate does not lead to a trusted authority"),
            (check.timestamped, "the timestamp is missing or not valid"),
        )
        if not holds
    ]
    return SealCheck(**{**check.__dict__, "problems": tuple(problems)})
