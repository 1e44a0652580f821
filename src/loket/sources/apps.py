from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcesConfig(AppConfig):
    name = "loket.sources"
    label = "sources"
    verbose_name = _("Authentic sources")

    def ready(self) -> None:
        from loket.sources.checks import refuse_demo_adapters_in_production

        refuse_demo_adapters_in_production()  # and registers `loket check --deploy`'s E004
