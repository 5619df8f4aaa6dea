from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "accueil.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Send-time checks, the worker's jobs and housekeeping steps register on import.
        from accueil.notify import background, campaigns  # noqa: F401
