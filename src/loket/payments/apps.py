from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "loket.payments"
    label = "payments"
    verbose_name = _("Payments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from loket.cases.charging import register_charger, register_fee_elsewhere
        from loket.payments import (
            expiry,  # noqa: F401 (registers its periodic task)
            history,
        )
        from loket.payments.actions import charge_case
        from loket.payments.providers import refuse_demo_provider_in_production
        from loket.payments.selectors import fee_paid_elsewhere

        register_charger(charge_case)
        register_fee_elsewhere(lambda case: fee_paid_elsewhere(case.procedure))
        history.register()
        refuse_demo_provider_in_production()
