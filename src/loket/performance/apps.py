from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "loket.performance"
    label = "performance"
    verbose_name = _("Performance of the services")

    def ready(self) -> None:
        from django.db.models.signals import post_save, pre_delete

        import loket.performance.actions  # noqa: F401 - registers the daily comments task
        from loket.forms.models import Draft
        from loket.performance.journeys import on_draft_deleted, on_draft_saved

        post_save.connect(on_draft_saved, sender=Draft, dispatch_uid="performance.draft_saved")
        pre_delete.connect(on_draft_deleted, sender=Draft, dispatch_uid="performance.draft_deleted")
