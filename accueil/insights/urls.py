"""Pages of the insights app: each area appends its own routes (live floor, KPIs,
transparency)."""

from accueil.insights import floor_urls, kpi_urls, public_urls

app_name = "insights"
urlpatterns: list = []
urlpatterns += floor_urls.urlpatterns
urlpatterns += kpi_urls.urlpatterns
urlpatterns += public_urls.urlpatterns
