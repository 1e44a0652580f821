from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_case_anonymised_at'),
        ('core', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='channel',
            field=models.CharField(choices=[('online', 'Online, by the applicant'), ('helper', 'By a helper under a mandate'), ('counter', 'At a counter, by an agent')], default='online', help_text='How the application came in: by the applicant, a helper, or a counter agent.', max_length=10),
        ),
        migrations.AddField(
            model_name='case',
            name='counter_administration',
            field=models.ForeignKey(blank=True, help_text='The administration at whose counter the application was entered.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.administration'),
        ),
    ]
