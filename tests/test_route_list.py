"""A checked-in list of routes, so that an added or removed URL shows up in review."""

import json
from pathlib import Path

from tests.routes import route_list

ROUTES_FILE = Path(__file__).parent / "route-list.json"


def test_every_route_declares_who_may_use_it():
    missing = [row["route"] for row in route_list() if row["access"] == "MISSING"]
    assert missing == [], "decorate these views with @public or @staff_required(...)"


def test_route_list_is_up_to_date():
    current = route_list()
    recorded = json.loads(ROUTES_FILE.read_text(encoding="utf-8"))
    assert current == recorded, (
        "Routes changed. If that is intended, regenerate the list:\n"
        "  .venv/bin/python -m pytest tests/test_route_list.py --update-routes"
    )
