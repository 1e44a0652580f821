"""The electronic seal of certificates and decisions (loket.certificates): the seal's key and
chain (a PKCS#12 file, or a PKCS#11 token), the RFC 3161 timestamp authority, and the trust
anchors a seal is checked against."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from loket.config.environment import Environment

SEAL_PKCS11 = ("MODULE", "TOKEN", "PIN", "KEY_LABEL", "CERT_LABEL")


def seal_settings(env: Environment, var_dir: Path) -> dict[str, Any]:
    """Outside production, an empty setting falls back to the demo CA under var/certificates/
    (``loket certificates demo-ca``)."""
    return {
        "pkcs12": env.text("LOKET_SEAL_PKCS12"),
        "password": env.values.get("LOKET_SEAL_PASSWORD", ""),  # as given: spaces may count
        "pkcs11": {name.lower(): env.text(f"LOKET_SEAL_PKCS11_{name}") for name in SEAL_PKCS11},
        "trust_anchors": env.text("LOKET_SEAL_TRUST_ANCHORS"),
        "tsa_url": env.text("LOKET_TSA_URL"),
        "demo_dir": str(var_dir / "certificates"),
    }


def seal_problems(seal: dict[str, Any]) -> list[str]:
    """Why the seal settings are unsafe in production."""
    problems = []
    pkcs11 = seal.get("pkcs11", {})
    if not seal.get("pkcs12") and not pkcs11.get("module"):
        problems.append(
            "LOKET_SEAL_PKCS12 (or LOKET_SEAL_PKCS11_MODULE) is missing: certificates would be "
            "sealed with the demo key"
        )
    elif seal.get("pkcs12", "").startswith(seal.get("demo_dir", "//")):
        problems.append("LOKET_SEAL_PKCS12 names the demo seal under var/certificates/")
    if pkcs11.get("module") and not (pkcs11.get("token") and pkcs11.get("key_label")):
        problems.append("LOKET_SEAL_PKCS11_TOKEN and LOKET_SEAL_PKCS11_KEY_LABEL are needed")
    if not seal.get("tsa_url"):
        problems.append("LOKET_TSA_URL is missing (a seal needs an RFC 3161 timestamp)")
    if not seal.get("trust_anchors"):
        problems.append("LOKET_SEAL_TRUST_ANCHORS is missing (the roots seals are checked against)")
    return problems
