from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormsConfig(AppConfig):
    name = "loket.forms"
    label = "loket_forms"
    verbose_name = _("Forms and drafts")
