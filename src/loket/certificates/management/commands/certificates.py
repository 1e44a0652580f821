"""``loket certificates demo-ca | verify FILE.pdf``: the demo authority, and offline checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.certificates.models import Verification
from loket.certificates.verify import check_file
from loket.core.democa import DemoAuthority, make_demo_authority


class Command(BaseCommand):
    help = "Make the demo seal authority, or check a certificate file offline."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        demo = actions.add_parser("demo-ca", help="make the DEMO root, seal and timestamp keys")
        demo.add_argument("--force", action="store_true", help="replace the existing ones")
        verify = actions.add_parser(
            "verify", help="check a certificate's seal, chain, timestamp and registered hash"
        )
        verify.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "demo-ca":
            self._demo_ca(options["force"])
        else:
            self._verify(options["file"])

    def _demo_ca(self, force: bool) -> None:
        if settings.LOKET_ENV == "production":
            raise CommandError("the demo seal authority is never made in production")
        authority = DemoAuthority(Path(settings.LOKET_SEAL["demo_dir"]))
        if authority.exists() and not force:
            self.stdout.write(f"demo seal authority already in {authority.folder} (kept)")
            return
        make_demo_authority(authority.folder)
        self.stdout.write(f"demo seal authority (names say DEMO) written to {authority.folder}")

    def _verify(self, path: Path) -> None:
        try:
            data = path.read_bytes()
        except OSError as problem:
            raise CommandError(f"{path}: {problem.strerror}") from None
        check = check_file(data, Verification.Channel.CLI)
        seal = check.seal
        for label, holds in (
            ("seal present", seal.sealed),
            ("signed content unchanged", seal.intact),
            ("nothing changed after sealing", seal.covers_whole_file),
            ("chain up to a trust anchor", seal.trusted),
            ("RFC 3161 timestamp valid", seal.timestamped),
            ("file in the register of issued certificates", check.registered),
        ):
            self.stdout.write(f"{'ok  ' if holds else 'FAIL'} {label}")
        if seal.signer:
            self.stdout.write(f"sealed by: {seal.signer}")
        if seal.signed_at:
            self.stdout.write(f"timestamp: {seal.signed_at.isoformat()}")
        if check.certificate is not None:
            certificate = check.certificate
            self.stdout.write(f"certificate {certificate.number}: {certificate.status}")
            if certificate.revocation_words or certificate.reason:
                self.stdout.write(f"reason: {certificate.revocation_words or certificate.reason}")
        if not check.valid:
            raise CommandError("NOT VALID: " + "; ".join(check.problems))
        self.stdout.write("VALID")
