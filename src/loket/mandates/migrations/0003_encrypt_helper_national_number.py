"""The helper's national number of a mandate becomes encrypted, with a blind index to find it.

0005 encrypts the existing rows and fills the index.
"""

from django.db import migrations

import loket.core.fields


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_encrypt_user_identifiers"),
        ("mandates", "0002_mandate_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="mandate",
            name="helper_national_number_index",
            field=loket.core.fields.BlindIndexField(
                db_index=True, default="", kind="national_number", source="helper_national_number"
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="mandate",
            name="helper_national_number",
            field=loket.core.fields.EncryptedIdentifierField(max_length=255),
        ),
    ]
