"""Pages of the feedback app. Each area appends its own routes (surveys, reporting,
recognition); the citizen's survey pages carry the invitation's secret."""

from django.urls import path

from accueil.core import capabilities  # noqa: F401 - registers the <secret:…> converter
from accueil.feedback import citizen, desk, recognition_urls, reporting_urls

app_name = "feedback"
urlpatterns = (
    [
        # Surveys: the citizen's pages
        path("survey/<uuid:invitation_id>/<secret:secret>/", citizen.survey, name="survey"),
        path("survey/<uuid:invitation_id>/<secret:secret>/thanks/", citizen.thanks, name="thanks"),
        path("s/", desk.short, name="short"),
        # Surveys: at the desk (the console's card is a desk section; the counter tablet)
        path("counter/<uuid:desk_id>/<secret:secret>/", desk.tablet, name="tablet"),
    ]
    + reporting_urls.urlpatterns
    + recognition_urls.urlpatterns
)
