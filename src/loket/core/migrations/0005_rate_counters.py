"""The rate limiter's counters, moved here from the api app (whose migration 0002 drops its
table) so that core, below every app that limits requests, owns them."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_encrypt_existing_user_identifiers"),
    ]

    operations = [
        migrations.CreateModel(
            name="RateCounter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=120)),
                ("window_start", models.DateTimeField()),
                ("count", models.PositiveIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("key", "window_start"), name="one_rate_counter_per_window")
                ],
            },
        ),
    ]
