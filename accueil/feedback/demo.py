"""The demo agency's surveys: the A-11 form after every visit and request, the 7-driver form
for building permits, half of the people asked for the busiest counter service."""

from accueil.feedback.actions import do_ensure_standard_surveys
from accueil.feedback.models import SurveySettings

SETTINGS = {
    # service slug: (survey kind, sampling rate %)
    "permis-construction": ("drivers", 100),
    "assermentation": ("a11", 50),
}


def create_feedback_demo(agency, services) -> None:
    surveys = do_ensure_standard_surveys(agency)
    for slug, (kind, rate) in SETTINGS.items():
        service = services.get(slug)
        if service is None:
            continue
        SurveySettings.objects.update_or_create(
            service=service,
            defaults={"agency": agency, "survey": surveys[kind], "sampling_rate": rate},
        )
