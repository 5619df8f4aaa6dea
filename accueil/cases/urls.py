"""Pages of the cases app: the citizen's side (a request form per service, tracking with the
secret from the acknowledgement) and the agents' workspace. The REST API is in ``api.py``."""

from django.urls import path

from accueil.cases import citizen, workspace
from accueil.core import capabilities  # noqa: F401 - registers the <secret:…> converter

app_name = "cases"
urlpatterns = [
    # Citizens
    path("requests/", citizen.choose_service, name="services"),
    path("requests/<slug:service>/", citizen.new_request, name="new"),
    path("track/", citizen.find, name="find"),
    path("track/<str:reference>/<secret:secret>/", citizen.track, name="track"),
    path("track/<str:reference>/<secret:secret>/reply/", citizen.reply, name="citizen-reply"),
    path(
        "track/<str:reference>/<secret:secret>/files/<uuid:file_id>/",
        citizen.download,
        name="citizen-file",
    ),
    # Agents
    path("cases/", workspace.case_list, name="list"),
    path("cases/new/", workspace.intake, name="intake"),
    path("cases/bulk/", workspace.bulk, name="bulk"),
    path("cases/meter/", workspace.meter, name="meter"),
    path("cases/<str:reference>/", workspace.case_detail, name="detail"),
    path("cases/<str:reference>/reply/", workspace.reply, name="reply"),
    path("cases/<str:reference>/note/", workspace.note, name="note"),
    path("cases/<str:reference>/status/", workspace.change_status, name="status"),
    path("cases/<str:reference>/assign/", workspace.assign, name="assign"),
    path("cases/<str:reference>/merge/", workspace.merge, name="merge"),
    path("cases/<str:reference>/link/", workspace.link, name="link"),
    path("cases/<str:reference>/files/<uuid:file_id>/", workspace.download, name="file"),
]
