from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The site itself: home page, public office and service pages, staff home, the demo.

    The one place above every domain app: it may show what each app offers; no app imports it."""

    name = "accueil.site"
    label = "site"
    verbose_name = "Accueil"
