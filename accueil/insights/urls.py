"""Pages of the insights app: each area appends its own routes (live floor, KPIs,
transparency)."""

app_name = "insights"
urlpatterns: list = []
