from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "loket.core"
    label = "core"
    verbose_name = _("Administrations and people")

    def ready(self) -> None:
        from loket.core import (
            administrations,  # noqa: F401 - follows every save of an administration, here too
            deploy_checks,  # noqa: F401 - registers `loket check --deploy`
            ratelimit,  # noqa: F401 - registers the counters' expiry task
        )
        from loket.core.seal_checks import refuse_demo_seal_in_production

        refuse_demo_seal_in_production()  # and registers `loket check --deploy`'s E005
