"""Identifiers are encrypted at rest, bound to their column, and found through a blind index."""

from __future__ import annotations

import base64
from datetime import date, timedelta

import pytest
from django.core.exceptions import FieldError
from django.db import connection
from django.utils import timezone

from loket.accounts.identities import do_match_resident
from loket.config import OidcClient
from loket.core import crypto
from loket.core.fields import decrypt_column_in_place, encrypt_column_in_place
from loket.core.identifiers import make_national_number
from loket.core.models import User, national_number_index
from loket.mandates.actions import do_give_mandate, do_link_invitations
from loket.mandates.models import Mandate
from loket.mandates.selectors import mandates_held_by
from tests.conftest import demo_user

pytestmark = pytest.mark.django_db

RESIDENTS = OidcClient("https://fas.example.be", "loket", "secret")
NUMBER = make_national_number(date(1984, 6, 2), 314)


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def digit_runs(number: str, length: int = 5) -> set[str]:
    return {number[i : i + length] for i in range(len(number) - length + 1)}


def test_the_database_holds_no_digit_run_of_the_number_and_names_the_key() -> None:
    user = User.objects.create(
        username="enc", national_number=NUMBER, enterprise_number="0403170701"
    )
    stored = raw("core_user", "national_number", user.pk)
    assert stored.startswith("v1:demo-1:")
    assert not any(run in stored for run in digit_runs(NUMBER))
    assert not any(
        run in raw("core_user", "enterprise_number", user.pk) for run in {"04031", "70701"}
    )
    index = raw("core_user", "national_number_index", user.pk)
    assert index == national_number_index(NUMBER) and NUMBER not in index


def test_values_read_back_as_the_plain_numbers() -> None:
    created = User.objects.create(
        username="rt", national_number=NUMBER, enterprise_number="0403170701"
    )
    user = User.objects.get(pk=created.pk)
    assert (user.national_number, user.enterprise_number) == (NUMBER, "0403170701")
    assert list(User.objects.filter(pk=user.pk).values_list("national_number", flat=True)) == [
        NUMBER
    ]


def test_the_same_number_never_encrypts_to_the_same_text() -> None:
    first = crypto.encrypt(NUMBER, "core_user.national_number")
    assert first != crypto.encrypt(NUMBER, "core_user.national_number")


def test_a_tampered_value_does_not_decrypt() -> None:
    user = User.objects.create(username="tamper", national_number=NUMBER)
    stored = raw("core_user", "national_number", user.pk)
    sealed = bytearray(base64.b64decode(stored.split(":", 2)[2]))
    sealed[-1] ^= 1
    forged = "v1:demo-1:" + base64.b64encode(bytes(sealed)).decode()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_user SET national_number = %s WHERE id = %s", [forged, user.pk])
    with pytest.raises(crypto.DecryptionError, match="does not decrypt"):
        User.objects.get(pk=user.pk)


def test_a_value_copied_to_another_column_does_not_decrypt() -> None:
    user = User.objects.create(username="copy", national_number=NUMBER)
    stored = raw("core_user", "national_number", user.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_user SET enterprise_number = %s WHERE id = %s", [stored, user.pk]
        )
    with pytest.raises(crypto.DecryptionError, match="copied from another column"):
        User.objects.get(pk=user.pk)
    assert crypto.decrypt(stored, "core_user.national_number") == NUMBER


def test_plain_text_in_an_encrypted_column_is_refused_not_passed_through() -> None:
    with pytest.raises(crypto.DecryptionError, match="not an encrypted value"):
        crypto.decrypt(NUMBER, "core_user.national_number")


def test_the_blind_index_ignores_separators_and_depends_on_its_kind() -> None:
    assert crypto.blind_index("national_number", "84.06.02-314.53") == crypto.blind_index(
        "national_number", "84060231453"
    )
    assert crypto.blind_index("national_number", NUMBER) != crypto.blind_index(
        "enterprise_number", NUMBER
    )
    assert len(crypto.blind_index("national_number", NUMBER)) == crypto.INDEX_HEX_CHARS


def test_exact_lookups_on_the_encrypted_field_go_through_the_index() -> None:
    user = User.objects.create(username="lookup", national_number=NUMBER)
    assert User.objects.by_national_number(NUMBER).get() == user
    assert User.objects.get(national_number=NUMBER) == user  # translated, not a silent miss
    nobody = User.objects.create(username="agent-without-number")
    assert nobody in User.objects.filter(national_number=None)  # isnull still works
    assert user not in User.objects.filter(national_number=None)
    assert not User.objects.filter(national_number=make_national_number(date(1984, 6, 2), 315))


def test_lookups_that_cannot_work_on_ciphertext_are_refused() -> None:
    with pytest.raises(FieldError, match="encrypted"):
        list(User.objects.filter(national_number__startswith="84"))
    with pytest.raises(FieldError, match="no blind index"):
        list(User.objects.filter(enterprise_number="0403170701"))


def test_the_index_follows_a_changed_number_even_with_update_fields() -> None:
    user = User.objects.create(username="change", national_number=NUMBER)
    other = make_national_number(date(1984, 6, 2), 316)
    user.national_number = other
    user.save(update_fields=["national_number"])
    assert User.objects.by_national_number(other).get() == user
    assert not User.objects.by_national_number(NUMBER).exists()
    user.national_number = None
    user.save()
    assert raw("core_user", "national_number_index", user.pk) == "None"


def test_the_login_path_finds_a_resident_through_the_index() -> None:
    resident = demo_user("resident")
    claims = {"sub": "fas-enc", "national_number": resident.national_number}
    assert do_match_resident(claims, RESIDENTS) == resident
    newcomer = do_match_resident({"sub": "new", "national_number": NUMBER}, RESIDENTS)
    assert do_match_resident({"sub": "new", "national_number": NUMBER}, RESIDENTS) == newcomer
    assert User.objects.by_national_number(NUMBER).count() == 1


def test_a_mandate_to_someone_without_an_account_is_found_when_they_arrive() -> None:
    resident = demo_user("resident")
    today = timezone.localdate()
    mandate = do_give_mandate(resident, NUMBER, [], today, today + timedelta(days=30))
    stored = raw("mandates_mandate", "helper_national_number", mandate.pk)
    assert stored.startswith("v1:") and not any(run in stored for run in digit_runs(NUMBER))
    assert Mandate.objects.get(pk=mandate.pk).helper_national_number == NUMBER
    newcomer = do_match_resident({"sub": "helper-new", "national_number": NUMBER}, RESIDENTS)
    assert list(mandates_held_by(newcomer)) == [mandate]
    assert do_link_invitations(newcomer) == 1


def test_the_data_migration_step_encrypts_plain_rows_once_and_fills_the_index() -> None:
    user = User.objects.create(username="legacy", national_number=NUMBER)
    with connection.cursor() as cursor:  # as the rows were before migration core 0004
        cursor.execute(
            "UPDATE core_user SET national_number = %s, national_number_index = NULL WHERE id = %s",
            [NUMBER, user.pk],
        )
    args = ("core_user", "id", "national_number", "national_number_index", "national_number")
    assert encrypt_column_in_place(*args) == 1
    assert encrypt_column_in_place(*args) == 0  # already sealed rows are left alone
    assert raw("core_user", "national_number", user.pk).startswith("v1:demo-1:")
    assert User.objects.by_national_number(NUMBER).get().national_number == NUMBER
    assert decrypt_column_in_place(*args[:4]) >= 1  # the reverse migration
    assert raw("core_user", "national_number", user.pk) == NUMBER
