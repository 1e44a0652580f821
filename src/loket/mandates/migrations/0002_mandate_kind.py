from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('mandates', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='mandate',
            name='kind',
            field=models.CharField(choices=[('personal', 'Given by the person or enterprise'), ('counter', 'Counter session')], default='personal', help_text='counter: an agent enters a paper application for a resident present at the counter; valid for that day only.', max_length=10),
        ),
    ]
