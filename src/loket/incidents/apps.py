from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "loket.incidents"
    label = "incidents"
    verbose_name = _("Reports in public space")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from loket.cases.models import Case
        from loket.incidents.actions import on_case_saved

        post_save.connect(on_case_saved, sender=Case, dispatch_uid="incidents.on_case_saved")
