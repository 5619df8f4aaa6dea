from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueuesConfig(AppConfig):
    name = "accueil.queues"
    label = "queues"
    verbose_name = _("Queues")

    def ready(self) -> None:
        from accueil.queues import notices  # noqa: F401 - registers the send-time checks
