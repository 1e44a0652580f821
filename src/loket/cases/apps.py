from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "loket.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from loket.cases import delivery  # noqa: F401  (registers the backstop task's handler)
