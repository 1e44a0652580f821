# The case's side now holds the link (cases.CaseAttachment, filled by cases 0007).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('loket_forms', '0003_definitionversion'),
        ('cases', '0007_caseattachment_from_attachment_case'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='attachment',
            name='case',
        ),
    ]
