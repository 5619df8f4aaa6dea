from django.urls import path

from accueil.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("staff/tokens/", views.tokens, name="tokens"),
    path("staff/tokens/<uuid:token>/revoke/", views.revoke_token, name="revoke-token"),
]
