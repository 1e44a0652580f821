from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "loket.web"
    label = "web"
    verbose_name = _("Web pages")

    def ready(self) -> None:
        from loket.web import statements  # noqa: F401 - registers the reports' expiry task
