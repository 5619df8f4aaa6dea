"""Reporting's routes, added to the feedback app's ``urlpatterns`` (accueil/feedback/urls.py):
the supervisor's feedback page, its CSV exports and the actions on comments."""

from django.urls import path

from accueil.feedback import reporting_views as views

urlpatterns = [
    path("staff/feedback/", views.feedback_page, name="reporting"),
    path("staff/feedback/a11.csv", views.a11_csv, name="reporting-a11-csv"),
    path("staff/feedback/comments.csv", views.comments_csv, name="reporting-comments-csv"),
    path("staff/feedback/comments/reread/", views.reread, name="reporting-reread"),
    path("staff/feedback/comments/<uuid:response_id>/flag/", views.flag, name="comment-flag"),
    path("staff/feedback/comments/<uuid:response_id>/redact/", views.redact, name="comment-redact"),
]
