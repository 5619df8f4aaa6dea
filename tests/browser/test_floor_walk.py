"""The supervisor's live floor in Chromium, FR and EN, keyboard only, axe on every step: the
supervisor watches the floor, an agent presses "Call next" at their console, the floor shows
the call without a reload; then the supervisor closes that agent's desk with the keyboard.

A server of its own: one office open around the clock, a service with a 15-minute wait
standard, two agents each at a desk (one per language walked), people waiting.

Set ``ACCUEIL_SCREENSHOTS`` to a folder to keep a screenshot of each step; nothing is compared."""

import re

import pytest

from tests.browser.conftest import facts_from, migrated_env, serving
from tests.browser.test_accessibility import violations
from tests.browser.test_queue_walk import tab_to
from tests.browser.test_request_walk import shot

PASSWORD = "floor-walk-2026"
SETUP = """
import json
from accueil.accounts.models import Role
from accueil.core.actors import Actor
from accueil.queues.actions import do_check_in, do_open_desk
from accueil.lib.businesstime import parse_weekly
from tests.factories import (AgencyFactory, DeskFactory, OfficeFactory, ServiceFactory,
                             StandardFactory, UserFactory)
agency = AgencyFactory(name_fr="Ville de Lac-Clair", name_en="Town of Lac-Clair")
office = OfficeFactory(agency=agency, name_fr="Hôtel de ville", name_en="Town Hall")
office.set_weekly_hours(parse_weekly("mon-sun 00:00-24:00"))
service = ServiceFactory(agency=agency, offices=[office], ticket_prefix="A",
                         name_fr="Permis de stationnement", name_en="Parking permits")
StandardFactory(service=service, measure="wait", threshold=15, unit="minutes")
supervisor = UserFactory(username="fl-supervisor", agency=agency, role=Role.SUPERVISOR,
                         first_name="Samir", last_name="Haddad")
supervisor.set_password({password!r}); supervisor.save()
desks = {{}}
for label, language, first in (("1", "fr", "Amélie"), ("2", "en", "Brian")):
    desk = DeskFactory(office=office, label=label)
    desk.services.set([service])
    agent = UserFactory(username=f"fl-agent-{{language}}", agency=agency, role=Role.AGENT,
                        offices=[office], first_name=first, last_name="Gagnon")
    agent.set_password({password!r}); agent.save()
    do_open_desk(desk, agent, [service], actor=Actor.staff(agent))
    desks[language] = str(desk.id)
for _ in range(4):
    do_check_in(office, service)
print(json.dumps({{"office": str(office.id), "desks": desks}}))
"""
TEXT = {
    "fr": {
        "link": "Suivi en direct : files, guichets et demandes à échéance proche",
        "free": "Libre depuis",
        "called": "A appelé A-00",
        "waiting": "personnes attendent",
        "closed": "Le guichet 1 est fermé.",
        "closed_state": "Fermé",
    },
    "en": {
        "link": "Live floor: lines, desks and requests due soon",
        "free": "Free since",
        "called": "Called A-00",
        "waiting": "people waiting",
        "closed": "Desk 2 is closed.",
        "closed_state": "Closed",
    },
}


@pytest.fixture(scope="module")
def floor_server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("floor-walk")
    env = migrated_env(data_dir)
    facts = facts_from(SETUP.format(password=PASSWORD), env)
    with serving(data_dir, env) as base:
        yield base, facts


def sign_in(page, base, username, language):
    page.goto(f"{base}/{language}/login/")
    tab_to(page, "#id_username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/{language}/staff/$"))


def focus_and_press(page, locator, presses=200):
    locator.first.evaluate("el => el.setAttribute('data-walk-target', '1')")
    tab_to(page, "[data-walk-target]", presses=presses)
    page.keyboard.press("Enter")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_floor_follows_a_call_and_a_supervisor_closes_the_desk_by_keyboard(
    browser, floor_server, language
):
    base, facts = floor_server
    text = TEXT[language]
    desk_id = facts["desks"][language]
    context = browser.new_context(locale="fr-CA", viewport={"width": 1366, "height": 900})
    # No polling on this page: the call can reach the floor only through the event stream.
    context.add_init_script("window.setInterval = function () { return 0; };")
    floor = context.new_page()
    sign_in(floor, base, "fl-supervisor", language)
    focus_and_press(floor, floor.get_by_role("link", name=text["link"]))
    floor.wait_for_url(re.compile(rf".*/{language}/staff/floor/{facts['office']}/$"))
    assert violations(floor) == []
    row = floor.locator(f"tr:has(#close-desk-{desk_id})")
    assert text["free"] in row.inner_text()
    summary_before = floor.inner_text("#floor-summary")
    assert text["waiting"] in summary_before
    floor.evaluate("window.stillThisPage = true")  # gone if the page reloads
    shot(floor, f"floor-{language}-desktop")

    # The agent presses "Call next" at their console, in another browser.
    agent_context = browser.new_context(locale=f"{language}-CA")
    agent = agent_context.new_page()
    sign_in(agent, base, f"fl-agent-{language}", language)
    agent.goto(f"{base}/{language}/console/")
    tab_to(agent, "#call-next")
    agent.keyboard.press("Enter")
    agent.wait_for_selector(".console-ticket")
    ticket = agent.inner_text(".console-ticket").split()[0]
    agent_context.close()

    # The floor shows the call by itself: no reload, the summary read out changes.
    row.get_by_text(ticket).wait_for(timeout=15_000)
    assert text["called"] in row.inner_text()
    assert floor.evaluate("window.stillThisPage === true")
    floor.wait_for_function(
        "before => document.getElementById('floor-summary').innerText !== before",
        arg=summary_before,
        timeout=15_000,
    )
    assert floor.get_attribute("#floor-summary", "aria-live") == "polite"
    assert violations(floor) == []

    # The supervisor closes that desk with the keyboard; a live refresh meanwhile keeps the
    # focus where it was.
    tab_to(floor, f"#close-desk-{desk_id}", presses=200)
    floor.evaluate(
        """() => new Promise(done => {
            document.body.addEventListener("htmx:afterSettle", () => done(), {once: true});
            htmx.trigger("#floor-live", "refresh");
        })"""
    )
    assert floor.evaluate("document.activeElement.id") == f"close-desk-{desk_id}"
    floor.keyboard.press("Enter")
    floor.get_by_text(text["closed"]).wait_for()
    assert text["closed_state"] in floor.locator(f"tr:has(#manage-desk-{desk_id})").inner_text()
    assert violations(floor) == []
    shot(floor, f"floor-{language}-after-close")

    floor.set_viewport_size({"width": 390, "height": 844})
    floor.reload()
    assert violations(floor) == []
    shot(floor, f"floor-{language}-phone")
    context.close()
