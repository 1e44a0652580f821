"""A camt.053 statement that pays a demo case's fee by transfer, to try the reconciliation in
the demo (``loket payments demo-statement CASE``, docs/payments.md): one credit line of the fee,
with the structured communication the applicant was told, on the account the transfer page
shows. It is what the administration's bank would send; nothing in it is real."""

from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape

from loket.cases.models import Case
from loket.payments.merchants import compact_iban, transfer_account
from loket.payments.models import CaseFee, Payment
from loket.payments.notices import told_communication


class NoTransferToPay(Exception):
    """The case has no fee left to pay by transfer; the message says why."""


def demo_camt053(case: Case, booked_on: date) -> bytes:
    """The statement crediting ``case``'s fee with its communication (the open transfer's, else
    the one the mail told) on the account its transfer goes to."""
    fee = CaseFee.objects.filter(case=case).first()
    if fee is None or fee.amount_cents == 0:
        raise NoTransferToPay(f"{case.reference} has no fee to pay")
    if fee.paid_by_id is not None:
        raise NoTransferToPay(f"{case.reference} is paid already")
    communication = told_communication(fee)
    if not communication:
        raise NoTransferToPay(f"{case.reference}: its administration takes no transfer")
    chosen = Payment.objects.filter(case=case, reference=communication).first()
    account = compact_iban(
        chosen.payee_iban if chosen and chosen.payee_iban
        else transfer_account(case.administration)["iban"]
    )  # fmt: skip
    amount = f"{fee.amount_cents // 100}.{fee.amount_cents % 100:02d}"
    statement = f"DEMO-{case.reference}"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>{escape(statement)}</MsgId><CreDtTm>{booked_on.isoformat()}T08:00:00</CreDtTm></GrpHdr>
<Stmt><Acct><Id><IBAN>{account}</IBAN></Id></Acct><Id>{escape(statement)}</Id>
<Ntry><NtryRef>{escape(statement)}-1</NtryRef><Amt Ccy="{escape(fee.currency)}">{amount}</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>{booked_on.isoformat()}</Dt></BookgDt>
<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>{escape(case.applicant.display_name)}</Nm></Dbtr>
</RltdPties><RmtInf><Strd><CdtrRefInf><Ref>{escape(communication)}</Ref></CdtrRefInf></Strd>
</RmtInf></TxDtls></NtryDtls></Ntry></Stmt>
</BkToCstmrStmt></Document>
""".encode()
