"""The transparency page, under /fr/ and /en/ (appended to insights/urls.py)."""

from django.urls import path

from accueil.insights import public_views

urlpatterns = [
    path("transparency/", public_views.transparency, name="transparency"),
]
