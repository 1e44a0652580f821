from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_counter_actor_role"),
    ]

    operations = [
        migrations.AlterField(
            model_name="accesslogentry",
            name="actor_role",
            field=models.CharField(
                choices=[
                    ("self", "You"),
                    ("agent", "Civil servant"),
                    ("helper", "Mandated helper"),
                    ("counter", "Agent at a counter"),
                    ("grantor", "Person giving you a mandate"),
                ],
                max_length=20,
            ),
        ),
    ]
