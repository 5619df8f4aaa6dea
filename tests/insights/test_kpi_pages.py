"""The supervisor's KPI pages: who may see them, that their tables say what ``kpis`` computes, the
CSV files, both languages, and a query count that does not grow with the data."""

import csv
import io
import re
import time
from datetime import datetime, timedelta
from html import unescape
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accueil.core.actors import Actor, Role
from accueil.core.consumers import behind, consumers, feed
from accueil.insights import kpis, rollups
from accueil.insights.kpi_format import NBSP
from accueil.queues.actions import (
    do_call_next,
    do_check_in,
    do_complete,
    do_no_show,
    do_open_desk,
    do_recall,
)
from accueil.queues.models import QueueRules
from tests.factories import (
    AgencyFactory,
    DeskFactory,
    OfficeFactory,
    ServiceFactory,
    StandardFactory,
    UserFactory,
)
from tests.pagecheck import CheckingClient

ZONE = ZoneInfo("America/Montreal")
DAY = datetime(2026, 11, 20, 9, 0, tzinfo=ZONE)
PERIOD = {"period": "custom", "start": "2026-11-20", "end": "2026-11-20"}


def drain():
    """Feed the rollup consumer until it has read every event. On PostgreSQL it reads only
    events older than the oldest transaction still running in the cluster (commit order), so a
    shared server's other sessions can hold it back a moment: wait for them, not for a clock."""
    consumer = consumers.get(rollups.NAME)
    for _ in range(600):
        while feed(consumer):
            pass
        if not behind(consumer):
            return
        time.sleep(0.2)
    raise AssertionError("the rollup consumer never caught up")


def serve(desk, agent, service, office, arrive, wait_minutes, serve_minutes=5, no_show=False):
    actor = Actor.staff(agent)
    do_check_in(office, service, now=arrive)
    visit = do_call_next(desk, actor=actor, now=arrive + timedelta(minutes=wait_minutes))
    if no_show:
        rules = QueueRules.for_office(office)
        for recall in range(rules.recalls_before_no_show):
            later = arrive + timedelta(minutes=wait_minutes + 2 * (recall + 1))
            visit = do_recall(visit, actor=actor, now=later)
        do_no_show(visit, actor=actor, now=arrive + timedelta(minutes=wait_minutes + 20))
    else:
        do_complete(
            visit, actor=actor, now=arrive + timedelta(minutes=wait_minutes + serve_minutes)
        )


def make_agency(name_fr="Permis", name_en="Permits", username="aline"):
    agency = AgencyFactory()
    office = OfficeFactory(agency=agency, time_zone="America/Montreal")
    service = ServiceFactory(agency=agency, offices=[office], name_fr=name_fr, name_en=name_en)
    StandardFactory(service=service, threshold=15)
    desk = DeskFactory(office=office)
    desk.services.set([service])
    agent = UserFactory(
        agency=agency, offices=[office], first_name="Aline", last_name="Roy", username=username
    )
    do_open_desk(desk, agent, [], actor=Actor.staff(agent), now=DAY)
    return SimpleNamespace(agency=agency, office=office, service=service, desk=desk, agent=agent)


@pytest.fixture
def place(transactional_db):
    """One office, one service, an agent who served three visitors and missed one. (Committed
    for real: on PostgreSQL the rollup consumer reads events in commit order.)"""
    found = make_agency()
    for minute, wait in ((0, 5), (10, 12), (20, 30)):
        serve(
            found.desk,
            found.agent,
            found.service,
            found.office,
            DAY + timedelta(minutes=minute),
            wait,
        )
    serve(
        found.desk,
        found.agent,
        found.service,
        found.office,
        DAY + timedelta(hours=2),
        4,
        no_show=True,
    )
    drain()
    found.supervisor = UserFactory(agency=found.agency, role=Role.SUPERVISOR, username="sup")
    found.scope = kpis.Scope(found.agency.id, DAY.date(), DAY.date())
    return found


def signed_in(user):
    client = CheckingClient()
    client.force_login(user)
    return client


def table_cells(html, caption_start):
    """The rows of the table whose caption starts with ``caption_start``: [header, cells…]."""
    for table in re.findall(r"<table.*?</table>", html, re.S):
        caption = re.search(r"<caption[^>]*>(.*?)</caption>", table, re.S)
        if caption and unescape(caption.group(1)).strip().startswith(caption_start):
            rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
            return [
                [
                    unescape(re.sub(r"<[^>]+>", "", c)).strip()
                    for c in re.findall(r"<t[hd][^>]*>.*?</t[hd]>", r, re.S)
                ]
                for r in rows
            ]
    raise AssertionError(f"no table captioned {caption_start!r}")


# -- who may see them --------------------------------------------------------------------------

PAGES = [
    "/fr/staff/insights/",
    "/fr/staff/insights/visits/",
    "/fr/staff/insights/requests/",
    "/fr/staff/insights/satisfaction/",
    "/fr/staff/insights/agents/",
    "/fr/staff/insights/overview.csv",
    "/fr/staff/insights/visits.csv?table=waits",
]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_people_are_sent_to_sign_in(db, path):
    response = CheckingClient().get(path)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("path", PAGES)
def test_an_agent_is_refused(personas, path):
    assert signed_in(personas.owner).get(path).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_supervisors_and_admins_see_the_pages(personas, path):
    assert signed_in(personas.supervisor).get(path).status_code == 200
    assert signed_in(personas.admin).get(path).status_code == 200


@pytest.mark.parametrize("field", ["office", "service"])
def test_another_agencys_office_or_service_is_not_found(personas, field):
    other = personas.stranger_office if field == "office" else personas.stranger_service
    response = signed_in(personas.supervisor).get("/fr/staff/insights/", {field: other.id})
    assert response.status_code == 404
    response = signed_in(personas.supervisor).get(
        "/fr/staff/insights/visits.csv", {field: other.id, "table": "waits"}
    )
    assert response.status_code == 404


def test_the_figures_of_another_agency_never_show(place):
    stranger = make_agency(name_fr="Secret étranger", name_en="Foreign secret", username="bob")
    serve(stranger.desk, stranger.agent, stranger.service, stranger.office, DAY, 50)
    drain()
    boss = UserFactory(agency=stranger.agency, role=Role.SUPERVISOR, username="other-sup")
    html = signed_in(boss).get("/en/staff/insights/visits/", PERIOD).content.decode()
    assert "Permits" not in html and "Aline" not in html
    agents = signed_in(place.supervisor).get("/en/staff/insights/agents/", PERIOD).content.decode()
    assert "Aline Roy" in agents and "Foreign secret" not in agents


def test_a_supervisor_of_some_offices_sees_one_of_them_never_the_agency(place):
    other = OfficeFactory(agency=place.agency)
    limited = UserFactory(
        agency=place.agency, role=Role.SUPERVISOR, offices=[other], username="limited"
    )
    client = signed_in(limited)
    html = client.get("/en/staff/insights/", PERIOD).content.decode()
    assert "All offices" not in html
    rows = table_cells(html, "Headline figures")
    assert rows[1][:2] == ["Visitors", "0"]  # the other office had nobody
    assert (
        client.get("/en/staff/insights/", {**PERIOD, "office": place.office.id}).status_code == 404
    )


def test_the_staff_home_links_supervisors_to_the_indicators(personas):
    assert (
        "/fr/staff/insights/" in signed_in(personas.supervisor).get("/fr/staff/").content.decode()
    )
    assert "/fr/staff/insights/" not in signed_in(personas.owner).get("/fr/staff/").content.decode()


# -- what they show ----------------------------------------------------------------------------


def test_the_overview_shows_the_figures_kpis_computes(place):
    found = kpis.figures(place.scope)
    html = signed_in(place.supervisor).get("/en/staff/insights/", PERIOD).content.decode()
    rows = {row[0]: row[1:] for row in table_cells(html, "Headline figures")}
    assert rows["Visitors"][0] == str(found.arrivals) == "4"
    assert found.wait_mean == (5 + 12 + 30 + 4) / 4 * 60
    assert rows["Mean wait"][0] == "13 minutes"  # 12.75, whole minutes from 10 up
    assert rows["Called within the standard"][0] == "75%"  # 3 of 4 under 15 minutes
    assert rows["Mean service time"][0] == "5 minutes"
    assert rows["No-show rate"][0] == "25%"
    assert rows["Visitors"][1] == "0"
    assert rows["Visitors"][2] == "Up by 4"
    assert rows["Satisfied"] == ["–", "–", "No comparison"]


def test_the_visits_tables_say_what_the_series_say(place):
    html = signed_in(place.supervisor).get("/en/staff/insights/visits/", PERIOD).content.decode()
    by_service = table_cells(html, "Visitors called within the service standard, by service")
    service = dict(kpis.series(place.scope, "service"))[place.service.id]
    assert by_service[1][0] == "Permits"
    assert by_service[1][1:3] == [str(service.wait_eligible), "75%"]
    hours = table_cells(html, "Visitors by hour of arrival")
    assert [row[:2] for row in hours[1:]] == [
        ["9:00 a.m.", "3"],
        ["10:00 a.m.", "0"],
        ["11:00 a.m.", "1"],
    ]
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart' in html
    assert 'role="img"' in html


def test_french_pages_write_numbers_the_french_way(place):
    html = signed_in(place.supervisor).get("/fr/staff/insights/", PERIOD).content.decode()
    rows = {row[0]: row[1:] for row in table_cells(html, "Chiffres clés")}
    assert rows["Appelés dans le délai prévu"][0] == f"75{NBSP}%"
    assert rows["Attente moyenne"][0] == f"13{NBSP}minutes"
    assert rows["Visiteurs"][2] == "Hausse de 4"
    assert "ven. 20 novembre" in html and "20 novembre 2026" in html


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("view", ["visits", "requests", "satisfaction", "agents"])
def test_every_view_renders_in_both_languages(place, language, view):
    response = signed_in(place.supervisor).get(f"/{language}/staff/insights/{view}/", PERIOD)
    assert response.status_code == 200  # CheckingClient: valid HTML, lang, unique ids


def test_a_long_period_is_drawn_by_week_and_a_bad_one_falls_back_with_a_message(place):
    client = signed_in(place.supervisor)
    long = {"period": "custom", "start": "2026-01-01", "end": "2026-11-30"}
    html = client.get("/en/staff/insights/visits/", long).content.decode()
    assert "Week of Mon, November 16" in html
    bad = {"period": "custom", "start": "2026-11-30", "end": "2026-11-01"}
    html = client.get("/en/staff/insights/visits/", bad).content.decode()
    assert "The end date is before the start date." in html


# -- CSV ---------------------------------------------------------------------------------------


def read_csv(response):
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_overview_csv_has_the_raw_figures(place):
    response = signed_in(place.supervisor).get("/en/staff/insights/overview.csv", PERIOD)
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert rows[0] == ["Measure", "This period", "Previous period", "Unit"]
    lines = {row[0]: row[1:] for row in rows[1:]}
    assert lines["Visitors"] == ["4", "0", ""]
    assert lines["Mean wait"] == ["12.8", "", "minutes"]
    assert lines["Called within the standard"] == ["75.0", "", "%"]


def test_a_view_csv_has_the_table_of_its_panel(place):
    client = signed_in(place.supervisor)
    rows = read_csv(client.get("/en/staff/insights/visits.csv", {**PERIOD, "table": "services"}))
    assert rows[0][:3] == [
        "Service",
        "Visitors with a wait standard",
        "Called within the standard (%)",
    ]
    assert rows[1][:3] == ["Permits", "4", "75.0"]
    assert (
        client.get("/en/staff/insights/visits.csv", {**PERIOD, "table": "nope"}).status_code == 404
    )


def test_a_name_written_as_a_formula_is_neutralised_in_the_csv(place):
    place.agent.first_name = '=HYPERLINK("http://x")'
    place.agent.last_name = ""
    place.agent.save()
    rows = read_csv(
        signed_in(place.supervisor).get(
            "/en/staff/insights/agents.csv", {**PERIOD, "table": "agents"}
        )
    )
    assert rows[1][0] == '\'=HYPERLINK("http://x")'
    assert rows[1][2] == "3"  # served


def test_a_name_holding_markup_is_escaped_in_the_chart_and_the_table(place):
    place.agent.first_name = "<script>alert(1)</script>"
    place.agent.save()
    html = signed_in(place.supervisor).get("/en/staff/insights/agents/", PERIOD).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html


# -- cost --------------------------------------------------------------------------------------


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, PERIOD).status_code == 200
    return len(queries)


# Session, user, the user's offices, offices and services for the filters; then aggregates only:
# the overview reads both periods day by day in one and the backlog before the period in another;
# the visits view both periods' days, then by service, by hour and by office.
QUERY_BOUNDS = {"/en/staff/insights/": 7, "/en/staff/insights/visits/": 9}


@pytest.mark.parametrize("path", list(QUERY_BOUNDS))
def test_the_query_count_does_not_grow_with_the_rows(place, path):
    client = signed_in(place.supervisor)
    small = count_queries(client, path)
    for index in range(3):
        service = ServiceFactory(agency=place.agency, offices=[place.office])
        place.desk.services.add(service)
        for minute in range(3):
            arrive = DAY + timedelta(hours=3 + index, minutes=minute * 10)
            serve(place.desk, place.agent, service, place.office, arrive, 3 + minute)
    drain()
    assert count_queries(client, path) == small
    assert small <= QUERY_BOUNDS[path]


def test_the_requests_view_counts_requests_and_the_backlog_day_by_day(place):
    from accueil.cases.actions import do_change_status, do_open_case, do_reply
    from accueil.cases.intake import Intake
    from accueil.cases.models import CaseSettings, Status

    CaseSettings.objects.get_or_create(service=place.service, defaults={"office": place.office})
    opened = [
        do_open_case(
            Actor.system(),
            service=place.service,
            channel="phone",
            intake=Intake(description=f"Lampadaire {n}", language="fr", email="lea@example.org"),
            now=DAY + timedelta(minutes=n),
        )
        for n in range(2)
    ]
    actor = Actor.staff(place.agent)
    later = DAY + timedelta(days=1, hours=1)
    do_reply(actor, opened[0], "C’est réparé.", now=later)
    do_change_status(
        actor, opened[0].__class__.objects.get(pk=opened[0].pk), Status.RESOLVED, now=later
    )
    drain()
    two_days = {"period": "custom", "start": "2026-11-20", "end": "2026-11-21"}
    html = (
        signed_in(place.supervisor).get("/en/staff/insights/requests/", two_days).content.decode()
    )
    backlog = table_cells(html, "Open requests at the end of each period")
    assert [row[0] for row in backlog[1:]] == ["Fri, November 20", "Sat, November 21"]
    assert [row[1:] for row in backlog[1:]] == [["2", "0", "2"], ["0", "1", "1"]]
    scope = kpis.Scope(place.agency.id, DAY.date(), DAY.date() + timedelta(days=1))
    assert kpis.backlog(scope) == 1
