"""Encrypt the existing mandates' helper national numbers and fill their blind index.

Raw SQL in batches (core.fields): the historical model's field would try to decrypt the plain
values. Reversible: the reverse decrypts with the keyring of the environment.
"""

from typing import Any

from django.db import migrations

from loket.core.fields import decrypt_column_in_place, encrypt_column_in_place


def encrypt(apps: Any, schema_editor: Any) -> None:
    table = apps.get_model("mandates", "Mandate")._meta.db_table
    encrypt_column_in_place(
        table, "id", "helper_national_number", "helper_national_number_index", "national_number"
    )


def decrypt(apps: Any, schema_editor: Any) -> None:
    table = apps.get_model("mandates", "Mandate")._meta.db_table
    decrypt_column_in_place(
        table, "id", "helper_national_number", "helper_national_number_index", ""
    )


class Migration(migrations.Migration):
    dependencies = [
        ("mandates", "0003_encrypt_helper_national_number"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
