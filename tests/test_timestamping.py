"""The seal's timestamp client keeps one HTTP/1.1 connection per thread to the authority, and the
seal carries its validation data (B-LT) in the revision it signs: one revision, whole file."""

from __future__ import annotations

import asyncio
import hashlib
import io
import threading
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from loket.core.pdf import html_to_pdf
from loket.core.seal import check_pdf, material, seal_pdf
from loket.core.timestamping import KeepAliveTimeStamper


def stamp(client: KeepAliveTimeStamper, n: int) -> Any:
    return asyncio.run(client.async_timestamp(hashlib.sha256(b"%d" % n).digest(), "sha256"))


def test_timestamps_from_one_thread_share_one_connection_and_threads_do_not_share(
    seal_authority: dict[str, Any],
) -> None:
    tsa = seal_authority["tsa"]
    client = KeepAliveTimeStamper(tsa.url)
    connections, requests = tsa.connections, tsa.requests
    tokens = [stamp(client, n) for n in range(3)]
    assert tsa.requests == requests + 3
    assert tsa.connections == connections + 1
    assert all(token["content_type"].native == "signed_data" for token in tokens)
    other = threading.Thread(target=stamp, args=(client, 4))
    other.start()
    other.join()
    assert tsa.requests == requests + 4
    assert tsa.connections == connections + 2


def test_an_authority_that_refuses_raises_pyhankos_timestamp_error(
    seal_authority: dict[str, Any],
) -> None:
    tsa = seal_authority["tsa"]
    client = KeepAliveTimeStamper(tsa.url)
    stamp(client, 0)  # a kept connection, then the authority fails
    tsa.down = True
    try:
        with pytest.raises(TimestampRequestError, match="503"):
            stamp(client, 1)
    finally:
        tsa.down = False
    assert stamp(client, 2)["content_type"].native == "signed_data"


def test_the_seal_and_its_validation_data_are_one_revision_covering_the_whole_file(
    sealing: dict[str, Any],
) -> None:
    html = "<html lang='fr'><head><title>Acte</title></head><body><p>Acte</p></body></html>"
    unsealed = html_to_pdf(html)
    sealed = seal_pdf(unsealed, stamp_text="Sceau\n%(signer)s\n%(ts)s", reason="r", location="B")
    reader = PdfFileReader(io.BytesIO(sealed), strict=False)
    assert (
        reader.xrefs.total_revisions
        == PdfFileReader(io.BytesIO(unsealed)).xrefs.total_revisions + 1
    )
    assert "/DSS" in reader.root  # the chain and revocation data: B-LT
    assert len(reader.root["/DSS"]["/Certs"]) >= 2
    (signature,) = reader.embedded_signatures
    assert signature.signed_revision == reader.xrefs.total_revisions - 1
    check = check_pdf(sealed)
    assert check.ok, check.problems
    status = validate_pdf_signature(signature, material().validation_context(for_signing=False))
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
