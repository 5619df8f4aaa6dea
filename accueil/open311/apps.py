from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    name = "accueil.open311"
    label = "open311"
    verbose_name = _("Open311")

    def ready(self) -> None:
        # The worker job that keeps a submitted media_url as an attachment, when an
        # administrator turned fetching on (OPEN311_FETCH_MEDIA); it does nothing otherwise.
        from accueil.open311 import background  # noqa: F401
