from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenDataConfig(AppConfig):
    name = "loket.opendata"
    label = "opendata"
    verbose_name = _("Open data")

    def ready(self) -> None:
        import loket.opendata.tasks  # noqa: F401 - registers the daily publication
