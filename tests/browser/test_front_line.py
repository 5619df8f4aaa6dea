"""The front line walked as a city hall runs it, with real clicks and keys in Chromium (FR, EN):
a kiosk ticket with a priority need reaches the board and the console, where N is refused
while the visitor is still called; a notice shows on the board, the kiosk, the office page and
the status page; a closed office refuses a ticket and says when it opens again.

A server of its own: one office open around the clock, one closed until tomorrow 8:30."""

import re
from datetime import datetime

import pytest

from accueil.lib import dates
from tests.browser.conftest import facts_from, migrated_env, serving
from tests.browser.test_accessibility import violations

PASSWORD = "front-line-2026"
SETUP = """
import json
from datetime import datetime, time, timedelta
from django.utils import timezone
from accueil.accounts.models import Role
from accueil.catalog.models import Closure
from tests.factories import AgencyFactory, DeskFactory, OfficeFactory, ServiceFactory, UserFactory
agency = AgencyFactory(name_fr="Ville de Lac-Clair", name_en="Town of Lac-Clair")
office = OfficeFactory(agency=agency, name_fr="Hôtel de ville", name_en="Town Hall")
closed = OfficeFactory(agency=agency, name_fr="Bureau du port", name_en="Harbour Office")
service = ServiceFactory(agency=agency, ticket_prefix="P", offices=[office, closed],
                         name_fr="Permis et licences", name_en="Permits and licences")
DeskFactory(office=office, label="3").services.set([service])
for name, role in (("walk-agent", Role.AGENT), ("walk-boss", Role.SUPERVISOR)):
    user = UserFactory(username=name, agency=agency, role=role, offices=[office, closed])
    user.set_password({password!r}); user.save()
now = timezone.now().astimezone(closed.zone)
reopens = datetime.combine(now.date() + timedelta(days=1), time(8, 30), tzinfo=closed.zone)
Closure.objects.create(office=closed, starts_at=now - timedelta(hours=1), ends_at=reopens,
                       reason_fr="Inventaire", reason_en="Stocktaking")
print(json.dumps({{"office": str(office.id), "closed": str(closed.id),
                  "reopens": reopens.isoformat()}}))
"""
TEXT = {
    "fr": {
        "open": "Ouvrir mon guichet",
        "pending": "est encore à ce guichet",
        "need": "Grossesse",
        "nobody": "Personne n’est à votre guichet.",
        "closed": "ne remet plus de billets",
    },
    "en": {
        "open": "Open my desk",
        "pending": "is still at this desk",
        "need": "Pregnancy",
        "nobody": "Nobody is at your desk.",
        "closed": "not taking tickets",
    },
}


@pytest.fixture(scope="module")
def walk(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("front-line")
    env = migrated_env(data_dir)
    facts = facts_from(SETUP.format(password=PASSWORD), env)
    with serving(data_dir, env) as base:
        yield {"base": base, **facts}


def sign_in(page, base, username, language):
    page.goto(f"{base}/{language}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(re.compile(r".*/staff/$"))


def take_a_ticket(kiosk, walk, language, office, need=None):
    kiosk.goto(f"{walk['base']}/{language}/kiosk/{office}/")
    kiosk.locator("label.choice").first.click()
    if need:
        kiosk.locator("details.more summary").click()
        kiosk.get_by_label(need).check()
    kiosk.locator("form button.big-button").first.click()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_kiosk_priority_to_board_to_console_refusing_a_second_call(browser, walk, language):
    text = TEXT[language]
    agent, kiosk, board = (
        browser.new_context(locale=f"{language}-CA").new_page() for _ in range(3)
    )
    board.goto(f"{walk['base']}/{language}/display/{walk['office']}/")

    take_a_ticket(kiosk, walk, language, walk["office"], need=text["need"])
    kiosk.wait_for_url(re.compile(r".*/kiosk/.*/tickets/.*"))
    ticket = kiosk.inner_text(".ticket-number").strip()
    assert text["need"] in kiosk.content()  # the choice shown back on the ticket
    take_a_ticket(kiosk, walk, language, walk["office"])  # someone else waits behind
    kiosk.wait_for_url(re.compile(r".*/kiosk/.*/tickets/.*"))

    sign_in(agent, walk["base"], "walk-agent", language)
    agent.goto(f"{walk['base']}/{language}/console/")
    agent.get_by_role("button", name=text["open"]).click()
    agent.wait_for_selector("#call-next")
    agent.locator("body").press("n")
    agent.wait_for_selector(".console-ticket")
    assert ticket in agent.inner_text(".console-ticket")  # priority first
    assert text["need"] in agent.inner_text(".console-facts")
    board.wait_for_function(
        "t => document.getElementById('current-call').textContent.includes(t)", arg=ticket
    )

    # N again while the visitor is still called: refused, said, and the desk keeps its visitor.
    agent.locator("body").press("n")
    agent.wait_for_load_state()
    agent.get_by_text(text["pending"]).wait_for()
    assert ticket in agent.inner_text(".console-ticket")
    assert violations(agent) == []

    agent.locator("body").press("s")
    agent.wait_for_selector("button[data-shortcut=c]")
    agent.locator("body").press("c")
    agent.wait_for_load_state()
    agent.locator("body").press("n")  # the one waiting behind is called now
    agent.wait_for_load_state()
    assert ticket not in agent.inner_text(".console-ticket")
    for step in ("s", "c"):
        agent.locator("body").press(step)
        agent.wait_for_load_state()
    agent.get_by_text(text["nobody"]).wait_for()
    agent.get_by_role("button", name=re.compile("Fermer mon guichet|Close my desk")).click()
    for page in (agent, kiosk, board):
        page.context.close()


def test_a_notice_shows_on_board_kiosk_office_and_status_pages(browser, walk):
    boss = browser.new_context(locale="fr-CA").new_page()
    sign_in(boss, walk["base"], "walk-boss", "fr")
    boss.goto(f"{walk['base']}/fr/console/notices/")
    boss.select_option("#id_office", walk["office"])
    boss.fill("#id_notice_fr", "Le comptoir ferme à 15 h aujourd’hui.")
    boss.fill("#id_notice_en", "The counter closes at 3 p.m. today.")
    boss.locator("main form button[type=submit]").first.click()
    boss.wait_for_load_state()

    citizen = browser.new_context(locale="en-CA").new_page()
    citizen.goto(f"{walk['base']}/en/check-in/{walk['office']}/")  # web check-in, by phone
    citizen.locator("label.choice").first.click()
    citizen.locator("form button[type=submit]").first.click()
    citizen.wait_for_url(re.compile(r".*/en/visits/.*"))
    status = citizen.url
    for language, words in (
        ("fr", "Le comptoir ferme à 15 h"),
        ("en", "The counter closes at 3 p.m."),
    ):
        pages = [
            f"/{language}/display/{walk['office']}/",
            f"/{language}/kiosk/{walk['office']}/",
            f"/{language}/offices/{walk['office']}/",
        ]
        if language == "en":
            pages.append(status)
        for path in pages:
            citizen.goto(walk["base"] + path if path.startswith("/") else path)
            citizen.get_by_text(words).first.wait_for()
            assert violations(citizen) == [], path
    # Withdrawn: gone from the board.
    boss.goto(f"{walk['base']}/fr/console/notices/")
    boss.locator("main form[action*='withdraw'] button").first.click()
    boss.wait_for_load_state()
    citizen.goto(f"{walk['base']}/en/display/{walk['office']}/")
    assert "The counter closes at 3 p.m." not in citizen.content()
    boss.context.close()
    citizen.context.close()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_closed_office_refuses_a_ticket_and_says_when_it_opens(browser, walk, language):
    text = TEXT[language]
    kiosk = browser.new_context(locale=f"{language}-CA").new_page()
    kiosk.goto(f"{walk['base']}/{language}/kiosk/{walk['closed']}/")
    assert text["closed"] in kiosk.content()
    if kiosk.locator("label.choice").count():
        take_a_ticket(kiosk, walk, language, walk["closed"])
        kiosk.wait_for_load_state()
        assert "/tickets/" not in kiosk.url
    body = kiosk.inner_text("body")
    reopens = dates.day_and_time(datetime.fromisoformat(walk["reopens"]), language, year=False)
    assert text["closed"] in body and reopens in body, body
    assert violations(kiosk) == []
    kiosk.context.close()
