"""The demo agency's surveys: the A-11 form after every visit and request, and the 7-driver
form for building permits."""

from accueil.feedback.actions import do_ensure_standard_surveys
from accueil.feedback.models import SurveySettings

DRIVERS_FOR = ["permis-construction"]


def create_feedback_demo(agency, services) -> None:
    surveys = do_ensure_standard_surveys(agency)
    for slug in DRIVERS_FOR:
        if slug in services:
            SurveySettings.objects.update_or_create(
                service=services[slug], defaults={"agency": agency, "survey": surveys["drivers"]}
            )
