from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MandatesConfig(AppConfig):
    name = "loket.mandates"
    label = "mandates"
    verbose_name = _("Mandates")

    def ready(self) -> None:
        # The door (a lower layer) may not import this app; it asks us through a registered check.
        from loket.mandates.selectors import mandate_allows
        from loket.sources.door import register_mandate_check

        register_mandate_check(mandate_allows)
