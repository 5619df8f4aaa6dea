"""One forecast per office feeds every surface, and it learns from the day itself.

The board, the console, the status page, the office page and the API once showed different
figures for one line; and an office without history (or whose service times changed that
morning) stayed far off all day, because service times came only from weeks of history
refreshed hourly.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accueil.queues.actions import (
    do_call_next,
    do_check_in,
    do_complete,
    do_open_desk,
    do_start,
)
from accueil.queues.waits import forecast, forget_profiles, office_profile, wait_range
from tests.factories import (
    TEST_PASSWORD,
    DeskFactory,
    OfficeFactory,
    ServiceFactory,
    UserFactory,
)

RANGE = re.compile(r"(\d+)(?:–|\s+à\s+)(\d+)\s*min")


def minutes(text):
    found = RANGE.search(text)
    return [int(found[1]), int(found[2])] if found else None


def row_of(page, name):
    """The table row (board, office page, console) that names ``name``."""
    for row in re.findall(r"<tr>.*?</tr>", page, re.S):
        if name in row:
            return row
    raise AssertionError(f"no row for {name}")


def test_every_surface_shows_the_same_wait_for_a_line(client, personas):
    second = DeskFactory(office=personas.office, label="2")
    second.services.set([personas.service])
    do_open_desk(personas.desk, personas.owner, [])
    do_open_desk(second, personas.colleague, [])
    for _ in range(7):
        do_check_in(personas.office, personas.service)
    do_call_next(personas.desk)
    name = personas.service.name_fr

    board = client.get(f"/api/v1/offices/{personas.office.id}/board").json()
    on_board = next(s for s in board["services"] if s["id"] == str(personas.service.id))
    offices = client.get("/api/v1/offices").json()
    office = next(o for o in offices if o["id"] == str(personas.office.id))
    in_api = next(s for s in office["services"] if s["id"] == str(personas.service.id))
    office_page = client.get(f"/fr/offices/{personas.office.id}/").content.decode()
    display = client.get(f"/fr/display/{personas.office.id}/").content.decode()
    expected = on_board["wait_minutes"]
    assert expected is not None
    assert in_api["estimated_wait_minutes"] == expected
    assert in_api["waiting"] == on_board["waiting"] == 6
    assert minutes(row_of(office_page, name)) == expected
    assert minutes(row_of(display, name)) == expected

    # Whoever takes a ticket now is told the same, everywhere they and the agents look.
    taken = client.post(
        f"/api/v1/offices/{personas.office.id}/visits",
        {"service": str(personas.service.id)},
        content_type="application/json",
    ).json()
    assert taken["estimated_wait_minutes"] == expected
    visit = f"/api/v1/visits/{taken['id']}?secret={taken['secret']}"
    assert client.get(visit).json()["estimated_wait_minutes"] == expected
    status = client.get(f"/fr/visits/{taken['id']}/{taken['secret']}/").content.decode()
    assert minutes(status) == expected
    client.post("/fr/login/", {"username": "owner", "password": TEST_PASSWORD})
    console = client.get("/fr/console/").content.decode()
    assert minutes(row_of(console, taken["ticket"])) == expected


def serve(office, service, desk, started, busy):
    """One visitor, called at ``started`` and done ``busy`` seconds later."""
    do_check_in(office, service, now=started)
    visit = do_call_next(desk, now=started)
    do_start(visit, now=started + timedelta(seconds=30))
    do_complete(visit, now=started + timedelta(seconds=busy))


@pytest.fixture
def agency_with_history(db):
    """An agency whose City Hall has served this service in 5 minutes for weeks."""
    forget_profiles()
    old = OfficeFactory(time_zone="America/Toronto")
    service = ServiceFactory(agency=old.agency, offices=[old], ticket_prefix="P")
    desk = DeskFactory(office=old, label="1")
    desk.services.set([service])
    do_open_desk(desk, UserFactory(agency=old.agency), [], now=timezone.now() - timedelta(days=9))
    zone = ZoneInfo("America/Toronto")
    for days_ago in range(2, 9):
        day = (timezone.now() - timedelta(days=days_ago)).astimezone(zone).date()
        for index in range(6):
            serve(
                old,
                service,
                desk,
                datetime(day.year, day.month, day.day, 9, tzinfo=zone)
                + timedelta(minutes=10 * index),
                300,
            )
    return old, service


def predicted_for_third_in_line(office, service, now):
    line = [do_check_in(office, service, now=now) for _ in range(3)]
    guess = forecast(office, now)
    waits = [guess.get(v.id).wait for v in line]
    for visit in line:  # leave the line as it was
        visit.delete()
    return waits[-1]


def test_a_new_office_starts_from_its_agency_and_converges_within_a_dozen(agency_with_history):
    old, service = agency_with_history
    new = OfficeFactory(agency=old.agency, time_zone="America/Toronto")
    service.offices.add(new)
    desk = DeskFactory(office=new, label="1")
    desk.services.set([service])
    zone = ZoneInfo("America/Toronto")
    day = (timezone.now() - timedelta(days=1)).astimezone(zone).date()
    start = datetime(day.year, day.month, day.day, 8, 30, tzinfo=zone)
    do_open_desk(desk, UserFactory(agency=old.agency), [], now=start)
    # Before anything is served there, the other office is the prior: 5 minutes a visit.
    assert office_profile(new, start).expected(str(service.id), 8) == pytest.approx(300, rel=0.1)
    truth = 900  # at the new office, this service takes 15 minutes
    moment = start
    for _ in range(12):
        serve(new, service, desk, moment, truth)
        moment += timedelta(seconds=truth + 60)
    learned = office_profile(new, moment).expected(str(service.id), moment.astimezone(zone).hour)
    assert learned == pytest.approx(truth, rel=0.2)
    # And the prediction for the third in line follows: two visits ahead of them.
    assert predicted_for_third_in_line(new, service, moment) == pytest.approx(2 * truth, rel=0.25)
    # The office with its own history is not moved by what happens at the new one.
    assert office_profile(old, moment).expected(str(service.id), 10) == pytest.approx(300, rel=0.1)


def test_a_slower_morning_weighs_in_within_minutes(agency_with_history):
    """A new form, a slow system: the history says 5 minutes, today says 12."""
    old, service = agency_with_history
    desk = old.desks.get()
    zone = ZoneInfo("America/Toronto")
    day = timezone.now().astimezone(zone).date() - timedelta(days=1)
    moment = datetime(day.year, day.month, day.day, 9, tzinfo=zone)
    before = office_profile(old, moment).expected(str(service.id), 9)
    assert before == pytest.approx(300, rel=0.1)
    for _ in range(6):
        serve(old, service, desk, moment, 720)
        moment += timedelta(minutes=13)
    after = office_profile(old, moment).expected(str(service.id), 10)
    assert after > 550  # most of the way there after half a dozen visits
    assert wait_range(int(after)) != wait_range(int(before))
