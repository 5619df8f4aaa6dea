from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "accueil.cases"
    label = "cases"
    verbose_name = _("Requests")

    def ready(self) -> None:
        # Register the jobs (clocks, retention) and the consumer that moves due times when an
        # office's calendar changes.
        from accueil.cases import background  # noqa: F401
        from accueil.notify.hidden import hide_bodies_of

        # Each notice carries the citizen's tracking link, which lets its holder read and
        # answer the request: the admin's outbox never shows those bodies.
        for key in ("case.received", "case.status_changed", "case.replied"):
            hide_bodies_of(key)
