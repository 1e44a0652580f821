"""Each door's primary host (canonical links, the sitemap; its other hosts redirect there) and the
origins that may frame its /embed/ pages. An existing door's primary host is its first host name
in alphabetical order, as its form listed them; its staff may put another one first."""

from typing import Any

from django.db import migrations, models


def mark_primary_hosts(apps: Any, schema_editor: Any) -> None:
    DoorHost = apps.get_model("doors", "DoorHost")
    for door_id in DoorHost.objects.values_list("door_id", flat=True).distinct():
        first = DoorHost.objects.filter(door_id=door_id).order_by("host").first()
        DoorHost.objects.filter(pk=first.pk).update(primary=True)


class Migration(migrations.Migration):
    dependencies = [("doors", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="door",
            name="embed_origins",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Origins whose pages may frame this door's /embed/ pages.",
            ),
        ),
        migrations.AddField(
            model_name="doorhost",
            name="primary",
            field=models.BooleanField(default=False),
        ),
        migrations.AlterModelOptions(
            name="doorhost",
            options={"ordering": ["door", "-primary", "host"], "verbose_name": "host name"},
        ),
        migrations.RunPython(mark_primary_hosts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="doorhost",
            constraint=models.UniqueConstraint(
                condition=models.Q(("primary", True)),
                fields=("door",),
                name="one_primary_host_per_door",
            ),
        ),
    ]
