from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "loket.appointments"
    label = "appointments"
    verbose_name = _("Help points and appointments")

    def ready(self) -> None:
        from loket.appointments import tasks  # noqa: F401  (registers the periodic tasks)
