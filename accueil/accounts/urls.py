from django.urls import path

from accueil.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("password-reset/", views.password_reset, name="password-reset"),
    path("password-reset/sent/", views.password_reset_sent, name="password-reset-sent"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password-reset-confirm",
    ),
    path("staff/tokens/", views.tokens, name="tokens"),
    path("staff/tokens/<uuid:token>/revoke/", views.revoke_token, name="revoke-token"),
]
