from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "loket.certificates"
    label = "certificates"
    verbose_name = _("Certificates")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from loket.cases.delivery import register_deliverer
        from loket.certificates.actions import deliver_at_once
        from loket.certificates.content import KINDS

        register_deliverer("certificate", deliver_at_once, KINDS)
