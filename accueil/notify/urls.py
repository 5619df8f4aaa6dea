from django.urls import path

from accueil.notify import staff, views

app_name = "notify"
urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("staff/outbox/", staff.outbox, name="outbox"),
    path("staff/outbox/<uuid:message>/resend/", staff.resend, name="resend"),
    path("staff/templates/", staff.templates, name="templates"),
    path("staff/templates/<uuid:template>/", staff.edit_template, name="edit-template"),
]
