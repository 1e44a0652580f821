from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "loket.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        import loket.notify.tasks  # noqa: F401 - registers the task handlers
