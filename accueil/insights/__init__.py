"""Insights: the supervisor's live floor, KPIs from rollups, the public transparency page and
its open data, and the published accuracy of our own predictions.

Rollups are filled by an event consumer (``rollups.py``): pages read small hourly and daily
tables, never the raw visits, cases or events, so they stay fast at province scale."""
