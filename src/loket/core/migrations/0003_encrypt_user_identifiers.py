"""National and enterprise numbers of users become encrypted columns with a blind index.

The columns widen to hold ``v1:<key id>:<sealed text>``; the national number's uniqueness moves
to its blind index (ciphertexts are never equal). 0004 encrypts the existing rows.
"""

from django.db import migrations

import loket.core.fields
import loket.core.models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_alter_membership_role"),
    ]

    operations = [
        migrations.AlterModelManagers(
            name="user",
            managers=[
                ("objects", loket.core.models.UserManager()),
            ],
        ),
        migrations.AddField(
            model_name="user",
            name="national_number_index",
            field=loket.core.fields.BlindIndexField(
                blank=True, kind="national_number", null=True, source="national_number", unique=True
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="enterprise_number",
            field=loket.core.fields.EncryptedIdentifierField(blank=True, max_length=255),
        ),
        migrations.AlterField(
            model_name="user",
            name="national_number",
            field=loket.core.fields.EncryptedIdentifierField(blank=True, max_length=255, null=True),
        ),
    ]
