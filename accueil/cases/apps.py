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
