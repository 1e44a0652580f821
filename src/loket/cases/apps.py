from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "loket.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from loket.cases import (  # noqa: F401  (register their tasks' handlers)
            decision_documents,
            delivery,
        )
