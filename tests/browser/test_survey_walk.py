"""A survey end to end, keyboard only, in French and in English, with axe on every page: the
agent completes a visit → the console shows the survey's QR code and short code → a citizen on
a phone-sized screen types the code and answers in two key presses → the thank-you page; the
counter tablet of that desk is back on its welcome screen."""

import re

import pytest

from tests.browser.test_accessibility import violations
from tests.browser.test_queue_walk import TEXT, sign_in_by_keyboard, tab_to

PHONE = {"width": 390, "height": 844}
THANKS = {"fr": "Merci de vos réponses", "en": "Thank you for your answers"}
WELCOME = {"fr": "Bienvenue", "en": "Welcome"}


def complete_a_visit(browser, server, language):
    """Open the desk, take a ticket at the kiosk, call and complete: returns the console."""
    text = TEXT[language]
    agent = browser.new_context(locale=f"{language}-CA").new_page()
    kiosk = browser.new_context(locale=f"{language}-CA").new_page()
    sign_in_by_keyboard(agent, server, language)
    agent.goto(f"{server}/{language}/console/")
    if agent.get_by_role("button", name=text["open"]).count():
        tab_to(agent, "button[type=submit]:not(.link-button)")
        agent.keyboard.press("Enter")
        agent.wait_for_selector("#call-next")
    office = re.search(
        r"/offices/([0-9a-f-]{36})/", agent.get_attribute(".console", "data-events")
    )[1]
    kiosk.goto(f"{server}/{language}/kiosk/{office}/")
    tab_to(kiosk, "input[name=service]")
    kiosk.keyboard.press("Space")
    tab_to(kiosk, "button.big-button")
    kiosk.keyboard.press("Enter")
    kiosk.wait_for_url(re.compile(r".*/kiosk/.*/tickets/.*"))
    kiosk.context.close()
    agent.reload()
    agent.locator("body").press("n")
    agent.wait_for_selector(".console-ticket")
    agent.locator("body").press("c")
    agent.get_by_text(text["nobody"]).wait_for()
    # The worker inside the server makes the invitation a moment later.
    for _ in range(40):
        if agent.locator(".survey-desk .qr").count():
            break
        agent.wait_for_timeout(500)
        agent.reload()
    assert agent.locator(".survey-desk .qr").count() == 1
    return agent


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_citizen_answers_the_survey_on_a_phone_in_two_key_presses(browser, server, language):
    agent = complete_a_visit(browser, server, language)
    assert violations(agent) == []
    code = agent.inner_text(".survey-code").strip()
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", code)
    tablet = agent.get_attribute(".survey-desk details a", "href")

    phone = browser.new_context(
        locale=f"{language}-CA", viewport=PHONE, is_mobile=True, has_touch=True
    ).new_page()
    phone.goto(f"{server}/{language}/s/")
    assert violations(phone) == []
    tab_to(phone, "#code")
    phone.keyboard.type(code.lower())
    phone.keyboard.press("Enter")
    phone.wait_for_url(re.compile(rf".*/{language}/survey/[0-9a-f-]{{36}}/[A-Za-z0-9_-]{{22}}/$"))
    assert violations(phone) == []
    survey_url = phone.url

    # Press 1: the first question's answer is a button (thumbs, or a point of the scale).
    tab_to(phone, "fieldset.question button[type=submit]")
    phone.keyboard.press("Enter")
    phone.wait_for_selector(".notice.recorded")
    assert violations(phone) == []
    # The rest is optional: tick one box, then press 2 on "Send".
    if phone.locator("input[type=checkbox]").count():
        tab_to(phone, "input[type=checkbox]")
        phone.keyboard.press("Space")
    tab_to(phone, ".survey-actions button:not([name=skip])")
    phone.keyboard.press("Enter")
    phone.wait_for_url(re.compile(r".*/thanks/$"))
    assert THANKS[language] in phone.inner_text("h1")
    assert violations(phone) == []

    # The same link again: already answered, said calmly.
    phone.goto(survey_url)
    assert phone.locator("form.survey-form").count() == 0
    assert violations(phone) == []

    # The desk's counter tablet is back on its welcome screen.
    screen = browser.new_context(
        locale=f"{language}-CA", viewport={"width": 1024, "height": 768}, has_touch=True
    ).new_page()
    screen.goto(server + tablet)
    assert WELCOME[language] in screen.inner_text("h1")
    assert violations(screen) == []

    agent.get_by_role("button", name=TEXT[language]["close"]).focus()
    agent.keyboard.press("Enter")
    agent.get_by_role("button", name=TEXT[language]["open"]).wait_for()
    for page in (agent, phone, screen):
        page.context.close()
