from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueuesConfig(AppConfig):
    name = "accueil.queues"
    label = "queues"
    verbose_name = _("Queues")

    def ready(self) -> None:
        # Register send-time hooks, attachments and the sections of core's public pages.
        from accueil.queues import background, booking, notices, sections  # noqa: F401
