from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0007_caseattachment_from_attachment_case'),
        ('loket_forms', '0004_remove_attachment_case'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='attachments',
            field=models.ManyToManyField(blank=True, help_text='The files of the case: uploaded in its form or sent with its messages.', related_name='cases', related_query_name='case', through='cases.CaseAttachment', to='loket_forms.attachment'),
        ),
    ]
