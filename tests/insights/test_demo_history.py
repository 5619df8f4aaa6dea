"""The demo's history: weeks of visits, requests and survey answers written through the
actions, rolled up before the server starts, and written once however often the demo runs.

A reduced volume (fewer days, a third of the visitors) keeps the test short; the command's
default volume is measured in docs/demo.md."""

from datetime import timedelta

from django.core.management import call_command
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from accueil.cases.models import Case, Status
from accueil.catalog.models import Office
from accueil.core.models import ConsumerCursor, Event
from accueil.feedback.models import Invitation, Response
from accueil.insights.models import AgentRollup, DailyRollup, HourlyRollup
from accueil.queues.models import Visit, VisitStatus
from accueil.site.demo import create_demo
from accueil.site.demo_history import catch_up, write_history

DAYS = 15  # three calendar weeks, ending yesterday


def counts() -> dict:
    """Everything the history writes, counted (a second run must not change any of it)."""
    daily = DailyRollup.objects.aggregate(
        arrivals=Sum("arrivals"), responses=Sum("responses"), cases=Sum("cases_opened")
    )
    return {
        "visits": Visit.objects.count(),
        "cases": Case.objects.count(),
        "invitations": Invitation.objects.count(),
        "responses": Response.objects.count(),
        "events": Event.objects.count(),
        "hourly": HourlyRollup.objects.count(),
        **daily,
    }


def test_the_demo_writes_weeks_of_history_once_and_rolls_it_up(transactional_db):
    # transactional_db: the consumers read only committed events (PostgreSQL), as in real use.
    agency = create_demo()
    summary = write_history(agency, DAYS, scale=0.3)
    assert summary.visits > 100 and summary.requests > 10 and summary.responses > 10

    office = Office.objects.get(agency=agency, slug="hotel-de-ville")
    yesterday = timezone.now().astimezone(office.zone).date() - timedelta(days=1)
    span = Visit.objects.aggregate(
        first=Min("day"), last=Max("day"), days=Count("day", distinct=True)
    )
    assert span["last"] == yesterday
    assert span["last"] - span["first"] >= timedelta(days=13)  # several weeks, not one
    assert span["days"] >= 10
    assert Visit.objects.values("office").distinct().count() == 2  # both offices
    assert Visit.objects.filter(day__week_day=1).count() == 0  # closed on Sundays

    served = Visit.objects.filter(status=VisitStatus.DONE, first_called_at__isnull=False)
    assert served.count() > 0.8 * summary.visits
    # Walk-ins are shown a predicted wait (not the very first ones: nothing learned yet).
    assert Visit.objects.filter(predicted_wait__isnull=False).count() > 0.5 * summary.visits
    assert Visit.objects.filter(status=VisitStatus.NO_SHOW).exists()
    assert Event.objects.filter(verb="appointment.booked").exists()

    assert Case.objects.filter(status=Status.RESOLVED).exists()
    assert Case.objects.exclude(status__in=[Status.RESOLVED, Status.CLOSED]).exists()
    assert set(Case.objects.values_list("channel", flat=True)) >= {"web", "phone", "in_person"}
    assert not Case.objects.exclude(contact_email="", contact_phone="").filter(
        opened_at__lt=timezone.now() - timedelta(days=5)
    )  # nothing to send to anyone
    assert Response.objects.filter(invitation__created_at__date__lt=yesterday).exists()

    # Events happened when the actions say, not when the demo ran.
    assert not Event.objects.filter(
        verb__in=["visit.completed", "case.resolved"],
        created_at__gte=timezone.now() - timedelta(minutes=30),
    ).exists()
    answered_on = Event.objects.filter(verb="survey.answered").dates("created_at", "day")
    assert answered_on.count() >= 5

    # Rolled up before the server starts: several days, visits, waits, requests and answers.
    assert not ConsumerCursor.objects.exclude(last_error="").exists()
    rolled = DailyRollup.objects.aggregate(
        days=Count("day", distinct=True),
        arrivals=Sum("arrivals"),
        waits=Sum("waits"),
        predicted=Sum("predicted"),
        cases=Sum("cases_opened"),
        resolutions=Sum("resolutions"),
        responses=Sum("responses"),
    )
    assert rolled["days"] >= 10
    assert rolled["arrivals"] == summary.visits
    assert rolled["waits"] > 0 and rolled["predicted"] > 0
    assert rolled["cases"] >= summary.requests and rolled["resolutions"] > 0
    assert rolled["responses"] == Response.objects.count() > 0
    assert AgentRollup.objects.exists()

    # On a shared PostgreSQL server, another suite's open transaction can hold the consumers
    # back longer than the demo waits; what they add then (the demo's own few requests'
    # invitations) is not history: let them finish before counting.
    catch_up(patience=300)
    before = counts()
    again = write_history(agency, DAYS, scale=0.3)
    assert (again.visits, again.requests, again.responses) == (0, 0, 0)
    assert counts() == before


def test_the_demo_without_history_writes_no_visit(db):
    call_command("demo", no_history=True)
    assert not Visit.objects.exists()
    assert not Event.objects.filter(verb="visit.checked_in").exists()
