"""The supervisor's feedback page walked with the keyboard in Chromium, FR and EN, axe on every
step: from the staff home to the figures, a filter (GET form), a comment flagged and a phone
number removed from another (POST forms), on a desktop and on a phone-sized screen.

A server of its own: one office, one service, visits served and answered through the real
actions (queue, invitation, survey), and the comments' themes read by the real consumer.

Set ``ACCUEIL_SCREENSHOTS`` to a folder to keep a screenshot of each step; nothing is compared."""

import re

import pytest

from tests.browser.conftest import facts_from, migrated_env, serving
from tests.browser.test_accessibility import violations
from tests.browser.test_queue_walk import tab_to
from tests.browser.test_request_walk import shot

PASSWORD = "reporting-2026"
SETUP = """
import json
from django.utils import translation
from accueil.accounts.models import Role
from accueil.core.actors import Actor
from accueil.core.consumers import consumers, feed
from accueil.feedback.actions import do_answer, do_invite
from accueil.feedback.reporting_actions import do_install_default_themes
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
do_install_default_themes(agency)
supervisor = UserFactory(username="rp-supervisor", agency=agency, role=Role.SUPERVISOR,
                         first_name="Samir", last_name="Haddad")
supervisor.set_password({password!r}); supervisor.save()
agent = UserFactory(username="rp-agent", agency=agency, role=Role.AGENT, offices=[office],
                    first_name="Amélie", last_name="Gagnon")
staff = Actor.staff(agent)
do_open_desk(desk, agent, [service], actor=staff)
ANSWERS = [
    ("fr", {{"trust": "1", "went_well": ["ease", "helpfulness"],
             "comment": "Accueil chaleureux, merci ! Rappelez-moi au 418 555 0199."}}),
    ("fr", {{"trust": "0", "went_badly": ["efficiency"],
             "comment": "Une heure d'attente, c'est de la merde."}}),
    ("en", {{"trust": "1", "went_well": ["effectiveness"], "comment": "Quick and friendly."}}),
    ("fr", {{"trust": "1"}}),
]
for language, values in ANSWERS:
    do_check_in(office, service, language=language)
    visit = do_complete(do_call_next(desk, actor=staff), actor=staff)
    invitation = do_invite("visit", visit, agent_id=visit.agent_id)
    with translation.override(language):
        do_answer(invitation, values, final=True)
do_check_in(office, service)
do_complete(do_call_next(desk, actor=staff), actor=staff)  # served; invited, never answers
for name in ("feedback.invitations", "feedback.themes"):
    while feed(consumers.get(name)):
        pass
print(json.dumps({{}}))
"""
TEXT = {
    "fr": {
        "link": "Résultats des sondages et commentaires",
        "rate": "80\u00a0%",
        "trust": "75\u00a0%",
        "channel": "En personne",
        "show": "Afficher",
        # The French walk flags the English comment and removes the phone number; the English
        # walk, on the same server, clears that flag and removes another word.
        "flag": "Signaler comme abusif",
        "flagged": "Le commentaire est signalé.",
        "passage": "418 555 0199",
        "after": "Rappelez-moi au […]",
        "by_words": "Signalé par la liste de mots",
        "remove": "Retirer des renseignements personnels",
        "removed": "Les mots ont été retirés du commentaire.",
    },
    "en": {
        "link": "Survey results and comments",
        "rate": "80%",
        "trust": "75%",
        "channel": "In person",
        "show": "Show",
        "flag": "Clear the flag",
        "flagged": "The flag was cleared.",
        "passage": "merci",
        "after": "Accueil chaleureux, […] !",
        "by_words": "Flagged by the word list",
        "remove": "Remove personal information",
        "removed": "The words were removed from the comment.",
    },
}


@pytest.fixture(scope="module")
def reporting_server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("reporting")
    env = migrated_env(data_dir)
    facts_from(SETUP.format(password=PASSWORD), env)
    with serving(data_dir, env) as base:
        yield base


def sign_in(page, base, language):
    page.goto(f"{base}/{language}/login/")
    tab_to(page, "#id_username")
    page.keyboard.type("rp-supervisor")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/{language}/staff/$"))


def focus_and_press(page, locator, presses=200):
    locator.first.evaluate("el => el.setAttribute('data-walk-target', '1')")
    tab_to(page, "[data-walk-target]", presses=presses)
    page.keyboard.press("Enter")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_supervisor_reads_filters_flags_and_redacts_by_keyboard(
    browser, reporting_server, language
):
    text = TEXT[language]
    context = browser.new_context(locale="fr-CA", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sign_in(page, reporting_server, language)
    focus_and_press(page, page.get_by_role("link", name=text["link"]))
    page.wait_for_url(re.compile(rf".*/{language}/staff/feedback/$"))
    assert violations(page) == []
    table = page.get_by_role("table").first
    assert text["rate"] in table.inner_text() and text["trust"] in table.inner_text()
    assert page.get_by_text(text["by_words"]).is_visible()  # the word list read "merde"
    shot(page, f"reporting-{language}-desktop")

    # The channel filter, by keyboard: a GET form.
    tab_to(page, "#id_channel")
    page.keyboard.type(text["channel"][:4])
    focus_and_press(page, page.get_by_role("button", name=text["show"]))
    page.wait_for_url(re.compile(r".*channel=in_person.*"))
    assert violations(page) == []

    # Flag the English comment (FR), clear the flag (EN).
    item = page.locator("li.verbatim", has_text="Quick and friendly")
    focus_and_press(page, item.get_by_role("button", name=text["flag"]))
    page.get_by_text(text["flagged"]).wait_for()
    classes = page.locator("li.verbatim", has_text="Quick and friendly").get_attribute("class")
    assert ("flagged" in classes) == (language == "fr")

    # Remove the phone number: open the details, type the words, send.
    item = page.locator("li.verbatim", has_text="Accueil chaleureux")
    focus_and_press(page, item.locator("summary"))
    page.keyboard.press("Tab")
    page.keyboard.type(text["passage"])
    page.keyboard.press("Enter")
    page.get_by_text(text["removed"]).wait_for()
    assert "0199" not in page.content()
    assert page.get_by_text(text["after"]).is_visible()
    assert violations(page) == []
    shot(page, f"reporting-{language}-after-actions")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert violations(page) == []
    shot(page, f"reporting-{language}-phone")
    context.close()
