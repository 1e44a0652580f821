from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "loket.catalog"
    label = "catalog"
    verbose_name = _("Procedure catalogue")

    def ready(self) -> None:
        # Every process counts its catalogue changes (the search index of the others reads
        # the count), not only those that happen to have imported the search.
        from loket.catalog import search  # noqa: F401
