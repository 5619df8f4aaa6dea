from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accueil.accounts"
    label = "accounts"
    verbose_name = _("Staff accounts")

    def ready(self) -> None:
        from accueil.accounts import background  # noqa: F401 - housekeeping steps
        from accueil.accounts.reset import NOTICE
        from accueil.notify.hidden import hide_bodies_of

        hide_bodies_of(NOTICE)  # a reset link signs in: the admin never shows it
