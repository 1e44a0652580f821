"""The EPC QR code of a bank transfer, read back as a banking app reads it: rendered to PNG and
decoded by ``zbarimg`` (Debian ``zbar-tools``), not by our own code."""

from __future__ import annotations

import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from stdnum import iban
from stdnum.be import ogm_vcs

from loket.payments import epc
from loket.payments.models import CaseFee
from tests.conftest import client_for
from tests.test_payments_statements import transfer_for

pytestmark = pytest.mark.django_db


def zbarimg() -> str:
    """The path of ``zbarimg``. In CI (``CI`` set) its absence fails the test: .ci/run installs
    it, so a skip there would hide a broken set-up."""
    found = shutil.which("zbarimg")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("zbarimg is missing in CI: .ci/run should install zbar-tools")
        pytest.skip("zbarimg is not installed (apt-get install zbar-tools)")
    return found


def test_epc_qr_code_decoded_by_zbarimg_gives_a_valid_iban_communication_and_the_fee(
    tmp_path: Path,
) -> None:
    program = zbarimg()
    client = client_for("resident")
    payment = transfer_for(client)
    png = tmp_path / "transfer.png"
    epc.qr_code(payment).save(str(png), kind="png", scale=6, border=4)

    decoded = subprocess.run(
        [program, "--raw", "-q", str(png)], capture_output=True, text=True, timeout=30, check=True
    ).stdout.rstrip("\n")

    lines = decoded.split("\n")
    assert lines[:4] == ["BCD", "002", "1", "SCT"]
    assert iban.is_valid(lines[6]), lines[6]
    assert ogm_vcs.is_valid(lines[9]), lines[9]
    assert ogm_vcs.compact(lines[9]) == ogm_vcs.compact(payment.reference)
    fee = CaseFee.objects.get(case=payment.case)
    assert fee.amount_cents > 0
    assert lines[7].startswith("EUR")
    assert Decimal(lines[7].removeprefix("EUR")) * 100 == fee.amount_cents
    assert decoded == epc.payload(payment)
