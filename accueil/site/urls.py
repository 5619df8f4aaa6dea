from django.urls import path

from accueil.site import views

app_name = "site"
urlpatterns = [
    path("", views.home, name="home"),
    path("offices/<uuid:office>/", views.office_detail, name="office"),
    path("services/<uuid:service>/", views.service_detail, name="service"),
    path("staff/", views.staff_home, name="staff-home"),
]
