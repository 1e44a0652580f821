from django.apps import AppConfig


class DoorsConfig(AppConfig):
    name = "loket.doors"
    verbose_name = "Front doors"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every process counts its changes of the doors (the others' copies read the count),
        # not only those that happen to have imported the door lookup.
        from loket.doors import hosts  # noqa: F401
