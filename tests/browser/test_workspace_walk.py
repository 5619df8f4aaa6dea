"""The agents' workspace walked with the keyboard in Chromium (FR, EN): record a phone request,
find it in the list with the shortcuts, answer it with a template while the meter shows its
score, and leave an internal note — axe on every page on the way.

A server of its own: one office open around the clock, a service with a question, a team, the
shipped reply templates."""

import re

import pytest

from tests.browser.conftest import facts_from, migrated_env, serving
from tests.browser.test_accessibility import violations

PASSWORD = "workspace-2026"
SETUP = """
import json
from accueil.accounts.models import Role
from accueil.cases.models import CaseField, CaseSettings, Membership, RoutingRule, Team
from accueil.cases.replies import load_replies
from accueil.lib.businesstime import parse_weekly
from tests.factories import (AgencyFactory, OfficeFactory, ServiceFactory, StandardFactory,
                             UserFactory)
load_replies()
agency = AgencyFactory(name_fr="Ville de Lac-Clair", name_en="Town of Lac-Clair")
office = OfficeFactory(agency=agency, name_fr="Hôtel de ville", name_en="Town Hall")
office.set_weekly_hours(parse_weekly("mon-sun 00:00-24:00"))
service = ServiceFactory(agency=agency, offices=[office], slug="voirie", channels=["web", "phone"],
                         name_fr="Nids-de-poule", name_en="Potholes")
StandardFactory(service=service, measure="response", threshold=8, unit="business_hours")
StandardFactory(service=service, measure="resolution", threshold=10, unit="business_days")
CaseSettings.objects.create(service=service, office=office)
CaseField.objects.create(service=service, code="size", kind="choice", label_fr="Taille",
    label_en="Size", required=True, choices=[{{"value": "small", "fr": "Petit", "en": "Small"}},
    {{"value": "large", "fr": "Grand", "en": "Large"}}])
team = Team.objects.create(agency=agency, slug="voirie", name_fr="Voirie", name_en="Roads")
agent = UserFactory(username="ws-agent", agency=agency, role=Role.AGENT, offices=[office],
                    first_name="Ana", last_name="Roy")
agent.set_password({password!r}); agent.save()
Membership.objects.create(team=team, user=agent)
RoutingRule.objects.create(agency=agency, position=10, service=service, team=team)
print(json.dumps({{"office": str(office.id)}}))
"""
TEXT = {
    "fr": {
        "recorded": "est enregistrée",
        "use": "Utiliser ce modèle",
        "send": "Envoyer la réponse",
        "sent": "Votre réponse est envoyée",
        "score": "Facilité de lecture",
        "note": "Ajouter la note",
        "noted": "Votre note est ajoutée",
    },
    "en": {
        "recorded": "is recorded",
        "use": "Use this template",
        "send": "Send the reply",
        "sent": "Your reply is sent",
        "score": "Grade level",
        "note": "Add the note",
        "noted": "Your note is added",
    },
}


@pytest.fixture(scope="module")
def walk(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("workspace")
    env = migrated_env(data_dir)
    facts = facts_from(SETUP.format(password=PASSWORD), env)
    with serving(data_dir, env) as base:
        yield {"base": base, **facts}


def sign_in(page, base, language):
    page.goto(f"{base}/{language}/login/")
    page.fill("#id_username", "ws-agent")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(re.compile(r".*/staff/$"))


def focus_and_type(page, selector, text):
    page.focus(selector)
    page.keyboard.type(text)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_agent_records_finds_and_answers_a_request_by_keyboard(browser, walk, language):
    base, text = walk["base"], TEXT[language]
    context = browser.new_context(locale=f"{language}-CA")
    page = context.new_page()
    sign_in(page, base, language)

    # Record a phone call.
    page.goto(f"{base}/{language}/cases/new/?service=voirie")
    assert violations(page) == []
    description = f"Caller {language}: a deep pothole in front of 12 Main Street."
    focus_and_type(page, "#id_description", description)
    page.select_option("#id_answer_size", "large")
    focus_and_type(page, "#id_name", "Sam Lee")
    page.focus("main form.intake-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/{language}/cases/R-\d{{4}}-\w+/$"))
    assert text["recorded"] in page.locator(".messages").inner_text()
    reference = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert violations(page) == []

    # Find it in the list: "/" focuses the search, j selects the first row, o opens it.
    page.goto(f"{base}/{language}/cases/?view=open")
    assert violations(page) == []
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.type("pothole")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.locator("main h1").click()  # leave the field: shortcuts are off inside it
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.textContent") == reference
    page.keyboard.press("o")
    page.wait_for_url(f"{base}/{language}/cases/{reference}/")

    # Answer with a template; the meter scores the text as it is typed.
    page.select_option("#template-choice", index=1)
    page.get_by_role("button", name=text["use"]).click()
    # The template's text arrives in a swapped-in field; type once htmx has wired it up.
    page.wait_for_function(
        """() => {
            const body = document.querySelector('#id_reply-body');
            const wired = body && body['htmx-internal-data'];
            return body.value.length > 20 && wired && wired.initHash;
        }"""
    )
    page.locator("main h1").click()
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "id_reply-body"
    page.keyboard.press("End")
    page.keyboard.type(" Thank you.")
    page.locator("#meter-result").get_by_text(text["score"]).wait_for(timeout=10_000)
    assert violations(page) == []
    page.get_by_role("button", name=text["send"]).click()
    page.wait_for_url(re.compile(rf".*/{language}/cases/{reference}/(#timeline)?$"))
    assert text["sent"] in page.locator(".messages").inner_text()

    # An internal note, reached with "n".
    page.locator("main h1").click()
    page.keyboard.press("n")
    page.keyboard.type("Checked with public works.")
    page.get_by_role("button", name=text["note"]).click()
    page.wait_for_load_state()
    assert text["noted"] in page.locator(".messages").inner_text()
    assert "Checked with public works." in page.locator("#timeline").inner_text()
    assert violations(page) == []
    context.close()
