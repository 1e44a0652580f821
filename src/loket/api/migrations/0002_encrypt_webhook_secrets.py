"""Webhook secrets become Standard Webhooks secrets, encrypted at rest.

The column widens to hold ``v1:<key id>:<sealed text>``. Each existing secret ``s`` becomes
``whsec_<base64 of s's UTF-8 bytes>``: the HMAC key stays the same bytes, so a receiver keeps its
secret (written in the new form) and only changes how it checks the signature. Then the value is
sealed like the identifiers (core.fields), in batches of raw SQL: the historical model's field
would try to decrypt the plain values. Reversible with the keyring of the environment.
"""

import base64
import binascii
from typing import Any

from django.db import migrations

import loket.core.fields
from loket.core import crypto
from loket.core.fields import column_context, replace_stored_values, stored_values

PREFIX = "whsec_"


def _table(apps: Any) -> str:
    return str(apps.get_model("api", "WebhookEndpoint")._meta.db_table)


def encrypt(apps: Any, schema_editor: Any) -> None:
    ring = crypto.keyring()
    table = _table(apps)
    context = column_context(table, "secret")
    for rows in stored_values(table, "id", "secret"):
        changes = []
        for pk, plain in rows:
            if plain.startswith(f"{crypto.FORMAT_VERSION}:"):
                continue  # already sealed: running twice changes nothing
            secret = plain if plain.startswith(PREFIX) else PREFIX + base64.b64encode(
                plain.encode()
            ).decode("ascii")
            changes.append((pk, plain, {"secret": ring.encrypt(secret, context)}))
        replace_stored_values(table, "id", "secret", changes)


def decrypt(apps: Any, schema_editor: Any) -> None:
    ring = crypto.keyring()
    table = _table(apps)
    context = column_context(table, "secret")
    for rows in stored_values(table, "id", "secret"):
        changes = []
        for pk, sealed in rows:
            if not sealed.startswith(f"{crypto.FORMAT_VERSION}:"):
                continue
            secret = ring.decrypt(sealed, context)
            try:
                # Back to the text whose bytes were the key, when it was text.
                secret = base64.b64decode(secret.removeprefix(PREFIX), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                pass
            changes.append((pk, sealed, {"secret": secret[:100]}))
        replace_stored_values(table, "id", "secret", changes)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_api_clients_webhooks_rate_limits"),
    ]

    operations = [
        migrations.AlterField(
            model_name="webhookendpoint",
            name="secret",
            field=loket.core.fields.EncryptedField(max_length=400),
        ),
        migrations.RunPython(encrypt, decrypt),
    ]
