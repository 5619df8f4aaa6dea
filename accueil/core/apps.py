from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    name = "accueil.core"
    label = "core"
    verbose_name = "Accueil"
    default = True

    def ready(self) -> None:
        from accueil.core import housekeeping  # noqa: F401 - core's own steps and its job


class AccueilAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "accueil.core.admin_site.AccueilAdminSite"
