"""The rate limiter moved to core (``core.RateCounter``, migration core 0005): drop the API's
counters, and the queued runs of its expiry task, renamed ``core.rate-counters-expire``.

The counters are not carried over: they live for a window (a minute, an hour), so the only
effect is that every count starts again once at the upgrade.
"""

from typing import Any

from django.db import migrations

OLD_TASK = "api.rate-counters-expire"


def forget_old_task(apps: Any, schema_editor: Any) -> None:
    apps.get_model("tasks", "Task").objects.filter(name=OLD_TASK, state="queued").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_encrypt_webhook_secrets"),
        ("core", "0005_rate_counters"),
        ("tasks", "0001_initial"),
    ]

    operations = [
        migrations.DeleteModel(name="RateCounter"),
        migrations.RunPython(forget_old_task, migrations.RunPython.noop),
    ]
