"""Checks for the identifiers and numbers Belgian forms ask for, with translated messages."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import bic, iban
from stdnum.exceptions import ValidationError as StdnumError

from loket.core.identifiers import clean_enterprise_number, clean_national_number

PLATE_FORMATS = (
    re.compile(r"^[1-9][A-Z]{3}[0-9]{3}$"),  # 1-ABC-234, since 2010
    re.compile(r"^[A-Z]{3}[0-9]{3}$"),  # ABC-123, 1973-2008
    re.compile(r"^[0-9]{3}[A-Z]{3}$"),  # 123-ABC, 2008-2010
)
PHONE = re.compile(r"^\+?[0-9]{8,15}$")


def normalise_plate(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value).upper()


def licence_plate(value: str) -> str:
    compact = normalise_plate(value)
    if not any(pattern.match(compact) for pattern in PLATE_FORMATS):
        raise ValidationError(
            _("Enter a Belgian registration plate, for example 1-ABC-234."), code="invalid"
        )
    if len(compact) == 7:
        return f"{compact[0]}-{compact[1:4]}-{compact[4:]}"
    return f"{compact[:3]}-{compact[3:]}"


def phone(value: str) -> str:
    compact = re.sub(r"[\s./()\-]", "", value)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("0") and not compact.startswith("00"):
        compact = "+32" + compact[1:]
    if not PHONE.match(compact):
        raise ValidationError(
            _("Enter a phone number, for example 02 123 45 67 or +32 470 12 34 56."),
            code="invalid",
        )
    return compact


def iban_number(value: str) -> str:
    try:
        return str(iban.format(iban.validate(value)))
    except StdnumError:
        raise ValidationError(
            _("Enter a valid IBAN, for example BE71 0961 2345 6769."), code="invalid"
        ) from None


def bic_code(value: str) -> str:
    try:
        return str(bic.validate(value))
    except StdnumError:
        raise ValidationError(
            _("Enter a valid BIC of 8 or 11 characters, for example GEBABEBB."), code="invalid"
        ) from None


def national_number(value: str) -> str:
    try:
        return clean_national_number(value)
    except StdnumError:
        raise ValidationError(
            _("Enter a valid national number of 11 digits, as on the back of an identity card."),
            code="invalid",
        ) from None


def enterprise_number(value: str) -> str:
    try:
        return clean_enterprise_number(value)
    except StdnumError:
        raise ValidationError(
            _("Enter a valid enterprise number, for example 0403.170.701."), code="invalid"
        ) from None
