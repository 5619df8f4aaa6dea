from django.urls import path

from accueil.catalog import views

app_name = "catalog"
urlpatterns = [
    path("staff/settings/", views.settings_home, name="settings"),
    path("staff/settings/services/<uuid:service>/", views.edit_service, name="edit-service"),
    path("staff/settings/offices/<uuid:office>/", views.edit_office, name="edit-office"),
]
