"""``loket audit verify | sign | proof INDEX | verify-proof FILE``: the access log's integrity."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.audit.log import sign_tree_head
from loket.audit.models import AccessLogEntry
from loket.audit.proofs import ProofError, check_proof, proof_document
from loket.audit.signing import b64, key_id, public_key_bytes
from loket.audit.verify import verify_log


class Command(BaseCommand):
    help = "Verify the access log, sign a tree head, or produce and check inclusion proofs."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("verify", help="recompute the whole log and check every tree head")
        actions.add_parser("sign", help="sign a tree head of the log as it is now")
        actions.add_parser("public-key", help="print the public key that signs tree heads")
        proof = actions.add_parser("proof", help="write the proof file of one entry")
        proof.add_argument("index", type=int)
        check = actions.add_parser("verify-proof", help="check a proof file offline")
        check.add_argument("file", type=Path)
        check.add_argument("--key-id", help="refuse proofs signed with any other key")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "verify":
            self._verify()
        elif action == "sign":
            head = sign_tree_head()
            self.stdout.write(f"signed tree head of size {head.tree_size}" if head else "empty log")
        elif action == "public-key":
            self.stdout.write(
                f"key id {key_id()}\npublic key (Ed25519, base64) {b64(public_key_bytes())}"
            )
        elif action == "proof":
            entry = AccessLogEntry.objects.filter(leaf_index=options["index"]).first()
            if entry is None:
                raise CommandError(f"no access-log entry #{options['index']}")
            self.stdout.write(json.dumps(proof_document(entry), indent=2, ensure_ascii=False))
        elif action == "verify-proof":
            self._verify_proof(options["file"], options.get("key_id"))

    def _verify(self) -> None:
        report = verify_log()
        if not report.ok:
            raise CommandError("access log verification FAILED: " + "; ".join(report.problems))
        self.stdout.write(
            f"access log OK: {report.entries} entries, {report.heads} signed tree heads match, "
            f"{report.unsigned_tail} entries not yet covered by a signed head"
        )

    def _verify_proof(self, path: Path, trusted_key: str | None) -> None:
        try:
            entry = check_proof(path.read_text(encoding="utf-8"), trusted_key)
        except (OSError, UnicodeDecodeError) as problem:
            raise CommandError(f"cannot read {path}: {problem}") from None
        except ProofError as problem:
            raise CommandError(f"proof REFUSED: {problem}") from None
        self.stdout.write(
            f"proof OK: entry #{entry['index']} ({entry['time']}, {entry['source']}, "
            f"{entry['purpose']}) is in the signed access log"
        )
