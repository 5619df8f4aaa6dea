"""The open-data files, without a language prefix: every text column is in both languages,
so one address serves everyone (mounted at /open-data/ in accueil/urls.py)."""

from django.urls import path

from accueil.insights import public_views

app_name = "open-data"
urlpatterns = [
    path("performance.csv", public_views.open_data_csv, name="performance-csv"),
    path("performance.json", public_views.open_data_json, name="performance-json"),
]
