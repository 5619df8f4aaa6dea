"""Recognition's routes, added to the feedback app's ``urlpatterns`` (accueil/feedback/urls.py)."""

from django.urls import path

from accueil.core import capabilities  # noqa: F401 - registers the <secret:…> converter
from accueil.feedback import recognition_views as views
from accueil.feedback import thanks_views

urlpatterns = [
    # The citizen, after a survey: thanks to whoever served them (the invitation says who).
    path(
        "survey/<uuid:invitation_id>/<secret:secret>/thanks-agent/",
        thanks_views.thanks_agent,
        name="thanks-agent",
    ),
    # Staff
    path("staff/me/feedback/", views.my_feedback, name="my-feedback"),
    path("staff/me/feedback/<uuid:kudos>/wall/", views.offer_to_wall, name="kudos-offer"),
    path("staff/me/feedback/<uuid:kudos>/private/", views.keep_private, name="kudos-private"),
    path("staff/thank-a-colleague/", views.thank_colleague, name="thank-colleague"),
    path("staff/wall/", views.wall, name="wall"),
    path("staff/wall/review/", views.review_queue, name="kudos-review"),
    path("staff/wall/review/<uuid:kudos>/", views.review_decide, name="kudos-decide"),
    path("staff/pulse/", views.pulse, name="pulse"),
    path("staff/pulse/results/", views.pulse_results, name="pulse-results"),
]
