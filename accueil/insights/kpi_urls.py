"""The KPI pages' routes, added to the insights app's ``urlpatterns``: the overview, one page per
view and a CSV file per table (``?table=`` names the panel, the filters follow)."""

from django.urls import path

from accueil.insights import kpi_views as views

urlpatterns = [
    path("staff/insights/", views.overview, name="kpi"),
    path("staff/insights/overview.csv", views.overview_csv, name="kpi-overview-csv"),
]
for _view in ("visits", "requests", "satisfaction", "agents"):
    urlpatterns += [
        path(f"staff/insights/{_view}/", views.view_page, {"view": _view}, name=f"kpi-{_view}"),
        path(
            f"staff/insights/{_view}.csv", views.view_csv, {"view": _view}, name=f"kpi-{_view}-csv"
        ),
    ]
