"""The administrators' page for Open311 keys (inside the language prefixes)."""

from django.urls import path

from accueil.open311 import staff

app_name = "open311-staff"
urlpatterns = [
    path("staff/open311/keys/", staff.keys, name="keys"),
    path("staff/open311/keys/<uuid:app>/revoke/", staff.revoke, name="revoke"),
]
