from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistConfig(AppConfig):
    name = "loket.assist"
    label = "assist"
    verbose_name = _("Algorithms that suggest")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from loket.assist.actions import REROUTED, on_case_saved, render_reroute_note
        from loket.assist.register import processing_entry
        from loket.cases.history import register_note
        from loket.cases.models import Case
        from loket.privacy.register import register_processing

        post_save.connect(on_case_saved, sender=Case, dispatch_uid="assist.on_case_saved")
        register_processing(processing_entry)
        register_note(REROUTED, render_reroute_note)
