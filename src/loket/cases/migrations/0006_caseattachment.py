# The link between a case and its files moves to the case's side (forms sits below cases and
# may not name a case): CaseAttachment here, filled in 0007 from Attachment.case, which
# loket_forms 0004 then removes; 0008 declares Case.attachments through this table.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_case_channel'),
        ('loket_forms', '0003_definitionversion'),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseAttachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('attachment', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='loket_forms.attachment')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cases.case')),
            ],
        ),
    ]
