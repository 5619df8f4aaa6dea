"""The live floor's routes, added to the insights app's ``urlpatterns``."""

from django.urls import path

from accueil.insights import floor_views as views

urlpatterns = [
    path("staff/floor/", views.offices, name="floor-offices"),
    path("staff/floor/<uuid:office>/", views.floor, name="floor"),
    path("staff/floor/desks/<uuid:desk>/", views.desk_page, name="floor-desk"),
    path("staff/floor/desks/<uuid:desk>/open/", views.open_desk, name="floor-desk-open"),
    path("staff/floor/desks/<uuid:desk>/services/", views.set_services, name="floor-desk-services"),
    path("staff/floor/desks/<uuid:desk>/close/", views.close_desk, name="floor-desk-close"),
]
