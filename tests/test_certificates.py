"""Certificates: issued from the registers through the one door, sealed (PAdES B-T with a real
RFC 3161 timestamp over HTTP), checked by pdfsig (a verifier nobody here wrote) and by
``loket certificates verify``, revoked by the issuing administration only."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from pypdf import PdfReader

from loket.audit.models import AccessLogEntry
from loket.cases.models import Case, CaseEvent
from loket.catalog.models import Procedure
from loket.certificates.actions import (
    RevocationRefused,
    do_deliver_certificate,
    do_issue_certificate,
    do_revoke_certificate,
)
from loket.certificates.codes import digest, new_code, normalise
from loket.certificates.content import KINDS, CannotIssue
from loket.certificates.models import IssuedCertificate, Verification
from loket.certificates.selectors import certificate_by_code, certificates_issued_by
from loket.core.democa import DEMO_SEAL_NAME
from loket.core.models import User
from loket.core.seal import check_pdf
from loket.notify.models import Notification
from loket.registers.models import Resident
from tests.conftest import demo_user

pytestmark = pytest.mark.django_db
ANSWERS = {"purpose": "other", "purpose_other": "Bank account", "document_language": "fr"}


def person(exclude: dict[str, Any] | None = None, **lookup: Any) -> User:
    """A user for a resident of the synthetic register matching ``lookup``."""
    resident = Resident.objects.filter(**lookup).exclude(**(exclude or {})).first()
    assert resident is not None, lookup
    known = User.objects.by_national_number(resident.national_number).first()
    return known or User.objects.create(
        username=f"resident-{resident.national_number}",
        national_number=resident.national_number,
        first_name=resident.first_name,
        last_name=resident.last_name,
    )


def make_case(user: User, procedure_id: str, answers: dict[str, Any] | None = None) -> Case:
    resident = Resident.objects.select_related("address").get(national_number=user.national_number)
    return Case.objects.create(
        reference=f"BRU-2026-{uuid.uuid4().int % 10**7:07d}-00",
        procedure=Procedure.objects.get(id=procedure_id),
        definition_version=1,
        applicant=user,
        administration_id=resident.address.nis_code,
        answers=ANSWERS if answers is None else answers,
        language="fr",
        idempotency_key=uuid.uuid4(),
    )


def applicant_for(procedure_id: str) -> User:
    if procedure_id == "nationality-certificate":
        return person(nationality="BE", address__nis_code="21009")
    if procedure_id == "marriage-certificate-copy":
        return person(civil_status="married", address__nis_code="21009")
    if procedure_id == "residence-certificate":
        return person(exclude={"previous_addresses": []})
    return demo_user("resident")


def years_ago(years: int, month: int = 1, day: int = 31) -> str:
    """An ISO date ``years`` before this year (the suite never types a calendar date)."""
    return date(date.today().year - years, month, day).isoformat()


def residence_facts(moves: list[tuple[str, str]]) -> dict[str, Any]:
    """A person at a current Ixelles address who left each (street, until) of ``moves``."""
    return {
        "population.identity": {"first_name": "An", "last_name": "Peeters",
                                "birth_date": years_ago(46, 2, 1),
                                "national_number": "80020100144"},
        "population.address": {"street_nl": "Elsensesteenweg", "street_fr": "Chaussée d'Ixelles",
                                "house_number": "1", "postcode": "1050", "nis_code": "21009"},
        "population.address_history": [
            {"street_nl": street, "street_fr": street, "house_number": str(n), "postcode": "1000",
             "nis_code": "21004", "until": until}
            for n, (street, until) in enumerate(moves, 1)
        ],
    }  # fmt: skip


def pdfsig(path: Path, *options: str) -> str:
    result = subprocess.run(
        ["pdfsig", *options, str(path)], capture_output=True, text=True, check=False
    )
    return result.stdout + result.stderr


needs_pdfsig = pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils")


def test_codes_carry_160_bits_are_stored_only_as_a_digest_and_forgive_typing() -> None:
    code = new_code()
    assert len(code.replace("-", "")) * 5 >= 160
    assert normalise(code.lower().replace("-", " ")) == code
    assert normalise("ABCD") == ""
    assert new_code() != code
    assert digest(code) != code and len(digest(code)) == 64


@needs_pdfsig
@pytest.mark.parametrize("procedure_id", sorted(KINDS))
def test_every_kind_is_issued_sealed_timestamped_and_pdfsig_says_valid(
    procedure_id: str, sealing: dict[str, Any], tmp_path: Path
) -> None:
    case = make_case(applicant_for(procedure_id), procedure_id)
    requests = sealing["tsa"].requests
    issued = do_deliver_certificate(case)  # issued, and the case closed with it in its history
    certificate = issued.certificate
    pdf = certificate.file.read()
    assert sealing["tsa"].requests > requests  # the timestamp came over HTTP
    assert hashlib.sha256(pdf).hexdigest() == certificate.sha256
    assert certificate.code_digest == digest(issued.code)
    assert issued.code not in str(IssuedCertificate.objects.filter(pk=certificate.pk).values())
    assert check_pdf(pdf).ok
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    report = pdfsig(path)
    assert "Signature is Valid" in report, report
    assert "ETSI.CAdES.detached" in report  # PAdES
    assert DEMO_SEAL_NAME in report
    # The register was read at issue time under the declared purpose, and logged.
    entry = AccessLogEntry.objects.filter(case_reference=case.reference).latest("leaf_index")
    assert entry.purpose == "issue-certificate"
    case.refresh_from_db()
    assert case.status == Case.Status.DELIVERED
    assert case.events.filter(status="delivered", note__contains=certificate.number).exists()


@needs_pdfsig
def test_pdfsig_trusts_the_demo_ca_once_imported_into_an_nss_database(
    sealing: dict[str, Any], tmp_path: Path
) -> None:
    if shutil.which("certutil") is None:
        pytest.skip("libnss3-tools")
    certificate = do_issue_certificate(make_case(demo_user("resident"), "life-certificate"))
    path = tmp_path / "life.pdf"
    path.write_bytes(certificate.certificate.file.read())
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{nss}", "-n", "Loket DEMO Root", "-t", "CT,C,C",
         "-i", str(sealing["authority"].root)],
        check=True,
    )  # fmt: skip
    assert "Certificate issuer isn't Trusted" in pdfsig(path)
    report = pdfsig(path, "-nssdir", f"sql:{nss}")
    assert "Signature is Valid" in report
    assert "Certificate is Trusted" in report, report


@needs_pdfsig
def test_one_changed_byte_makes_pdfsig_and_loket_verify_say_invalid(
    sealing: dict[str, Any], tmp_path: Path
) -> None:
    issued = do_issue_certificate(make_case(demo_user("resident"), "household-composition"))
    pdf = bytearray(issued.certificate.file.read())
    good = tmp_path / "good.pdf"
    good.write_bytes(bytes(pdf))
    call_command("certificates", "verify", str(good))  # exits 0
    # One byte inside the first signed range: the rendered page content, before the seal.
    position = pdf.index(b"stream", 1000) + 20
    pdf[position] ^= 0x01
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(bytes(pdf))
    assert "Signature is Valid" not in pdfsig(bad)
    with pytest.raises(CommandError, match="NOT VALID"):
        call_command("certificates", "verify", str(bad))
    assert not check_pdf(bytes(pdf)).ok


def test_loket_verify_fails_on_a_sealed_file_that_was_never_issued(
    sealing: dict[str, Any], tmp_path: Path
) -> None:
    issued = do_issue_certificate(make_case(demo_user("resident"), "life-certificate"))
    path = tmp_path / "c.pdf"
    path.write_bytes(issued.certificate.file.read())
    IssuedCertificate.objects.filter(pk=issued.certificate.pk).update(sha256="0" * 64)
    with pytest.raises(CommandError, match="not in the register"):
        call_command("certificates", "verify", str(path))


def test_loket_verify_reports_a_revoked_certificate_and_records_the_check(
    sealing: dict[str, Any], tmp_path: Path
) -> None:
    issued = do_issue_certificate(make_case(demo_user("resident"), "population-extract"))
    do_revoke_certificate(
        issued.certificate, demo_user("agent-ixelles"), "issued-in-error", "Issued by mistake"
    )
    path = tmp_path / "c.pdf"
    path.write_bytes(issued.certificate.file.read())
    with pytest.raises(CommandError, match="revoked"):
        call_command("certificates", "verify", str(path))
    assert issued.certificate.verifications.get().channel == Verification.Channel.CLI


def test_the_register_that_does_not_know_the_person_stops_issuing_with_the_reason(
    sealing: dict[str, Any],
) -> None:
    stranger = User.objects.create(username="stranger", national_number="85073003328")
    case = make_case(demo_user("resident"), "life-certificate")
    Case.objects.filter(pk=case.pk).update(applicant=stranger)
    case.refresh_from_db()
    with pytest.raises(CannotIssue) as refused:
        do_issue_certificate(case)
    assert refused.value.code == "person-unknown"
    assert not IssuedCertificate.objects.filter(case=case).exists()


def test_a_marriage_extract_for_someone_not_married_is_not_issued(
    sealing: dict[str, Any],
) -> None:
    case = make_case(person(civil_status="single"), "marriage-certificate-copy")
    with pytest.raises(CannotIssue, match="act-not-held"):
        do_issue_certificate(case)


def test_a_second_certificate_supersedes_the_first(sealing: dict[str, Any]) -> None:
    case = make_case(demo_user("resident"), "life-certificate")
    first = do_issue_certificate(case).certificate
    second = do_issue_certificate(case).certificate
    first.refresh_from_db()
    assert first.status == IssuedCertificate.Status.SUPERSEDED
    assert first.superseded_by == second
    assert second.number.endswith("-C2")


def test_an_agent_of_the_municipality_issues_and_revokes_an_agent_elsewhere_cannot(
    sealing: dict[str, Any],
) -> None:
    agent = demo_user("agent-ixelles")
    case = make_case(demo_user("resident"), "household-composition")
    certificate = do_issue_certificate(case, agent=agent).certificate
    assert certificate.issued_by == agent
    assert list(certificates_issued_by(agent)) == [certificate]
    assert not certificates_issued_by(demo_user("agent-parking")).exists()
    with pytest.raises(RevocationRefused):
        do_revoke_certificate(certificate, demo_user("agent-parking"), "data-changed")
    with pytest.raises(RevocationRefused):
        do_revoke_certificate(certificate, agent, "  ", "A note is not a reason")
    with pytest.raises(RevocationRefused):
        do_revoke_certificate(certificate, agent, "because-i-say-so")
    version = Case.objects.values_list("version", flat=True).get(pk=case.pk)
    do_revoke_certificate(certificate, agent, "data-changed", "  The household changed ")
    # A write on the case like any other: a client holding the older version learns it.
    assert Case.objects.values_list("version", flat=True).get(pk=case.pk) == version + 1
    certificate.refresh_from_db()
    assert certificate.status == IssuedCertificate.Status.REVOKED
    assert certificate.revocation_reason == "data-changed"
    assert certificate.reason == "The household changed"
    # In the case's language: the category, then the note.
    assert CaseEvent.objects.filter(case=case, note__contains=". The household changed").exists()
    notice = Notification.objects.get(event_key=f"certificate-revoked:{certificate.pk}")
    assert notice.recipient == case.applicant and certificate.number in notice.subject


def test_a_dutch_certificate_with_address_history_and_an_english_courtesy_one(
    sealing: dict[str, Any],
) -> None:
    from loket.certificates.documents import Document, document_html, rows_for

    user = applicant_for("residence-certificate")
    case = make_case(user, "residence-certificate", {**ANSWERS, "document_language": "nl"})
    left = years_ago(6)
    facts = residence_facts([("Kerkstraat", left)])
    now = timezone.now()
    dutch = Document(case, "N-1", new_code(), "nl", now, "x", rows_for(case, facts, "nl"))
    html = document_html(dutch)
    assert 'lang="nl"' in html and "Kerkstraat" in html and "Elsensesteenweg" in html
    assert f"(tot 31 januari {left[:4]})" in html and "until" not in html  # words in Dutch
    assert "Bewijs van woonst" in html or "verblijf" in html.lower()
    english = Document(case, "N-2", new_code(), "en", now, "x", rows_for(case, facts, "en"))
    assert "Courtesy translation" in document_html(english)


def test_the_code_finds_the_certificate_and_a_random_one_finds_nothing(
    sealing: dict[str, Any],
) -> None:
    issued = do_issue_certificate(make_case(demo_user("resident"), "life-certificate"))
    assert certificate_by_code(issued.code.lower()) == issued.certificate
    assert certificate_by_code(new_code()) is None
    assert certificate_by_code("not a code") is None


@needs_pdfsig
def test_a_long_certificate_keeps_its_check_block_whole_and_names_itself_on_every_page(
    sealing: dict[str, Any], tmp_path: Path
) -> None:
    """A page handed over on its own can still be checked; the QR code, the address and the
    code are never split from their explanation across two pages."""
    from loket.certificates.documents import Document, render_pdf, rows_for

    case = make_case(applicant_for("residence-certificate"), "residence-certificate")
    facts = residence_facts([("Kerkstraat", years_ago(n % 25)) for n in range(1, 40)])
    code = new_code()
    document = Document(case, "N-9", code, "en", timezone.now(), "x", rows_for(case, facts, "en"))
    path = tmp_path / "long.pdf"
    path.write_bytes(render_pdf(document))
    pages = [
        subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), path, "-"],
                       capture_output=True, text=True, check=True).stdout
        for n in range(1, len(PdfReader(path).pages) + 1)
    ]  # fmt: skip
    assert len(pages) >= 2
    assert all("N-9" in page and code in page for page in pages), pages
    [block] = [page for page in pages if "Check this certificate" in page]
    assert "Anyone can check" in block and "/verify/" in block and "Verification code" in block


def test_a_residence_certificate_from_a_date_states_the_period_and_leaves_out_older_moves() -> None:
    from django.utils import translation

    from loket.certificates.content import certified_lines

    facts = residence_facts([("Rue de l'Église", years_ago(14)), ("Rue de la Gare", years_ago(25))])
    with translation.override("en"):
        rows = {row["label"]: row["lines"] for row in certified_lines(
            "residence-certificate", facts, "en", since=years_ago(22, 1, 1))}  # fmt: skip
        everything = {row["label"]: row["lines"] for row in certified_lines(
            "residence-certificate", facts, "en")}  # fmt: skip
        nothing = {row["label"]: row["lines"] for row in certified_lines(
            "residence-certificate", facts, "en", since=years_ago(11, 1, 1))}  # fmt: skip
    assert rows["Period covered"][0].startswith("From ") and "to the date of issue" in rows[
        "Period covered"][0]  # fmt: skip
    assert len(rows["Previous addresses"]) == 1 and "Église" in rows["Previous addresses"][0]
    assert len(everything["Previous addresses"]) == 2 and "Period covered" not in everything
    assert nothing["Previous addresses"] == ["No previous address is registered for this period."]


def test_the_holders_notice_gives_the_revocation_reason_in_plain_words(
    sealing: dict[str, Any],
) -> None:
    holder = demo_user("resident")
    User.objects.filter(pk=holder.pk).update(preferred_language="en")
    issued = do_issue_certificate(make_case(holder, "life-certificate"))
    do_revoke_certificate(
        issued.certificate, demo_user("agent-ixelles"), "holder-request", "Asked by phone."
    )
    notice = Notification.objects.get(event_key=f"certificate-revoked:{issued.certificate.pk}")
    assert "Reason: The holder asked for it to be revoked. Asked by phone." in notice.body
    issued.certificate.refresh_from_db()
    assert issued.certificate.revocation_reason == "holder-request"


@needs_pdfsig
@pytest.mark.parametrize("procedure_id", sorted(KINDS))
def test_every_kind_of_certificate_leaves_the_seals_place_free_of_text(
    procedure_id: str, sealing: dict[str, Any], tmp_path: Path
) -> None:
    """The stamp goes on the last page at STAMP_BOX: no word of the document may lie under it
    (the page number and the certificate's code are printed elsewhere). The certificates of the
    demo applicants fit on one page."""
    from loket.certificates.actions import prepare_certificate
    from loket.certificates.documents import render_pdf
    from loket.core.seal import STAMP_BOX

    case = make_case(applicant_for(procedure_id), procedure_id)
    path = tmp_path / "certificate.pdf"
    path.write_bytes(render_pdf(prepare_certificate(case)))
    pages = len(PdfReader(path).pages)
    assert pages == 1
    layout = subprocess.run(["pdftotext", "-bbox", "-f", str(pages), "-l", str(pages), path, "-"],
                            capture_output=True, text=True, check=True).stdout  # fmt: skip
    left, bottom, right, top = STAMP_BOX
    height = 842  # A4, in points; pdftotext counts from the top
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)', layout
    )
    assert words
    under = [
        text
        for x0, y0, x1, y1, text in words
        if float(x1) > left and float(x0) < right
        and height - float(y0) > bottom and height - float(y1) < top
    ]  # fmt: skip
    assert under == []
