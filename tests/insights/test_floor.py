"""The supervisor's live floor: its figures at a controlled moment, who may see it, and the
supervisor's changes to desks — all built through the real queue and request actions."""

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accueil.accounts.models import Role
from accueil.cases import actions as case_actions
from accueil.core.actions import ActionError
from accueil.core.actors import PUBLIC, Actor
from accueil.core.models import Event
from accueil.insights.floor import floor_state
from accueil.queues import actions
from accueil.queues.models import DeskSession
from accueil.queues.waits import forget_forecasts
from tests.cases.conftest import intake, make_world
from tests.factories import (
    AgencyFactory,
    DeskFactory,
    OfficeFactory,
    ServiceFactory,
    StandardFactory,
    UserFactory,
)

TORONTO = ZoneInfo("America/Toronto")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=TORONTO)


def at(hour, minute=0, day=1):
    return datetime(2026, 12, day, hour, minute, tzinfo=TORONTO)


def make_office():
    agency = AgencyFactory()
    office = OfficeFactory(agency=agency)
    permits = ServiceFactory(agency=agency, offices=[office], ticket_prefix="A")
    StandardFactory(service=permits, measure="wait", threshold=15, unit="minutes")
    taxes = ServiceFactory(agency=agency, offices=[office], ticket_prefix="B")
    desks = [DeskFactory(office=office, label=str(n)) for n in (1, 2, 3)]
    for desk in desks:
        desk.services.set([permits, taxes])
    ana = UserFactory(agency=agency, username="ana", first_name="Ana", last_name="Roy")
    bo = UserFactory(agency=agency, username="bo", first_name="Bo", last_name="Lam")
    ana.offices.set([office])
    bo.offices.set([office])
    other = AgencyFactory()
    return SimpleNamespace(
        agency=agency,
        office=office,
        permits=permits,
        taxes=taxes,
        desks=desks,
        ana=ana,
        bo=bo,
        supervisor=UserFactory(agency=agency, username="sup", role=Role.SUPERVISOR),
        admin=UserFactory(agency=agency, username="adm", role=Role.ADMIN),
        stranger_admin=UserFactory(agency=other, username="far", role=Role.ADMIN),
    )


def serve(desk, agent, called, ended=None, started=None):
    staff = Actor.staff(agent)
    visit = actions.do_call_next(desk, actor=staff, now=called)
    if started:
        visit = actions.do_start(visit, actor=staff, now=started)
    if ended:
        visit = actions.do_complete(visit, actor=staff, now=ended)
    return visit


@pytest.fixture
def morning(db):
    """Tuesday 1 December 2026 at 10:00 in Toronto, after a morning of visits.

    Yesterday: one permit visitor served (not today's). Today, permits (15-minute standard):
    one called after 10 minutes, one after 25, two still waiting (for 30 and 10 minutes).
    Taxes (no standard): one visitor being served at desk 2 since 8:16. Desk 1 is free since
    8:40, desk 3 is closed."""
    world = make_office()
    one, two, _three = world.desks
    ana, bo = Actor.staff(world.ana), Actor.staff(world.bo)
    actions.do_open_desk(one, world.ana, [world.permits], actor=ana, now=at(14) - timedelta(days=1))
    actions.do_check_in(world.office, world.permits, now=at(14, 30) - timedelta(days=1))
    serve(one, world.ana, at(14, 40) - timedelta(days=1), ended=at(14, 50) - timedelta(days=1))

    actions.do_open_desk(one, world.ana, [world.permits], actor=ana, now=at(8))
    actions.do_open_desk(two, world.bo, [world.taxes], actor=bo, now=at(8))
    actions.do_check_in(world.office, world.permits, now=at(8))
    actions.do_check_in(world.office, world.permits, now=at(8, 5))
    actions.do_check_in(world.office, world.taxes, now=at(8, 10))
    serve(one, world.ana, at(8, 10), ended=at(8, 20))
    serve(two, world.bo, at(8, 15), started=at(8, 16))
    serve(one, world.ana, at(8, 30), ended=at(8, 40))
    actions.do_check_in(world.office, world.permits, now=at(9, 30))
    actions.do_check_in(world.office, world.permits, now=at(9, 50))
    forget_forecasts()
    return world


def test_each_line_shows_waiting_longest_wait_served_today_and_share_within_the_standard(
    morning,
):
    floor = floor_state(morning.office, NOW)
    permits, taxes = floor.lines
    assert permits.service == morning.permits and taxes.service == morning.taxes
    assert (permits.waiting, permits.longest_minutes, permits.served) == (2, 30, 2)
    # Called within 15 minutes: 1 of 2; the one waiting for 30 minutes has missed it already.
    assert (permits.within, permits.eligible, permits.share) == (1, 3, 33)
    assert permits.predicted is not None  # desk 1 serves permits
    assert (taxes.waiting, taxes.longest_wait, taxes.served, taxes.share) == (0, None, 0, None)
    assert taxes.alerts == []
    assert floor.waiting == 2


def test_a_line_past_its_standard_and_under_its_target_raises_its_alerts(morning):
    with translation.override("en"):
        permits = floor_state(morning.office, NOW).lines[0]
    # Visits took 10 minutes this morning: with two waiting at one desk, a newcomer would
    # wait about 20.
    assert permits.alerts == [
        "Someone has waited longer than the standard (15 minutes).",
        "Someone arriving now would wait longer than the standard (15 minutes).",
        "Today’s share within the standard is under its target of 80%.",
    ]


def test_a_second_desk_on_a_line_lifts_the_alert_for_the_next_arrival(morning):
    bo = Actor.staff(morning.bo)
    desk = morning.desks[1]
    actions.do_set_desk_services(desk, [morning.permits, morning.taxes], actor=bo, now=at(9, 58))
    forget_forecasts()
    with translation.override("en"):
        permits = floor_state(morning.office, NOW).lines[0]
    assert permits.predicted == (5, 15)  # about 10 minutes: two desks share the line
    assert "Someone arriving now would wait longer than the standard (15 minutes)." not in (
        permits.alerts
    )


def test_a_line_nobody_serves_while_people_wait_is_an_alert(morning):
    actions.do_check_in(morning.office, morning.taxes, now=at(9, 55))
    actions.do_close(morning.desks[1], actor=Actor.staff(morning.bo), now=at(9, 56))
    forget_forecasts()
    with translation.override("en"):
        taxes = floor_state(morning.office, NOW).lines[1]
    assert taxes.waiting == 1 and taxes.predicted is None
    assert taxes.alerts == ["Nobody serves this line now."]


def test_each_desk_shows_who_is_there_and_what_they_are_doing_since_when(morning):
    one, two, three = floor_state(morning.office, NOW).desks
    assert (one.state, one.session.agent, one.since, one.services) == (
        "idle",
        morning.ana,
        at(8, 40),
        [morning.permits],
    )
    assert (two.state, two.session.agent, two.minutes) == ("serving", morning.bo, 104)
    assert two.visit.ticket.startswith("B")
    assert (three.state, three.session) == ("closed", None)


def test_a_desk_on_a_break_and_one_that_called_show_so(morning):
    actions.do_pause(morning.desks[1], True, actor=Actor.staff(morning.bo), now=at(9, 58))
    visit = actions.do_call_next(morning.desks[0], actor=Actor.staff(morning.ana), now=at(9, 57))
    one, two, _three = floor_state(morning.office, NOW).desks
    assert (one.state, one.visit, one.minutes) == ("called", visit, 3)
    assert (two.state, two.since) == ("paused", at(9, 58))


@pytest.fixture
def requests_world(db):
    return make_world()


def test_requests_due_within_four_business_hours_or_overdue_are_listed_soonest_first(
    requests_world,
):
    world = requests_world
    montreal = ZoneInfo("America/Montreal")
    tuesday = datetime(2026, 12, 1, 10, 0, tzinfo=montreal)
    first = case_actions.do_open_case(
        PUBLIC, service=world.service, channel="web", intake=intake(), now=tuesday
    )
    later = case_actions.do_open_case(
        PUBLIC,
        service=world.service,
        channel="web",
        intake=intake(),
        now=tuesday + timedelta(hours=6),
    )
    # Tuesday 11:00: the first answer is due Wednesday 10:00, 7 business hours away.
    assert floor_state(world.office, tuesday + timedelta(hours=1)).breaches == []
    # Wednesday 8:00, before opening: 4 business hours reach 13:00.
    (soon,) = floor_state(world.office, datetime(2026, 12, 2, 8, tzinfo=montreal)).breaches
    assert (soon.case, soon.clock, soon.overdue) == (first, "response", False)
    # Thursday 9:30: the first is overdue, the second (due Thursday 8 h after 16:00) too.
    late = floor_state(world.office, datetime(2026, 12, 3, 9, 30, tzinfo=montreal)).breaches
    assert [(b.case, b.overdue) for b in late] == [(first, True), (later, True)]


def test_an_answered_request_is_no_longer_due_for_a_first_answer(requests_world):
    world = requests_world
    montreal = ZoneInfo("America/Montreal")
    case = case_actions.do_open_case(
        PUBLIC,
        service=world.service,
        channel="web",
        intake=intake(),
        now=datetime(2026, 12, 1, 10, tzinfo=montreal),
    )
    case_actions.do_reply(
        Actor.staff(case.assignee),
        case,
        "Bonjour, nous regardons votre demande.",
        now=datetime(2026, 12, 1, 11, tzinfo=montreal),
    )
    assert floor_state(world.office, datetime(2026, 12, 2, 8, tzinfo=montreal)).breaches == []


def test_the_page_lists_a_request_due_soon_with_a_link_to_it(client, requests_world):
    world = requests_world
    case = case_actions.do_open_case(
        PUBLIC,
        service=world.service,
        channel="web",
        intake=intake(),
        now=datetime(2026, 11, 2, 10, tzinfo=ZoneInfo("America/Montreal")),
    )
    client.force_login(UserFactory(agency=world.agency, role=Role.SUPERVISOR))
    with translation.override("en"):
        url = reverse("insights:floor", args=[world.office.id])
        link = reverse("cases:detail", args=[case.reference])
    body = client.get(url).content.decode()
    assert f'href="{link}"' in body and "Overdue:" in body and "A first answer" in body


# -- who may see it ------------------------------------------------------------------------------


@pytest.fixture
def floor_url(morning):
    return reverse("insights:floor", args=[morning.office.id])


def test_anonymous_visitors_are_sent_to_sign_in(client, floor_url):
    response = client.get(floor_url)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_agent_is_refused_and_another_agency_learns_nothing(client, morning, floor_url):
    client.force_login(morning.ana)
    assert client.get(floor_url).status_code == 403
    client.force_login(morning.stranger_admin)
    assert client.get(floor_url).status_code == 404
    desk = reverse("insights:floor-desk", args=[morning.desks[0].id])
    assert client.get(desk).status_code == 404
    close = reverse("insights:floor-desk-close", args=[morning.desks[0].id])
    assert client.post(close).status_code == 404
    assert DeskSession.objects.filter(desk=morning.desks[0], closed_at=None).exists()


def test_a_supervisor_of_other_offices_of_the_agency_learns_nothing_of_this_one(client, morning):
    elsewhere = OfficeFactory(agency=morning.agency)
    morning.supervisor.offices.set([elsewhere])
    client.force_login(morning.supervisor)
    assert client.get(reverse("insights:floor", args=[morning.office.id])).status_code == 404
    desk = reverse("insights:floor-desk", args=[morning.desks[0].id])
    assert client.get(desk).status_code == 404


@pytest.mark.parametrize("who", ["supervisor", "admin"])
def test_supervisors_and_admins_of_the_agency_see_the_floor_in_both_languages(client, morning, who):
    client.force_login(getattr(morning, who))
    for language, title in (("fr", "Suivi en direct"), ("en", "Live floor")):
        with translation.override(language):
            url = reverse("insights:floor", args=[morning.office.id])
        response = client.get(url)
        assert response.status_code == 200
        assert title in response.content.decode()
        assert "Ana Roy" in response.content.decode()


def test_a_supervisor_with_one_office_goes_straight_to_its_floor(client, morning):
    morning.supervisor.offices.set([morning.office])
    client.force_login(morning.supervisor)
    response = client.get(reverse("insights:floor-offices"))
    assert response.status_code == 302
    assert response["Location"] == reverse("insights:floor", args=[morning.office.id])


def test_a_supervisor_of_several_offices_picks_one(client, morning):
    second = OfficeFactory(agency=morning.agency, name_en="Harbour office")
    OfficeFactory(name_en="Someone else's office")  # another agency
    client.force_login(morning.supervisor)
    with translation.override("en"):
        response = client.get(reverse("insights:floor-offices"))
        links = [reverse("insights:floor", args=[o.id]) for o in (morning.office, second)]
    body = response.content.decode()
    assert response.status_code == 200
    assert all(link in body for link in links)
    assert "Someone else" not in body


def test_the_live_refresh_gets_the_fragment_and_its_summary_only(client, morning, floor_url):
    client.force_login(morning.supervisor)
    response = client.get(floor_url, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'hx-swap-oob="innerHTML"' in body and 'id="lines-title"' in body


def test_the_floor_costs_the_same_queries_for_few_or_many_visits(client, morning, floor_url):
    client.force_login(morning.supervisor)

    def count():
        forget_forecasts()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(floor_url).status_code == 200
        return len(queries)

    client.get(floor_url)  # sessions, calendars and rules read once
    few = count()
    for _ in range(10):
        actions.do_check_in(morning.office, morning.permits)
        actions.do_check_in(morning.office, morning.taxes)
    serve(morning.desks[0], morning.ana, None, ended=None)
    many = count()
    assert many == few
    # Session and user (3), office, services and standards, the waiting line, today's visits,
    # desks, sessions and their services, visitors at desks, desks' own services, requests due,
    # and the forecast read cold (8, its history from the rollups; warm, it is shared with the
    # board and costs none).
    assert few <= 22


# -- the supervisor's changes to desks -----------------------------------------------------------


def test_a_supervisor_closes_an_agents_desk_and_the_event_says_who(client, morning):
    client.force_login(morning.supervisor)
    desk = morning.desks[0]
    response = client.post(reverse("insights:floor-desk-close", args=[desk.id]))
    assert response.status_code == 302
    assert not DeskSession.objects.filter(desk=desk, closed_at=None).exists()
    event = Event.objects.filter(verb="desk.closed", object_id=str(desk.id)).latest("id")
    assert event.actor == morning.supervisor


def test_a_supervisor_moves_a_desks_services_and_the_next_call_follows(client, morning):
    client.force_login(morning.supervisor)
    desk = morning.desks[1]  # Bo, taxes only
    url = reverse("insights:floor-desk-services", args=[desk.id])
    actions.do_complete(actions.pending_visitor(desk), actor=Actor.staff(morning.bo), now=at(9, 59))
    response = client.post(url, {"services": [str(morning.permits.id)]})
    assert response.status_code == 302
    session = DeskSession.objects.get(desk=desk, closed_at=None)
    assert list(session.services.all()) == [morning.permits]
    event = Event.objects.filter(verb="desk.services_changed").latest("id")
    assert event.actor == morning.supervisor
    assert event.data["before"] == [str(morning.taxes.id)]
    called = actions.do_call_next(desk, actor=Actor.staff(morning.bo))
    assert called.service == morning.permits


def test_a_supervisor_opens_a_closed_desk_for_an_agent(client, morning):
    client.force_login(morning.supervisor)
    desk = morning.desks[2]
    page = client.get(reverse("insights:floor-desk", args=[desk.id]))
    assert page.status_code == 200
    response = client.post(
        reverse("insights:floor-desk-open", args=[desk.id]),
        {"open-agent": str(morning.bo.id), "open-services": [str(morning.taxes.id)]},
    )
    assert response.status_code == 302
    session = DeskSession.objects.get(desk=desk, closed_at=None)
    assert session.agent == morning.bo
    # Bo's other desk is closed: one agent, one desk.
    assert not DeskSession.objects.filter(desk=morning.desks[1], closed_at=None).exists()
    assert Event.objects.filter(verb="desk.opened", object_id=str(desk.id)).latest("id").actor == (
        morning.supervisor
    )


def test_a_supervisor_cannot_seat_someone_from_another_agency(morning):
    desk = morning.desks[2]
    with pytest.raises(Http404):
        actions.do_open_desk(
            desk, morning.stranger_admin, [morning.permits], actor=Actor.staff(morning.supervisor)
        )
    assert not DeskSession.objects.filter(desk=desk).exists()


def test_changing_services_refuses_an_agent_who_does_not_hold_the_desk_and_changes_nothing(
    morning,
):
    desk = morning.desks[1]
    with pytest.raises(ActionError) as refused:
        actions.do_set_desk_services(desk, [morning.permits], actor=Actor.staff(morning.ana))
    assert refused.value.code == "not_your_desk"
    stranger = UserFactory(agency=AgencyFactory(), role=Role.ADMIN)
    with pytest.raises(Http404):
        actions.do_set_desk_services(desk, [morning.permits], actor=Actor.staff(stranger))
    foreign = ServiceFactory(agency=morning.agency)  # not offered at this office
    with pytest.raises(ActionError):
        actions.do_set_desk_services(desk, [foreign], actor=Actor.staff(morning.supervisor))
    session = DeskSession.objects.get(desk=desk, closed_at=None)
    assert list(session.services.all()) == [morning.taxes]
    assert not Event.objects.filter(verb="desk.services_changed").exists()


def test_a_desk_change_refused_is_told_in_the_persons_language_not_a_500(client, morning):
    client.force_login(morning.supervisor)
    desk = morning.desks[2]  # closed
    with translation.override("en"):
        url = reverse("insights:floor-desk-services", args=[desk.id])
    response = client.post(url, {"services": [str(morning.permits.id)]}, follow=True)
    assert response.status_code == 200
    assert "This desk is not open." in response.content.decode()
