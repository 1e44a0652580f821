from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "loket.privacy"
    label = "privacy"
    verbose_name = _("Data protection")

    def ready(self) -> None:
        import loket.privacy.checks
        import loket.privacy.tasks  # noqa: F401 - registers the daily retention run
        from loket.notify.gates import register_mail_gate
        from loket.privacy.consent import email_allowed
        from loket.privacy.log_filters import install

        install()
        # notify (below this app) may not ask for consent itself; it asks through this gate.
        register_mail_gate(email_allowed)
