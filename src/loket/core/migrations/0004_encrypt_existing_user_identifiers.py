"""Encrypt the users' existing national and enterprise numbers and fill the blind index.

Raw SQL in batches (core.fields): the historical model's fields would try to decrypt the plain
values. Reversible: the reverse decrypts with the keyring of the environment.
"""

from typing import Any

from django.db import migrations

from loket.core.fields import decrypt_column_in_place, encrypt_column_in_place


def encrypt(apps: Any, schema_editor: Any) -> None:
    table = apps.get_model("core", "User")._meta.db_table
    encrypt_column_in_place(
        table, "id", "national_number", "national_number_index", "national_number"
    )
    encrypt_column_in_place(table, "id", "enterprise_number")


def decrypt(apps: Any, schema_editor: Any) -> None:
    table = apps.get_model("core", "User")._meta.db_table
    decrypt_column_in_place(table, "id", "national_number", "national_number_index", None)
    decrypt_column_in_place(table, "id", "enterprise_number")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_encrypt_user_identifiers"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
