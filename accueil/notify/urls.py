from django.urls import path

from accueil.notify import campaign_views, staff, views

app_name = "notify"
urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("staff/outbox/", staff.outbox, name="outbox"),
    path("staff/outbox/<uuid:message>/resend/", staff.resend, name="resend"),
    path("staff/templates/", staff.templates, name="templates"),
    path("staff/campaigns/", campaign_views.campaigns, name="campaigns"),
    path("staff/campaigns/new/", campaign_views.new_campaign, name="new-campaign"),
    path("staff/campaigns/<uuid:campaign>/", campaign_views.campaign_detail, name="campaign"),
    path(
        "staff/campaigns/<uuid:campaign>/cancel/",
        campaign_views.cancel_campaign,
        name="cancel-campaign",
    ),
    path("staff/templates/<uuid:template>/", staff.edit_template, name="edit-template"),
]
