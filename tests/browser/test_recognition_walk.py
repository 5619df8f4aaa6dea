"""Recognition walked with the keyboard in Chromium, FR and EN, axe on every page: a citizen
answers the survey after a visit on a phone-sized screen and thanks the agent who served them
(no name typed); the agent reads it on their own page, answers the weekly check-in and asks for
the compliment on the team's wall; a supervisor approves it; the wall shows it (and on a TV).

A server of its own: one office, one service, an agent who served one visitor per language
(through the real queue actions) and the survey invitation the consumer would have made.

Set ``ACCUEIL_SCREENSHOTS`` to a folder to keep a screenshot of each step (phone for the
citizen, desktop for staff, 1920×1080 for the wall on a TV); nothing is compared."""

import re

import pytest

from tests.browser.conftest import facts_from, migrated_env, serving
from tests.browser.test_accessibility import violations
from tests.browser.test_queue_walk import tab_to
from tests.browser.test_request_walk import shot

PASSWORD = "recognition-2026"
SETUP = """
import json
from accueil.accounts.models import Role
from accueil.core.actors import Actor
from accueil.feedback.actions import do_invite
from accueil.queues.actions import do_call_next, do_check_in, do_complete, do_open_desk
from accueil.lib.businesstime import parse_weekly
from tests.factories import AgencyFactory, DeskFactory, OfficeFactory, ServiceFactory, UserFactory
agency = AgencyFactory(name_fr="Ville de Lac-Clair", name_en="Town of Lac-Clair")
office = OfficeFactory(agency=agency, name_fr="Hôtel de ville", name_en="Town Hall")
office.set_weekly_hours(parse_weekly("mon-sun 00:00-24:00"))
service = ServiceFactory(agency=agency, offices=[office], name_fr="Permis de stationnement",
                         name_en="Parking permits")
desk = DeskFactory(office=office, label="3")
desk.services.set([service])
supervisor = UserFactory(username="rc-supervisor", agency=agency, role=Role.SUPERVISOR,
                         first_name="Samir", last_name="Haddad")
supervisor.set_password({password!r}); supervisor.save()
links = {{}}
for language in ("fr", "en"):
    # One agent per language: each answers this week's check-in once.
    agent = UserFactory(username=f"rc-agent-{{language}}", agency=agency, role=Role.AGENT,
                        offices=[office], first_name="Amélie", last_name="Gagnon",
                        email=f"amelie-{{language}}@example.ca")
    agent.set_password({password!r}); agent.save()
    do_check_in(office, service, language=language)
    staff = Actor.staff(agent)
    do_open_desk(desk, agent, [service], actor=staff)
    visit = do_complete(do_call_next(desk, actor=staff), actor=staff)
    invitation = do_invite("visit", visit, agent_id=visit.agent_id)
    links[language] = f"/{{language}}/survey/{{invitation.id}}/{{invitation.secret}}/"
print(json.dumps(links))
"""
TEXT = {
    "fr": {
        "yes": "Oui, je suis d’accord",
        "skip": "Terminer sans rien ajouter",
        "thanks_title": "Remerciez la personne qui vous a servi",
        "send_thanks": "Envoyer mes remerciements",
        "passed_on": "Nous avons transmis votre message",
        "mine": "Mes retours : compliments et résultats",
        "share": "Le montrer sur le mur de l’équipe",
        "shared": "Un superviseur le vérifiera",
        "pulse": "Sondage de la semaine",
        "mood": "4 – Bien",
        "workload": "3 – Raisonnable",
        "saved": "Votre réponse est enregistrée sans votre nom",
        "review": "Compliments à vérifier pour le mur",
        "approve": "Le mettre sur le mur (à Amélie)",
        "approved": "est sur le mur",
        "wall": "Mur de reconnaissance",
        "new": "1 nouveau compliment",
        "colleague": "Remercier un collègue",
        "results": "Résultats des sondages",
        "too_few": "Moins de 5 personnes ont répondu",
    },
    "en": {
        "yes": "Yes, I agree",
        "skip": "Finish without adding anything",
        "thanks_title": "Thank the person who served you",
        "send_thanks": "Send my thanks",
        "passed_on": "We passed on your message",
        "mine": "My feedback: compliments and results",
        "share": "Share it on the team’s wall",
        "shared": "A supervisor will check it",
        "pulse": "Weekly check-in",
        "mood": "4 – Good",
        "workload": "3 – About right",
        "saved": "Your answer was saved without your name",
        "review": "Compliments to check for the wall",
        "approve": "Put it on the wall (to Amélie)",
        "approved": "is on the wall",
        "wall": "Recognition wall",
        "new": "1 new compliment",
        "colleague": "Thank a colleague",
        "results": "Check-in results",
        "too_few": "Fewer than 5 people answered",
    },
}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
TV = {"width": 1920, "height": 1080}


@pytest.fixture(scope="module")
def walk(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("recognition")
    env = migrated_env(data_dir)
    links = facts_from(SETUP.format(password=PASSWORD), env)
    with serving(data_dir, env) as base:
        yield {"base": base, "links": links}


def press(page, role, name, presses=120):
    """Tab to the link or button with this accessible name, press Enter, wait for the page."""
    target = page.get_by_role(role, name=name, exact=True).first
    target.evaluate("el => el.setAttribute('data-walk-target', '1')")
    tab_to(page, "[data-walk-target]", presses=presses)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def sign_in_by_keyboard(page, base, username, language):
    page.goto(f"{base}/{language}/login/")
    tab_to(page, "#id_username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/{language}/staff/$"))


def staff_page(browser, base, username, language, viewport=DESKTOP):
    page = browser.new_context(locale=f"{language}-CA", viewport=viewport).new_page()
    sign_in_by_keyboard(page, base, username, language)
    return page


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_compliment_goes_from_the_citizens_phone_to_the_agent_and_onto_the_wall(
    browser, walk, language
):
    base, text = walk["base"], TEXT[language]
    message = f"Merci Amélie ({language}) : patiente et très claire !"

    # The citizen, on a phone, from the link in their text message.
    citizen = browser.new_context(locale=f"{language}-CA", viewport=PHONE).new_page()
    citizen.goto(base + walk["links"][language])
    assert violations(citizen) == []
    shot(citizen, f"{language}-phone-1-survey")
    press(citizen, "button", text["yes"])  # one tap: the required trust question
    assert violations(citizen) == []
    press(citizen, "button", text["skip"])
    assert "/thanks/" in citizen.url
    assert citizen.get_by_role("heading", name=text["thanks_title"]).is_visible()
    assert violations(citizen) == []
    shot(citizen, f"{language}-phone-2-thanks")
    tab_to(citizen, "#id_thanks_message")
    citizen.keyboard.type(message)
    press(citizen, "button", text["send_thanks"])
    assert "/thanks-agent/" in citizen.url
    assert text["passed_on"] in citizen.locator("main").inner_text()
    assert "Gagnon" not in citizen.content() and "Amélie" not in citizen.content()
    assert violations(citizen) == []
    shot(citizen, f"{language}-phone-3-passed-on")

    # The agent reads it on their own page, answers the check-in, and offers it to the wall.
    agent = staff_page(browser, base, f"rc-agent-{language}", language)
    press(agent, "link", text["mine"])
    body = agent.locator("main").inner_text()
    assert message in body and text["new"] in body
    assert violations(agent) == []
    shot(agent, f"{language}-desktop-4-my-feedback")
    press(agent, "link", text["pulse"])
    assert violations(agent) == []
    press(agent, "button", text["mood"])
    assert violations(agent) == []
    shot(agent, f"{language}-desktop-5-pulse-step-2")
    press(agent, "button", text["workload"])
    assert text["saved"] in agent.locator(".messages").inner_text()
    agent.goto(f"{base}/{language}/staff/me/feedback/")
    press(agent, "button", text["share"])
    assert text["shared"] in agent.locator(".messages").inner_text()
    assert violations(agent) == []

    # The supervisor checks it and puts it on the wall.
    supervisor = staff_page(browser, base, "rc-supervisor", language)
    press(supervisor, "link", text["review"])
    assert message in supervisor.locator("main").inner_text()
    assert violations(supervisor) == []
    shot(supervisor, f"{language}-desktop-6-review")
    supervisor.get_by_text(message).wait_for()
    press(supervisor, "button", text["approve"])
    assert text["approved"] in supervisor.locator(".messages").inner_text()
    assert violations(supervisor) == []

    # The team sees it, with the agent's first name only, and the month's wow.
    press(supervisor, "link", text["wall"])
    wall = supervisor.locator("#wall").inner_text()
    assert message in wall and "Amélie" in wall and "Gagnon" not in wall
    assert violations(supervisor) == []
    shot(supervisor, f"{language}-desktop-7-wall")
    tv = browser.new_context(locale=f"{language}-CA", viewport=TV).new_page()
    sign_in_by_keyboard(tv, base, f"rc-agent-{language}", language)
    tv.goto(f"{base}/{language}/staff/wall/?layout=tv")
    assert message in tv.locator("#wall").inner_text()
    assert violations(tv) == []
    shot(tv, f"{language}-tv-8-wall")

    # The check-in's results (too few people in this small office: nothing is shown), and the
    # form to thank a colleague, on a phone.
    press(supervisor, "link", text["results"])
    assert text["too_few"] in supervisor.locator("main").inner_text()
    assert violations(supervisor) == []
    shot(supervisor, f"{language}-desktop-9-pulse-results")
    phone = staff_page(browser, base, f"rc-agent-{language}", language, viewport=PHONE)
    phone.goto(f"{base}/{language}/staff/wall/")
    press(phone, "link", text["colleague"])
    assert violations(phone) == []
    shot(phone, f"{language}-phone-10-thank-a-colleague")
