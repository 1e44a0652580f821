"""National and enterprise numbers: built valid, checked with python-stdnum on generated data."""

from __future__ import annotations

from datetime import date

import pytest
from stdnum.be import nn, vat

from loket.core.identifiers import (
    clean_enterprise_number,
    clean_national_number,
    format_enterprise_number,
    format_national_number,
    make_enterprise_number,
    make_national_number,
    pseudonym,
)
from loket.registers.models import Enterprise, Mandatary, Resident


@pytest.mark.django_db
def test_every_generated_resident_has_a_valid_national_number_matching_birth_and_gender() -> None:
    residents = list(Resident.objects.all())
    assert len(residents) >= 300
    for resident in residents:
        assert nn.is_valid(resident.national_number), resident.national_number
        assert nn.get_birth_date(resident.national_number) == resident.birth_date
        assert nn.get_gender(resident.national_number) == resident.gender
    assert len({r.national_number for r in residents}) == len(residents)


@pytest.mark.django_db
def test_every_generated_enterprise_has_a_valid_enterprise_number_and_a_mandatary() -> None:
    enterprises = list(Enterprise.objects.all())
    assert enterprises
    for enterprise in enterprises:
        assert vat.is_valid(enterprise.number), enterprise.number
        assert Mandatary.objects.filter(enterprise=enterprise).exists()


def test_people_born_after_2000_get_the_check_digits_of_the_2000_rule() -> None:
    number = make_national_number(date(2004, 2, 29), 12)
    assert nn.is_valid(number)
    assert nn.get_birth_date(number) == date(2004, 2, 29)


def test_invalid_numbers_are_refused() -> None:
    with pytest.raises(Exception, match="checksum"):
        clean_national_number("85.07.30-033.29")
    with pytest.raises(Exception, match="checksum"):
        clean_enterprise_number("0403.170.702")


def test_formatting_round_trips() -> None:
    number = make_national_number(date(1985, 7, 30), 33)
    assert clean_national_number(format_national_number(number)) == number
    enterprise = make_enterprise_number(42)
    assert format_enterprise_number(enterprise).count(".") == 2
    assert clean_enterprise_number(format_enterprise_number(enterprise)) == enterprise


def test_pseudonyms_are_stable_and_do_not_contain_the_number() -> None:
    number = make_national_number(date(1990, 1, 1), 5)
    assert pseudonym(number) == pseudonym(number)
    assert number not in pseudonym(number)
    assert pseudonym(number) != pseudonym(make_national_number(date(1990, 1, 1), 7))
