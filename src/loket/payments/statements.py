"""Bank statements: ISO 20022 camt.053 (XML) and the Belgian CODA format (128-character
records), read into :class:`BankLine` s. Matching them to payments is ``reconcile``'s work.

Only the standard library is used (``xml.etree``, namespace-agnostic, so camt.053.001.02 to .08
read alike). Every credit and debit line is returned; nothing is dropped.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation


class StatementError(Exception):
    """The file is neither a camt.053 nor a CODA statement Loket can read."""


@dataclass(frozen=True)
class BankLine:
    statement: str
    entry: str
    file_format: str
    booked_on: date | None
    amount_cents: int  # negative for a debit
    currency: str
    communication: str
    counterparty: str = ""
    counterparty_account: str = ""
    account: str = ""  # the IBAN of the account the statement is of (ours)
    # The key the line had before statement keys carried a date (imports made before then).
    legacy_statement: str = ""
    legacy_entry: str = ""


def read_statement(data: bytes) -> list[BankLine]:
    """The lines of a camt.053 or CODA file, told apart by their content."""
    if data.lstrip().startswith(b"<"):
        return read_camt053(data)
    if data[:1] == b"0" and b"\n1" in data[:300]:
        return read_coda(data)
    raise StatementError("not a camt.053 (XML) or CODA statement")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(element: ET.Element, path: str) -> ET.Element | None:
    """The first descendant along ``path`` (slash-separated local names), any namespace."""
    current: ET.Element | None = element
    for part in path.split("/"):
        if current is None:
            return None
        current = next((child for child in current if _local(child.tag) == part), None)
    return current


def _text(element: ET.Element, path: str) -> str:
    found = _find(element, path)
    return (found.text or "").strip() if found is not None else ""


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _cents(text: str) -> int:
    try:
        return int((Decimal(text) * 100).to_integral_value())
    except InvalidOperation:
        raise StatementError(f"not an amount: {text!r}") from None


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def read_camt053(data: bytes) -> list[BankLine]:
    try:
        root = ET.fromstring(data)  # noqa: S314 (no DTD or entity is resolved by ElementTree)
    except ET.ParseError as problem:
        raise StatementError(f"not well-formed XML: {problem}") from None
    statements = [node for node in root.iter() if _local(node.tag) == "Stmt"]
    if not statements:
        raise StatementError("no Stmt element: not a camt.053 statement")
    lines: list[BankLine] = []
    for statement in statements:
        statement_id = _text(statement, "Id") or hashlib.sha256(data).hexdigest()[:16]
        account = _text(statement, "Acct/Id/IBAN").replace(" ", "").upper()
        for index, entry in enumerate(_children(statement, "Ntry"), 1):
            lines.extend(_camt_entry(statement_id, index, entry, account))
    return lines


def _camt_entry(statement_id: str, index: int, entry: ET.Element, account: str) -> list[BankLine]:
    sign = -1 if _text(entry, "CdtDbtInd") == "DBIT" else 1
    amount = _find(entry, "Amt")
    booked = _iso_date(_text(entry, "BookgDt/Dt") or _text(entry, "BookgDt/DtTm"))
    bank_reference = _text(entry, "NtryRef") or _text(entry, "AcctSvcrRef")
    amount_text = (amount.text or "").strip() if amount is not None else ""
    # Without the bank's reference, the position alone would let another statement with the
    # same Id hide this entry: the booking date and amount are part of its key.
    reference = bank_reference or f"{index}-{booked.isoformat() if booked else ''}-{amount_text}"
    legacy = bank_reference or str(index)
    details = [
        tx for details in _children(entry, "NtryDtls") for tx in _children(details, "TxDtls")
    ]
    if not details:
        details = [entry]
    lines = []
    for number, tx in enumerate(details, 1):
        tx_amount = _find(tx, "AmtDtls/TxAmt/Amt") or _find(tx, "Amt") or amount
        if tx_amount is None:
            raise StatementError(f"entry {reference} has no amount")
        party = "Dbtr" if sign > 0 else "Cdtr"
        lines.append(
            BankLine(
                statement=statement_id,
                entry=reference if len(details) == 1 else f"{reference}/{number}",
                legacy_statement=statement_id,
                legacy_entry=legacy if len(details) == 1 else f"{legacy}/{number}",
                file_format="camt.053",
                account=account,
                booked_on=booked,
                amount_cents=sign * _cents((tx_amount.text or "").strip()),
                currency=tx_amount.get("Ccy", "EUR"),
                communication=_text(tx, "RmtInf/Strd/CdtrRefInf/Ref") or _text(tx, "RmtInf/Ustrd"),
                counterparty=_text(tx, f"RltdPties/{party}/Nm")
                or _text(tx, f"RltdPties/{party}/Pty/Nm"),
                counterparty_account=_text(tx, f"RltdPties/{party}Acct/Id/IBAN"),
            )
        )
    return lines


def _coda_date(text: str) -> date | None:
    try:
        return datetime.strptime(text, "%d%m%y").date()
    except ValueError:
        return None


def read_coda(data: bytes) -> list[BankLine]:
    """Movement records (21, with 23 for the counterparty) of a CODA 2.x file."""
    records = [line.rstrip("\r") for line in data.decode("latin-1").split("\n") if line.strip()]
    statement = "coda-" + hashlib.sha256(data).hexdigest()[:16]
    legacy_statement = statement
    created = ""
    currency = "EUR"
    our_account = ""
    lines: list[BankLine] = []
    current: dict[str, str] = {}

    def flush() -> None:
        if current:
            lines.append(
                BankLine(
                    statement=statement,
                    entry=current["entry"],
                    file_format="coda",
                    account=our_account,
                    booked_on=_coda_date(current["date"]),
                    amount_cents=int(current["amount"]),
                    currency=currency,
                    communication=current["communication"],
                    counterparty=current.get("name", ""),
                    counterparty_account=current.get("account", ""),
                    legacy_statement=legacy_statement,
                    legacy_entry=current["legacy"],
                )
            )
            current.clear()

    for record in records:
        record = record.ljust(128)
        if record[0] == "0":
            created = record[5:11].strip()
        elif record[0] == "1":
            currency = {"0": record[18:21], "2": record[39:42]}.get(record[1], "").strip() or "EUR"
            account = record[5:39].strip()
            our_account = (account.split() or [""])[0].upper()
            # Statement numbers restart every year: the old balance's date (or, failing it, the
            # file's creation date) tells 001 of this year from 001 of last year.
            dated = _coda_date(record[58:64]) or _coda_date(created)
            on = dated.isoformat() if dated else hashlib.sha256(data).hexdigest()[:16]
            statement = f"coda-{account}-{on}-{record[2:5]}-{record[125:128]}"
            legacy_statement = f"coda-{account}-{record[2:5]}-{record[125:128]}"
        elif record[:2] == "21":
            if record[6:10] == "0000":  # a new movement (detail 0000), not its detail lines
                flush()
                sign = -1 if record[31] == "1" else 1
                amount = int(record[32:47]) // 10  # 15 digits, 3 decimals → cents
                structured = record[61] == "1"
                communication = record[62:115]
                if structured and communication[:3] == "101":
                    communication = communication[3:15]
                bank_reference = record[10:31].strip()
                entry = record[2:10] + (f"-{bank_reference}" if bank_reference else "")
                current.update(
                    entry=entry, legacy=record[2:10], date=record[115:121],
                    amount=str(sign * amount), communication=communication.strip(),
                )  # fmt: skip
        elif record[:2] == "23" and current:
            current.update(account=record[10:47].strip(), name=record[47:82].strip())
        elif record[0] in "89":
            flush()
    flush()
    return lines
