from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "loket.api"
    label = "api"
    verbose_name = _("REST API and webhooks")

    def ready(self) -> None:
        import loket.api.events
        import loket.api.webhooks  # noqa: F401 - registers the task handlers
