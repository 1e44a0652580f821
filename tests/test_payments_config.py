"""The card providers' settings: production names every missing one, secrets stay out of
``repr``, and an administration is offered only the providers it contracted (fees.yaml)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.conf import settings
from django.test import override_settings

from loket.config import ConfigurationError, load
from loket.core.deploy_checks import check_production_settings
from loket.payments.providers import offered_for
from tests.test_config import SAFE

WORLDLINE = {
    "LOKET_WORLDLINE_MERCHANT_ID": "BrusselsRegion",
    "LOKET_WORLDLINE_API_KEY_ID": "47e9dc332ca24273818b",
    "LOKET_WORLDLINE_API_SECRET": "worldline-api-secret-value",
    "LOKET_WORLDLINE_WEBHOOK_KEY_ID": "webhook-key-1",
    "LOKET_WORLDLINE_WEBHOOK_SECRET": "worldline-webhook-secret-value",
}
MOLLIE = {"LOKET_MOLLIE_API_KEY": "live_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM"}
CARDS = {"LOKET_PAYMENT_PROVIDERS": "mollie,worldline,transfer", **MOLLIE, **WORLDLINE}


def test_production_accepts_both_card_providers_fully_configured() -> None:
    config = load({**SAFE, **CARDS})
    assert config.payment_providers == ("mollie", "worldline", "transfer")


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"LOKET_MOLLIE_API_KEY": ""}, "LOKET_MOLLIE_API_KEY is missing"),
        ({"LOKET_MOLLIE_API_KEY": "test_abc"}, "LOKET_MOLLIE_API_KEY is not a live key"),
        ({"LOKET_MOLLIE_API_URL": "http://mollie.internal"}, "LOKET_MOLLIE_API_URL must be"),
        *[({name: ""}, f"{name} is missing") for name in WORLDLINE],
        ({"LOKET_WORLDLINE_API_URL": "http://wl.internal"}, "LOKET_WORLDLINE_API_URL must be"),
    ],
)
def test_production_refuses_an_offered_provider_without_its_settings_naming_each(
    change: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigurationError, match=named):
        load({**SAFE, **CARDS, **change})


def test_a_provider_not_offered_needs_no_settings() -> None:
    load({**SAFE, "LOKET_PAYMENT_PROVIDERS": "transfer"})  # no Mollie or Worldline keys


def test_the_deploy_check_names_the_missing_setting_and_no_secret() -> None:
    incomplete = load({**SAFE, **CARDS, "LOKET_ENV": "demo", "LOKET_WORLDLINE_API_SECRET": ""})
    with override_settings(CONFIG=incomplete):
        messages = [error.msg for error in check_production_settings()]
    assert "LOKET_WORLDLINE_API_SECRET is missing (Worldline is offered)" in messages
    assert not any("webhook-secret-value" in message for message in messages)


def test_secrets_are_not_in_the_configurations_repr() -> None:
    shown = repr(load({**SAFE, **CARDS}).payment_settings)
    assert "BrusselsRegion" in shown  # the merchant is not a secret
    for secret in (MOLLIE["LOKET_MOLLIE_API_KEY"], WORLDLINE["LOKET_WORLDLINE_API_SECRET"],
                   WORLDLINE["LOKET_WORLDLINE_WEBHOOK_SECRET"]):  # fmt: skip
        assert secret not in shown


def test_an_administration_is_offered_the_providers_its_fee_names_among_the_deployments() -> None:
    everything = replace(settings.CONFIG, payment_providers=("mollie", "worldline", "transfer"))
    with override_settings(CONFIG=everything):
        # Ixelles contracted Worldline (fees.yaml); parking.brussels names none: all offered.
        assert offered_for("nationality-certificate", "21009") == ["worldline", "transfer"]
        assert offered_for("residents-parking-card", "parking-brussels") == [
            "mollie",
            "worldline",
            "transfer",
        ]
    # The demo deployment offers neither card provider: Ixelles keeps the demo page.
    assert offered_for("nationality-certificate", "21009") == ["demo", "transfer"]
