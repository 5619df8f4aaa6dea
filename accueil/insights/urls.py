"""Pages of the insights app: each area appends its own routes (live floor, KPIs,
transparency)."""

from accueil.insights import kpi_urls

app_name = "insights"
urlpatterns: list = []
urlpatterns += kpi_urls.urlpatterns
