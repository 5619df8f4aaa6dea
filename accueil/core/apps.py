from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    name = "accueil.core"
    label = "core"
    verbose_name = "Accueil"
    default = True


class AccueilAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "accueil.core.admin_site.AccueilAdminSite"
