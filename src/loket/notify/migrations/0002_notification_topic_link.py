# Notices no longer point at a case (notify sits below cases): they say what they are about
# (``topic``) and where they lead (``link``) in the sender's words. Filled in 0003, then the
# foreign key to the case goes in 0004 (three steps: PostgreSQL refuses to alter a table with
# pending trigger events in the transaction that updated its rows).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notify', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='topic',
            field=models.CharField(blank=True, db_index=True, help_text='What the notice is about, in the sender\'s words (case:BRU-2026-0473915-62).', max_length=60),
        ),
        migrations.AddField(
            model_name='notification',
            name='link',
            field=models.CharField(blank=True, help_text='Where the notice leads on this site (a path).', max_length=200),
        ),
        migrations.AlterField(
            model_name='notification',
            name='kind',
            field=models.CharField(help_text="What happened, in the sender's words.", max_length=30),
        ),
    ]
