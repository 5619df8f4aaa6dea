from django.urls import path

from accueil.notify import views

app_name = "notify"
urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
