"""Validating an address as a form receives it; the handling municipality comes from the street."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.functional import Promise

from loket.geo.search import validate_address

pytestmark = pytest.mark.usefixtures("address_register")


@pytest.mark.django_db
def test_a_city_of_brussels_street_checked_against_ixelles_fails_with_a_translatable_message() -> (
    None
):
    check = validate_address("Rue de la Loi", "16", municipality="Ixelles")
    assert not check.ok and not check.street_found
    assert check.precision == "unknown"
    message = check.errors[0]
    assert isinstance(message, Promise)  # translated when shown, in the reader's language
    with translation.override("en"):
        assert "Ixelles" in str(message) and "Rue de la Loi" in str(message)


@pytest.mark.django_db
@pytest.mark.parametrize("street", ["Abbaye de la Cambre", "Avenue Louise", "Louizalaan"])
def test_postcode_1050_with_a_city_of_brussels_street_is_handled_by_the_city(street: str) -> None:
    check = validate_address(street, "", postcode="1050")
    assert check.street_found
    assert check.nis_code == "21004"  # not Ixelles, whose postcode 1050 also is


@pytest.mark.django_db
def test_a_haren_address_with_a_known_number_has_address_precision() -> None:
    check = validate_address("Oude Haachtsesteenweg", "27", postcode="1130")
    assert check.ok and check.number_known
    assert check.precision == "address"
    assert check.nis_code == "21004"
    assert check.candidate is not None and check.candidate.id == "4274"


@pytest.mark.django_db
def test_a_haren_number_not_in_the_register_is_flagged() -> None:
    check = validate_address("Ancienne chaussée de Haecht", "9999", municipality="Bruxelles")
    assert check.street_found and not check.number_known
    assert check.precision == "unknown"
    with translation.override("en"):
        assert "house number" in str(check.errors[0])


@pytest.mark.django_db
def test_an_osm_street_without_numbers_has_street_precision() -> None:
    check = validate_address("Rue Américaine", "25", municipality="Elsene")
    assert check.ok and check.street_found and not check.number_known
    assert check.precision == "street"
    assert check.nis_code == "21009"


@pytest.mark.django_db
def test_a_known_address_with_the_wrong_postcode_says_which_postcode_it_has() -> None:
    check = validate_address("Oude Haachtsesteenweg", "27", postcode="1000")
    assert check.number_known and not check.ok
    with translation.override("en"):
        assert "1130" in str(check.errors[0])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("street", "number", "postcode", "municipality"),
    [
        ("", "", "", ""),
        ("Rue de Nulle Part Xyzzy", "1", "", ""),
        ("Rue de la Loi", "16", "9999", ""),
        ("Rue de la Loi", "16", "", "Atlantis"),
        ("x" * 10_000, "1" * 10_000, "1" * 10_000, "y" * 10_000),
        ("Улица Ленина", "5", "", ""),
        ("'; DROP TABLE geo_street; --", "<b>", "", ""),
    ],
)
def test_impossible_addresses_are_refused_with_a_message_never_an_exception(
    street: str, number: str, postcode: str, municipality: str
) -> None:
    check = validate_address(street, number, postcode, municipality)
    assert not check.ok and check.precision == "unknown"
    with translation.override("en"):
        assert all(str(error) for error in check.errors)
