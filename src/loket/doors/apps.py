from django.apps import AppConfig


class DoorsConfig(AppConfig):
    name = "loket.doors"
    verbose_name = "Front doors"
    default_auto_field = "django.db.models.BigAutoField"
