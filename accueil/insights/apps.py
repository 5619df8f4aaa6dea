from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "accueil.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        # The consumer that fills the rollups from the event log.
        from accueil.insights import rollups  # noqa: F401

        # The wait forecast learns service times from the rollups instead of every event.
        from accueil.insights.history import counted_history
        from accueil.queues.waits import history_sources

        history_sources[:] = [counted_history]
