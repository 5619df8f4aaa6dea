from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueuesConfig(AppConfig):
    name = "accueil.queues"
    label = "queues"
    verbose_name = _("Queues")

    def ready(self) -> None:
        from accueil.queues import booking, notices  # noqa: F401 - register send-time hooks
