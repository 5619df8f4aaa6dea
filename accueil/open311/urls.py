"""GeoReport v2 at /open311/v2/ (mounted in accueil/urls.py, outside the language prefixes).

Tolerant of what clients send: ``.json``, ``.xml`` or no suffix (then ``Accept`` decides), a
doubled slash after the base (``/open311/v2//requests.json``), and the singular
``service/{code}`` some clients use."""

from django.urls import re_path

from accueil.open311 import views

app_name = "open311"
FORMAT = r"(?:\.(?P<fmt>json|xml))?"
urlpatterns = [
    re_path(rf"^(?:/)*discovery{FORMAT}$", views.discovery, name="discovery"),
    re_path(rf"^(?:/)*services{FORMAT}$", views.services, name="services"),
    re_path(rf"^(?:/)*services?/(?P<code>[-\w]+?){FORMAT}$", views.definition, name="definition"),
    re_path(rf"^(?:/)*requests{FORMAT}$", views.requests, name="requests"),
    re_path(
        rf"^(?:/)*requests/(?P<reference>[-\w]+?){FORMAT}$", views.request_detail, name="request"
    ),
    re_path(rf"^(?:/)*tokens/(?P<token>[-\w]+?){FORMAT}$", views.token, name="token"),
]
