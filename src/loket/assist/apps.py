from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistConfig(AppConfig):
    name = "loket.assist"
    label = "assist"
    verbose_name = _("Algorithms that suggest")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from loket.assist.actions import on_case_saved
        from loket.assist.register import processing_entry
        from loket.cases.models import Case
        from loket.privacy.register import register_processing

        post_save.connect(on_case_saved, sender=Case, dispatch_uid="assist.on_case_saved")
        register_processing(processing_entry)
