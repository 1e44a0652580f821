"""The demo fees' sources said "geen tarief" / "pas un tarif" ("no tariff") under an amount to
pay, which a reader took for "free": the fees already computed say, as fees.yaml now does, where
the demo amount comes from and that the official tariff may differ."""

from __future__ import annotations

from typing import Any

from django.db import migrations

OLD_TO_NEW = {
    "Demo amounts modelled on the regional parking policy (parking.brussels); not a tariff": {
        "fr": "Montants de démonstration, inspirés de la politique régionale de stationnement "
        "(parking.brussels) ; le tarif officiel peut être différent",
        "nl": "Demobedragen, naar het gewestelijke parkeerbeleid (parking.brussels); het "
        "officiële tarief kan anders zijn",
        "en": "Demo amounts, modelled on the regional parking policy (parking.brussels); the "
        "official tariff may differ",
    },
    "Demo amount: municipal tax on administrative documents (Ixelles), not the real tariff": {
        "fr": "Montant de démonstration, inspiré de la taxe communale sur les documents "
        "administratifs (Ixelles) ; le tarif officiel peut être différent",
        "nl": "Demobedrag, naar de gemeentebelasting op administratieve stukken (Elsene); het "
        "officiële tarief kan anders zijn",
        "en": "Demo amount, modelled on the municipal tax on administrative documents (Ixelles); "
        "the official tariff may differ",
    },
}


def reworded(apps: Any, schema_editor: Any) -> None:
    fees = apps.get_model("payments", "CaseFee")
    for fee in fees.objects.filter(demo=True).iterator():
        new = OLD_TO_NEW.get((fee.source or {}).get("en", ""))
        if new is not None:
            fee.source = dict(new)
            fee.save(update_fields=["source"])


class Migration(migrations.Migration):
    dependencies = [("payments", "0004_payment_keeps_administration_and_case")]

    operations = [migrations.RunPython(reworded, migrations.RunPython.noop)]
