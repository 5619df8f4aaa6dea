"""The transparency page in Chromium, FR and EN, on a desktop and a phone: reached from the
footer with the keyboard, axe-clean, each chart named by its <title> and <desc> with its data
table beside it, and the open-data downloads reached by Tab.

A server of its own: one agency, visits served through the real actions over the last months
(one month with only 3 visitors, to be suppressed) and counted by the real rollup consumer.

Set ``ACCUEIL_SCREENSHOTS`` to a folder to keep a screenshot of each step; nothing is compared."""

import pytest

from tests.browser.conftest import facts_from, migrated_env, serving
from tests.browser.test_accessibility import violations
from tests.browser.test_queue_walk import tab_to
from tests.browser.test_request_walk import shot

SETUP = """
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo
from django.utils import timezone
from accueil.core.actors import Actor
from accueil.core.consumers import consumers, feed
from accueil.insights import rollups
from accueil.queues.actions import do_call_next, do_check_in, do_complete, do_open_desk
from tests.factories import (AgencyFactory, DeskFactory, OfficeFactory, ServiceFactory,
                             StandardFactory, UserFactory)
zone = ZoneInfo("America/Toronto")
def month_start(ago):
    today = timezone.localdate().replace(day=1)
    index = today.year * 12 + today.month - 1 - ago
    return date(index // 12, index % 12 + 1, 1)
agency = AgencyFactory(slug="lac-clair", name_fr="Ville de Lac-Clair", name_en="Town of Lac-Clair")
office = OfficeFactory(agency=agency, name_fr="Hôtel de ville", name_en="Town Hall")
service = ServiceFactory(agency=agency, offices=[office], name_fr="Permis de stationnement",
                         name_en="Parking permits")
StandardFactory(service=service, threshold=15, target_percent=80)
desk = DeskFactory(office=office, label="3")
desk.services.set([service])
agent = UserFactory(username="tp-agent", agency=agency, offices=[office])
actor = Actor.staff(agent)
do_open_desk(desk, agent, [service], actor=actor,
             now=datetime.combine(month_start(5), datetime.min.time(), tzinfo=zone))
plan = {5: [5] * 9, 4: [5] * 6 + [25] * 3, 3: [5, 5, 20], 2: [5] * 12, 1: [5] * 8 + [30] * 4}
for ago, waits in plan.items():
    for day, wait in enumerate(waits, start=2):
        at = datetime.combine(month_start(ago).replace(day=day), datetime.min.time(),
                              tzinfo=zone) + timedelta(hours=10)
        do_check_in(office, service, now=at, predictor=lambda v: 600)
        called = do_call_next(desk, actor=actor, now=at + timedelta(minutes=wait))
        do_complete(called, actor=actor, now=at + timedelta(minutes=wait + 3))
while feed(consumers.get(rollups.NAME)):
    pass
print(json.dumps({}))
"""
TEXT = {
    "fr": {
        "footer": "Nos résultats par rapport à nos normes de service",
        "standard": "Notre norme",
        "suppressed": "non publié",
        "met": "cible atteinte",
        "csv": "Chiffres en tableur (CSV)",
    },
    "en": {
        "footer": "Our results against our service standards",
        "standard": "Our standard",
        "suppressed": "not published",
        "met": "target met",
        "csv": "Figures as a spreadsheet (CSV)",
    },
}


@pytest.fixture(scope="module")
def transparency_server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("transparency")
    env = migrated_env(data_dir)
    facts_from(SETUP, env)
    with serving(data_dir, env) as base:
        yield base


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(("size", "viewport"), [("desktop", (1366, 900)), ("phone", (390, 844))])
def test_the_public_reads_the_results_charts_and_tables_and_reaches_the_downloads_by_keyboard(
    browser, transparency_server, language, size, viewport
):
    text = TEXT[language]
    width, height = viewport
    context = browser.new_context(locale="fr-CA", viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{transparency_server}/{language}/")
    link = page.get_by_role("link", name=text["footer"])
    link.evaluate("el => el.setAttribute('data-walk-target', '1')")
    tab_to(page, "[data-walk-target]", presses=200)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{language}/transparency/")
    assert page.locator("html").get_attribute("lang") == language
    assert violations(page) == []
    assert page.get_by_role("heading", name=text["standard"]).count() == 1
    body = page.locator("main").inner_text()
    assert text["suppressed"] in body and text["met"] in body
    # Each chart is an image named by its title and described by its desc, beside a table.
    charts = page.locator("svg[role=img]")
    assert charts.count() == 1
    chart = charts.first
    labelled = chart.get_attribute("aria-labelledby").split()
    assert chart.locator("title").count() == 1 and chart.locator("desc").count() == 1
    assert {
        chart.locator("title").get_attribute("id"),
        chart.locator("desc").get_attribute("id"),
    } <= set(labelled)
    assert chart.locator("desc").text_content().strip()
    table = page.locator(".chart-and-table table")
    assert table.count() == 1 and table.locator("caption").inner_text()
    shot(page, f"transparency-{language}-{size}")
    # The downloads, by keyboard.
    download = page.get_by_role("link", name=text["csv"])
    download.evaluate("el => el.setAttribute('data-walk-target', '2')")
    tab_to(page, "[data-walk-target='2']", presses=300)
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    assert info.value.suggested_filename.startswith("accueil-performance-lac-clair-")
    context.close()
