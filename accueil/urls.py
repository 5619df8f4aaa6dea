from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from accueil.api.v1 import api
from accueil.core import views as core_views
from accueil.notify import sms_hooks

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    # Browsers ask for /favicon.ico on every page that names no icon (the display, the kiosk).
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("api/v1/", api.urls),
    # Open311 GeoReport v2: machine clients, no language prefix (accueil/open311/urls.py).
    path("open311/v2/", include("accueil.open311.urls")),
    # Open data: bilingual files, no language prefix (docs/open-data.md).
    path("open-data/", include("accueil.insights.open_data_urls")),
    path("notify/sms/status", sms_hooks.status, name="sms-status"),
    path("notify/sms/inbound", sms_hooks.inbound, name="sms-inbound"),
]
urlpatterns += i18n_patterns(
    path("", include("accueil.site.urls")),
    path("", include("accueil.accounts.urls")),
    path("", include("accueil.catalog.urls")),
    path("", include("accueil.notify.urls")),
    path("", include("accueil.queues.urls")),
    path("", include("accueil.cases.urls")),
    path("", include("accueil.open311.staff_urls")),
    path("", include("accueil.feedback.urls")),
    path("", include("accueil.insights.urls")),
    path("admin/", admin.site.urls),
)

handler400 = "accueil.core.errors.bad_request"
handler403 = "accueil.core.errors.permission_denied"
handler404 = "accueil.core.errors.page_not_found"
handler500 = "accueil.core.errors.server_error"
