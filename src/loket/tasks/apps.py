from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "loket.tasks"
    label = "tasks"
    verbose_name = _("Background tasks")

    def ready(self) -> None:
        import loket.tasks.queue  # noqa: F401 - registers the hourly pruning of finished tasks
        from loket.observe.metrics import register_gauges
        from loket.tasks.gauges import queue_gauges

        register_gauges(queue_gauges)  # read at each scrape of /metrics
