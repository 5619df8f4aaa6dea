"""The insights benchmark's history generator (bench/history.py) writes rows that the real rollup
consumer counts as the actions' own: one arrival per visit, one request opened per request.

PostgreSQL only: the generator writes with COPY."""

from datetime import date

import pytest
from django.db import connection
from django.db.models import Sum

from accueil.cases.models import Case
from accueil.core.models import Event
from accueil.insights import rollups
from accueil.insights.models import DailyRollup
from accueil.queues.models import Visit
from bench import history

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the generator writes with PostgreSQL's COPY"
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_rebuild_counts_what_the_generated_history_holds():
    """A tiny history (3 offices, 60 days) rolled up by the real consumer: one arrival per
    visit, one opening per request, every service, answer and resolution the events say."""
    figures = history.generate(300, 60, seed=3, last=date(2026, 6, 30), offices=3, days=60)
    read = rollups.rebuild()
    verbs = figures["by_verb"]
    sums = DailyRollup.objects.aggregate(
        arrivals=Sum("arrivals"),
        opened=Sum("cases_opened"),
        completed=Sum("completed"),
        responses=Sum("responses"),
        resolutions=Sum("resolutions"),
        waits=Sum("waits"),
    )
    assert Visit.objects.count() == figures["visits"] == 300
    assert Case.objects.count() == figures["cases"] == 60
    assert (sums["arrivals"], sums["opened"]) == (300, 60)
    assert read == Event.objects.count() == figures["events"]
    assert sums["completed"] == verbs["visit.completed"] > 0
    assert sums["responses"] == verbs.get("survey.answered", 0)
    assert sums["resolutions"] == verbs["case.resolved"] > 0
    assert sums["waits"] == Visit.objects.exclude(first_called_at=None).count()
    # Ticket numbers restart at 1 each local day, for each prefix of each office.
    first = Visit.objects.order_by("office", "day", "ticket").first()
    prefix = first.ticket.split("-")[0] + "-"
    same_day = Visit.objects.filter(office=first.office, day=first.day, ticket__startswith=prefix)
    numbers = sorted(same_day.values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))


def test_references_are_distinct_without_being_remembered():
    made = {history.reference(n, 2026) for n in range(100_000)}
    assert len(made) == 100_000
    assert all(len(r) == len("R-2026-ABCDEF") for r in made)
