from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.management import call_command

from accueil.accounts.models import User
from accueil.catalog.models import Closure, Holiday, Office, Service, ServiceStandard
from accueil.lib.businesstime import parse_weekly
from accueil.site.demo import DEMO_PASSWORD

TORONTO = ZoneInfo("America/Toronto")


def test_demo_is_complete_and_idempotent(db, capsys):
    # The history is tested (and written twice) in tests/insights/test_demo_history.py.
    call_command("demo", no_history=True)
    first = capsys.readouterr().out
    call_command("demo", no_history=True)
    assert Office.objects.count() == 2
    assert set(Office.objects.values_list("time_zone", flat=True)) == {"America/Toronto"}
    assert Service.objects.count() >= 6
    assert all(s.standards.exists() for s in Service.objects.all())
    assert ServiceStandard.objects.count() == 12
    assert {"agent", "supervisor", "admin"} <= set(User.objects.values_list("username", flat=True))
    assert "agent" in first and DEMO_PASSWORD in first
    for username in ("agent", "supervisor", "admin"):
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)


def test_demo_staff_can_sign_in(client, db):
    # Signing in needs the staff, not the history.
    call_command("demo", history_days=0)
    response = client.post("/en/login/", {"username": "agent", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "City Hall" in client.get("/en/staff/").content.decode()


def test_office_calendar_knows_hours_holidays_and_closures(personas):
    office = personas.office
    office.set_weekly_hours(parse_weekly("mon-fri 09:00-17:00"))
    Holiday.objects.create(
        agency=personas.agency, date=datetime(2026, 5, 18).date(), name_fr="Journée", name_en="Day"
    )
    Holiday.objects.create(
        agency=personas.agency,
        office=personas.other_office,
        date=datetime(2026, 5, 19).date(),
        name_fr="Local",
        name_en="Local",
    )
    Closure.objects.create(
        office=office,
        starts_at=datetime(2026, 5, 20, 9, tzinfo=TORONTO),
        ends_at=datetime(2026, 5, 20, 13, tzinfo=TORONTO),
        reason_fr="Travaux",
        reason_en="Works",
    )
    calendar = Office.objects.get(pk=office.pk).calendar()
    friday = datetime(2026, 5, 15, 15, tzinfo=TORONTO)
    # Fri 2 h, Mon holiday, Tue 8 h (other office's holiday does not apply), Wed from 13:00.
    assert calendar.add(friday, timedelta(hours=14)) == datetime(2026, 5, 20, 17, tzinfo=TORONTO)
