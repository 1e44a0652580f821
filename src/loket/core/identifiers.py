"""Belgian identifiers: national numbers and enterprise numbers, checked with python-stdnum.

The rest of the code keeps identifiers in their compact form (digits only) and formats them only
for display.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString
from stdnum.be import nn, vat
from stdnum.exceptions import ValidationError as ValidationError

if TYPE_CHECKING:
    from loket.core.models import User


def clean_national_number(value: str) -> str:
    """Return the 11-digit compact national number, or raise ``ValidationError``."""
    return str(nn.validate(value))


def is_national_number(value: str) -> bool:
    return bool(nn.is_valid(value))


def format_national_number(value: str) -> str:
    """``85073003328`` → ``85.07.30-033.28`` (the way it is printed on an eID)."""
    return str(nn.format(value))


def national_number_html(value: str) -> SafeString:
    """The national number as printed on an eID, kept on one line in a page: a browser may
    break "85.07.30-033.28" after its hyphen, leaving "033.28" alone on the next line of a
    phone. Markup (``.nowrap``), not a non-breaking hyphen, so that a copied number still reads
    as typed. A value that is no national number is shown as it is, escaped."""
    shown = format_national_number(value) if is_national_number(value) else value
    return format_html('<span class="nowrap national-number">{}</span>', shown)


def make_national_number(birth: date, serial: int) -> str:
    """Build a valid national number for someone born on ``birth`` with day serial ``serial``.

    The serial (1..997) is odd for men and even for women. People born in 2000 or later get the
    check digits computed over ``2`` followed by the nine digits, as the register does.
    """
    if not 1 <= serial <= 997:
        raise ValueError("serial must be between 1 and 997")
    body = f"{birth:%y%m%d}{serial:03d}"
    base = int(("2" + body) if birth.year >= 2000 else body)
    number = f"{body}{97 - base % 97:02d}"
    nn.validate(number)
    return number


def clean_enterprise_number(value: str) -> str:
    """Return the 10-digit compact enterprise (KBO/BCE) number, or raise ``ValidationError``."""
    compact = str(vat.compact(value))
    vat.validate(compact)
    return compact


def is_enterprise_number(value: str) -> bool:
    try:
        clean_enterprise_number(value)
    except ValidationError:
        return False
    return True


def format_enterprise_number(value: str) -> str:
    """``0403170701`` → ``0403.170.701``."""
    compact = str(vat.compact(value))
    return f"{compact[:4]}.{compact[4:7]}.{compact[7:]}"


def make_enterprise_number(serial: int) -> str:
    """Build a valid enterprise number from a serial (mod-97 check digits)."""
    if not 0 <= serial < 2_000_000:
        raise ValueError("serial must be below 2,000,000")
    body = 7_000_000 + serial  # 07xx.xxx.xx: inside the range the register actually uses
    number = f"{body:08d}{97 - body % 97:02d}"
    vat.validate(number)
    return number


def user_pseudonym(user: User) -> str:
    """How a log line names a user: the pseudonym of their national number (of their account
    for a civil servant without one), the ``user`` of the JSON log and of the access log."""
    return pseudonym(user.national_number or f"user:{user.pk}")


def pseudonym(identifier: str) -> str:
    """Keyed HMAC of an identifier: stable per deployment, meaningless without the key.

    The access log and open data hold pseudonyms, never national numbers, so that erasure of a
    person's data never has to touch them.
    """
    key = settings.LOKET_PSEUDONYM_KEY.encode()
    return hmac.new(key, identifier.encode(), hashlib.sha256).hexdigest()
