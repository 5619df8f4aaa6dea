from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "accueil.feedback"
    label = "feedback"
    verbose_name = _("Feedback")

    def ready(self) -> None:
        # The consumer that invites people to a survey after a visit or a request.
        from accueil.feedback import background, desk  # noqa: F401 - consumer, desk section
        from accueil.notify.hidden import hide_bodies_of

        # An invitation carries the survey's secret link: the admin's outbox never shows it.
        hide_bodies_of("feedback.invitation")
