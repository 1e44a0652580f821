from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "loket.audit"
    label = "audit"
    verbose_name = _("Access log")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        import loket.audit.tasks  # noqa: F401 - registers the periodic signing of tree heads
        from loket.audit.actions import record_rate_limited
        from loket.audit.gauges import access_log_gauges
        from loket.audit.immutability import register_sqlite_function
        from loket.core.ratelimit import rate_limited
        from loket.observe.metrics import register_gauges

        register_gauges(access_log_gauges)  # read at each scrape of /metrics
        connection_created.connect(register_sqlite_function, dispatch_uid="loket-audit-sqlite")
        rate_limited.connect(record_rate_limited, dispatch_uid="loket-audit-rate-limited")
