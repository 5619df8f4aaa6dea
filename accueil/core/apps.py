from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    name = "accueil.core"
    label = "core"
    verbose_name = "Accueil"
    default = True

    def ready(self) -> None:
        # Core's own housekeeping steps and the worker's jobs (housekeeping, consumers).
        from accueil.core import consumers, housekeeping  # noqa: F401


class AccueilAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "accueil.core.admin_site.AccueilAdminSite"
