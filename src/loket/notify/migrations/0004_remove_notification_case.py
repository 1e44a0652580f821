from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('notify', '0003_notification_topic_from_case'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='notification',
            name='case',
        ),
    ]
