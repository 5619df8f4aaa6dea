"""The rollup consumer killed with SIGKILL mid-run and restarted counts exactly what a rebuild
from the event log counts."""

import os
import random
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.forms.models import model_to_dict

from accueil.core.actors import SYSTEM
from accueil.core.events import record_event
from accueil.insights import rollups
from accueil.insights.models import AgencyDailyRollup, AgentRollup, DailyRollup, HourlyRollup
from tests.factories import AgencyFactory, OfficeFactory, ServiceFactory, StandardFactory
from tests.servers import database_url

pytestmark = pytest.mark.django_db(transaction=True)
ZONE = ZoneInfo("America/Montreal")
EVENTS = 1200


def snapshot() -> dict:
    """Every rollup row, without its id (a rebuild numbers rows anew)."""
    found = {}
    for model in (HourlyRollup, DailyRollup, AgentRollup, AgencyDailyRollup):
        rows = [model_to_dict(row, exclude=["id"]) for row in model.objects.all()]
        found[model.__name__] = sorted(rows, key=lambda row: sorted(map(str, row.items())))
    return found


def write_history(office, services, rng) -> None:
    """Visits and requests as their actions record them, over days crossing midnight."""
    start = datetime(2026, 10, 30, 8, 0, tzinfo=ZONE)
    verbs = [
        ("visit.checked_in", {"source": "kiosk"}),
        ("visit.called", {"source": "web", "first": True, "waited": 0, "predicted": 600}),
        ("visit.completed", {"source": "kiosk", "seconds": 0, "busy": 1, "hour": 9}),
        ("visit.no_show", {"source": "kiosk"}),
        ("visit.cancelled", {"source": "web"}),
        ("case.opened", {"channel": "email"}),
        ("case.replied", {"channel": "email", "first": True, "after": 0, "due_met": True}),
        ("case.resolved", {"channel": "web", "from": "in_progress", "to": "resolved"}),
        ("survey.answered", {"channel": "in_person", "positive": {"satisfaction": True}}),
    ]
    written = 0
    while written < EVENTS:
        with transaction.atomic():
            for _ in range(rng.randint(1, 20)):
                verb, data = rng.choice(verbs)
                data = {**data}
                for key in ("waited", "seconds", "after"):
                    if key in data:
                        data[key] = rng.randint(0, 4000)
                at = start + timedelta(minutes=rng.randint(0, 60 * 24 * 6))
                service = rng.choice(services)
                record_event(
                    verb, office, actor=SYSTEM, office=office, service=service, at=at, data=data
                )
                written += 1


def start_worker(log):
    env = {**os.environ, "DATABASE_URL": database_url(), "ACCUEIL_ENV": "test"}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.insights.rollup_worker"], env=env, stdout=log, stderr=log
    )


def test_a_worker_killed_mid_run_counts_what_a_rebuild_counts(tmp_path):
    agency = AgencyFactory()
    office = OfficeFactory(agency=agency, time_zone="America/Montreal")
    services = [ServiceFactory(agency=agency, offices=[office]) for _ in range(3)]
    StandardFactory(service=services[0], threshold=15)
    rng = random.Random(14)
    write_history(office, services, rng)
    log = (tmp_path / "worker.log").open("w")
    worker = start_worker(log)
    total = rollups.behind()
    left_at_kills = []
    try:
        deadline = time.monotonic() + 180
        for _ in range(4):
            # Kill once the worker is under way (past its start-up), at a random moment.
            before = rollups.behind()
            while rollups.behind() == before and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(rng.uniform(0, 0.3))
            left_at_kills.append(rollups.behind())
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
            worker = start_worker(log)
        while rollups.behind() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert rollups.behind() == 0, (tmp_path / "worker.log").read_text()[-2000:]
    finally:
        worker.kill()
        worker.wait()
        log.close()
    assert all(0 < left < total for left in left_at_kills), (left_at_kills, total)
    counted = snapshot()
    assert sum(r["arrivals"] + r["waits"] + r["cases_opened"] for r in counted["DailyRollup"])
    rollups.rebuild()
    assert snapshot() == counted
