from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    """Synthetic authentic registers for the demo and the tests.

    In production these registers are external systems (National Register, CBE, DIV, CBSS),
    reached through the source adapters. Their tables are kept apart from platform data and are
    read only by ``loket.sources`` (see the architecture test).
    """

    name = "loket.registers"
    label = "registers"
    verbose_name = _("Demo registers")
