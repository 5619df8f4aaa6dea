"""The transparency page, the public performance API and the open-data files, from visits made
through the real actions and counted by the real rollup consumer.

The fixture: one agency, two offices, a service with a published wait standard (80 % within 15
minutes). Three months ago 3 visitors came (a small count); two months ago 7, all served in
time; last month 6 at the north office (4 in time) and 2 at the south office. Every visitor
left a phone number and an email, and was shown a predicted wait of 10 minutes (5 to 15).
"""

import csv
import io
import json
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from accueil.cases.actions import do_change_status, do_open_case
from accueil.cases.intake import Intake
from accueil.cases.models import CaseSettings
from accueil.core.actors import Actor
from accueil.core.consumers import consumers, feed
from accueil.core.models import ConsumerCursor, Event
from accueil.insights import public, rollups
from accueil.queues.actions import do_call_next, do_check_in, do_complete, do_open_desk
from tests.factories import (
    AgencyFactory,
    DeskFactory,
    OfficeFactory,
    ServiceFactory,
    StandardFactory,
    UserFactory,
)

ZONE = ZoneInfo("America/Toronto")
SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "open-data" / "performance.schema.json"


def month_start(months_ago: int) -> date:
    today = timezone.localdate().replace(day=1)
    index = today.year * 12 + today.month - 1 - months_ago
    return date(index // 12, index % 12 + 1, 1)


@pytest.fixture
def town(transactional_db):
    cache.clear()
    agency = AgencyFactory(slug="lac-clair", name_fr="Ville de Lac-Clair", name_en="Lac-Clair")
    north = OfficeFactory(agency=agency, name_fr="Bureau nord", name_en="North office")
    south = OfficeFactory(agency=agency, name_fr="Bureau sud", name_en="South office")
    service = ServiceFactory(
        agency=agency, offices=[north, south], name_fr="Permis", name_en="Permits"
    )
    standard = StandardFactory(service=service, threshold=15, target_percent=80)
    personal = {"tickets": set(), "ids": set(), "phones": set(), "emails": set(), "names": set()}
    for office in (north, south):
        desk = DeskFactory(office=office)
        desk.services.set([service])
        agent = UserFactory(
            agency=agency, offices=[office], first_name="Amélie", last_name=f"Gagnon{office.slug}"
        )
        personal["names"].add(agent.get_full_name())
        actor = Actor.staff(agent)
        start = datetime.combine(month_start(3), datetime.min.time(), tzinfo=ZONE)
        do_open_desk(desk, agent, [service], actor=actor, now=start)
        plan = {
            north: [(2, [5] * 7), (1, [5, 5, 5, 5, 20, 20])],
            south: [(3, [5, 5, 5]), (1, [5, 5])],
        }[office]
        for months_ago, waits in plan:
            for day, wait in enumerate(waits, start=2):
                at = datetime.combine(
                    month_start(months_ago).replace(day=day), datetime.min.time(), tzinfo=ZONE
                ) + timedelta(hours=10)
                phone, email = f"+1418555{day:02d}{months_ago:02d}", f"p{day}.{months_ago}@ex.ca"
                visit = do_check_in(
                    office, service, phone=phone, email=email, now=at, predictor=lambda v: 600
                )
                personal["tickets"].add(visit.ticket)
                personal["ids"].add(str(visit.id))
                personal["phones"].add(phone)
                personal["emails"].add(email)
                called = do_call_next(desk, actor=actor, now=at + timedelta(minutes=wait))
                do_complete(called, actor=actor, now=at + timedelta(minutes=wait + 2))
    # Requests: 6 decided last month, all within 10 business days, at the north office.
    permits = ServiceFactory(agency=agency, offices=[north], name_fr="Urbanisme", name_en="Zoning")
    StandardFactory(
        service=permits, measure="resolution", threshold=10, unit="business_days", target_percent=90
    )
    CaseSettings.objects.get_or_create(service=permits, defaults={"office": north})
    for day in range(2, 8):
        at = datetime.combine(
            month_start(1).replace(day=day), datetime.min.time(), tzinfo=ZONE
        ) + timedelta(hours=11)
        name, email = f"Rosalie Bouchard{day}", f"rb{day}@ex.ca"
        case = do_open_case(
            Actor.system(),
            service=permits,
            channel="web",
            intake=Intake(description="Une clôture.", language="fr", name=name, email=email),
            now=at,
        )
        personal["names"].add(name)
        personal["emails"].add(email)
        personal["tickets"].add(case.reference)
        do_change_status(Actor.system(), case, "resolved", now=at + timedelta(days=1))
    count_everything()
    return {"agency": agency, "standard": standard, "personal": personal}


def count_everything():
    """Feed the rollup consumer until it has read every event. On PostgreSQL it reads only
    events older than every running transaction, and a shared server may be running others'
    (a benchmark's): wait for them rather than stop early."""
    consumer = consumers.get(rollups.NAME)
    for _ in range(600):
        while feed(consumer):
            pass
        cursor = ConsumerCursor.objects.get(name=rollups.NAME)
        left = Event.objects.filter(verb__in=consumer.verbs).filter(
            Q(txid__gt=cursor.txid) | Q(txid=cursor.txid, id__gt=cursor.event_id)
        )
        if not left.exists():
            return
        time.sleep(0.1)
    raise AssertionError("the rollup consumer never caught up")


def by_period(periods, code):
    return next(p for p in periods if p["period"] == code)


def code(months_ago):
    return f"{month_start(months_ago):%Y-%m}"


def test_results_by_month_come_from_the_rollups_and_small_months_are_suppressed(town, client):
    answer = client.get("/api/v1/public/performance?agency=lac-clair", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 200
    body = answer.json()
    assert body["licence"]["name"] == "CC-BY-4.0" and body["generated_at"]
    (standard,) = [s for s in body["standards"] if s["measure"] == "wait"]
    assert standard["service"]["name"] == "Permits"
    assert standard["description"] == "80% of visitors served within 15 minutes"
    periods = standard["periods"]
    two_ago = by_period(periods, code(2))
    assert (two_ago["volume"], two_ago["within"], two_ago["result_percent"]) == (7, 7, 100.0)
    assert two_ago["met"] is True and two_ago["suppressed"] is False
    three_ago = by_period(periods, code(3))
    assert three_ago["suppressed"] is True
    assert three_ago["volume"] is None and three_ago["within"] is None
    assert three_ago["result_percent"] is None and three_ago["met"] is None
    # By office: the south office's 2 visitors last month are hidden.
    waits = body["accuracy"]["predicted_waits"]
    south = next(row for row in waits if row["name"] == "South office")
    assert by_period(south["months"], code(1))["suppressed"] is True
    north = next(row for row in waits if row["name"] == "North office")
    last = by_period(north["months"], code(1))
    assert (last["volume"], last["within"]) == (6, 4) or last["suppressed"]
    # Requests decided by the announced due date, by office: the north office's 6.
    (decided,) = [s for s in body["standards"] if s["measure"] == "resolution"]
    assert by_period(decided["periods"], code(1))["volume"] == 6
    due = body["accuracy"]["due_dates"]
    assert [row["name"] for row in due] == ["North office", "All offices"]
    assert by_period(due[0]["months"], code(1))["within"] == 6


def test_no_hidden_count_can_be_recovered_by_subtracting_shown_ones(town, client):
    body = client.get("/api/v1/public/performance?agency=lac-clair").json()
    for standard in body["standards"]:
        quarters = [p for p in standard["periods"] if p["kind"] == "quarter"]
        months = [p for p in standard["periods"] if p["kind"] == "month"]
        for quarter in quarters:
            year, q = quarter["period"].split("-Q")
            inside = [
                m
                for m in months
                if m["period"].startswith(year) and (int(m["period"][5:]) - 1) // 3 + 1 == int(q)
            ]
            hidden = [m for m in inside if m["suppressed"]] + (
                [quarter] if quarter["suppressed"] else []
            )
            assert len(hidden) != 1, (quarter, inside)
    for table in body["accuracy"].values():
        offices, total = table[:-1], table[-1]
        for index, month in enumerate(total["months"]):
            cells = [row["months"][index] for row in offices] + [month]
            assert sum(1 for c in cells if c["suppressed"]) != 1
    # Last month the south office's 2 visitors are hidden: so is at least one more figure of
    # that month's predicted waits (the north office or the agency's total).
    cells = [by_period(row["months"], code(1)) for row in body["accuracy"]["predicted_waits"]]
    assert sum(1 for c in cells if c["suppressed"]) >= 2


def harvest(value, into):
    if isinstance(value, dict):
        for item in value.values():
            harvest(item, into)
    elif isinstance(value, list):
        for item in value:
            harvest(item, into)
    else:
        into.add(str(value))
    return into


def test_nothing_personal_is_published_anywhere(town, client):
    personal = town["personal"]
    secrets = set().union(*personal.values())
    values = harvest(client.get("/api/v1/public/performance?agency=lac-clair").json(), set())
    values |= harvest(client.get("/open-data/performance.json?agency=lac-clair").json(), set())
    text = client.get("/open-data/performance.csv?agency=lac-clair").content
    values |= {cell for row in csv.reader(io.StringIO(text.decode("utf-8-sig"))) for cell in row}
    page = client.get("/fr/transparency/?agency=lac-clair").content.decode()
    assert not values & secrets
    for secret in secrets:
        assert secret not in page
        assert not any(secret in value for value in values)
    assert "Gagnon" not in page and "Amélie" not in page


def test_the_open_data_files_validate_against_their_documented_schema(town, client):
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    document = client.get("/open-data/performance.json?agency=lac-clair").json()
    jsonschema.validate(document, schema)
    assert document["licence"]["name"] == "CC-BY-4.0"
    answer = client.get("/open-data/performance.csv?agency=lac-clair")
    assert answer["Content-Type"].startswith("text/csv")
    raw = answer.content
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [tuple(rows[0])] == [public.OPEN_DATA_COLUMNS]
    row_schema = {"$defs": schema["$defs"], **schema["$defs"]["row"]}
    for row in rows:
        jsonschema.validate(public.typed_csv_row(row), row_schema)
    assert len(rows) == len(document["rows"])
    suppressed = [r for r in rows if r["suppressed"] == "Y"]
    assert suppressed and all(r["total_volume"] == "" for r in suppressed)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ["Nos résultats", "des personnes servies en 15", "non publié", "cible atteinte"]),
        (
            "en",
            [
                "Our results",
                "80% of visitors served within 15 minutes",
                "not published",
                "target met",
            ],
        ),
    ],
)
def test_the_page_says_the_results_in_words_in_both_languages(town, client, language, words):
    answer = client.get(f"/{language}/transparency/?agency=lac-clair")
    assert answer.status_code == 200
    page = answer.content.decode()
    for word in words:
        assert word in page, word
    assert page.count("<svg") == 2 and "<title" in page and "<desc" in page  # one a standard
    assert "/open-data/performance.csv?agency=lac-clair" in page


def test_several_agencies_are_listed_and_the_api_asks_which(town, client):
    other = AgencyFactory(slug="autre", name_fr="Autre ville", name_en="Other town")
    StandardFactory(service=ServiceFactory(agency=other))
    page = client.get("/en/transparency/").content.decode()
    assert "?agency=lac-clair" in page and "?agency=autre" in page
    answer = client.get("/api/v1/public/performance")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "agency_required"
    assert client.get("/api/v1/public/performance?agency=nobody").status_code == 404


def test_public_reads_are_rate_limited(town, client, settings):
    settings.PUBLIC_READ_RATE = "2/3600"
    for _ in range(2):
        assert client.get("/api/v1/public/performance?agency=lac-clair").status_code == 200
    refused = client.get("/api/v1/public/performance?agency=lac-clair")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert client.get("/en/transparency/?agency=lac-clair").status_code == 429
    assert client.get("/open-data/performance.csv?agency=lac-clair").status_code == 429


def test_the_api_speaks_the_language_of_accept_language(town, client):
    french = client.get("/api/v1/public/performance?agency=lac-clair", HTTP_ACCEPT_LANGUAGE="fr")
    english = client.get("/api/v1/public/performance?agency=lac-clair", HTTP_ACCEPT_LANGUAGE="en")
    fr_names = {s["service"]["name"] for s in french.json()["standards"]}
    en_names = {s["service"]["name"] for s in english.json()["standards"]}
    assert fr_names == {"Permis", "Urbanisme"} and en_names == {"Permits", "Zoning"}
    assert french.json()["accuracy"]["due_dates"][-1]["name"] == "Tous les bureaux"
    # Counts are the same in both languages (one computation, two renderings).
    assert french.json()["standards"][0]["periods"] == english.json()["standards"][0]["periods"]
