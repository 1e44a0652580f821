"""The source of a fee's amount by language (fr, nl, en), like its label: the texts written in
English only before are kept, in all three languages for the two demo fees that had them."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

# The sources fees.yaml gave before it gave them by language.
TRANSLATED = {
    "Demo amounts modelled on the regional parking policy (parking.brussels); not a tariff": {
        "fr": "Montants de démonstration inspirés de la politique régionale de stationnement "
        "(parking.brussels) ; pas un tarif",
        "nl": "Demobedragen naar het gewestelijke parkeerbeleid (parking.brussels); geen tarief",
    },
    "Demo amount: municipal tax on administrative documents (Ixelles), not the real tariff": {
        "fr": "Montant de démonstration : taxe communale sur les documents administratifs "
        "(Ixelles), pas le tarif réel",
        "nl": "Demobedrag: gemeentebelasting op administratieve stukken (Elsene), niet het echte "
        "tarief",
    },
}


def by_language(apps: Any, schema_editor: Any) -> None:
    fees = apps.get_model("payments", "CaseFee")
    for fee in fees.objects.exclude(source_written="").iterator():
        fee.source = {"en": fee.source_written, **TRANSLATED.get(fee.source_written, {})}
        fee.save(update_fields=["source"])


def written_back(apps: Any, schema_editor: Any) -> None:
    fees = apps.get_model("payments", "CaseFee")
    for fee in fees.objects.iterator():
        fee.source_written = (fee.source or {}).get("en", "")[:300]
        fee.save(update_fields=["source_written"])


class Migration(migrations.Migration):
    dependencies = [("payments", "0002_fees_refunds_and_reminders")]

    operations = [
        migrations.RenameField("casefee", "source", "source_written"),
        migrations.AddField(
            model_name="casefee",
            name="source",
            field=models.JSONField(
                default=dict, help_text="Where the amount comes from, by language."
            ),
        ),
        migrations.RunPython(by_language, written_back),
        migrations.RemoveField("casefee", "source_written"),
    ]
