"""A visit end to end, keyboard only, in French and in English, with axe on every page:
kiosk check-in → the agent presses N → the display shows the call → the agent completes."""

import re

import pytest

from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.test_accessibility import violations

BOARD = re.compile(r"/api/v1/offices/[0-9a-f-]{36}/board")
TEXT = {
    "fr": {
        "open": "Ouvrir mon guichet",
        "nobody": "Personne n’est à votre guichet",
        "close": "Fermer mon guichet",
    },
    "en": {"open": "Open my desk", "nobody": "Nobody is at your desk", "close": "Close my desk"},
}


def tab_to(page, selector, presses=80):
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def sign_in_by_keyboard(page, server, language):
    page.goto(f"{server}/{language}/login/")
    tab_to(page, "#id_username")
    page.keyboard.type("agent")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/{language}/staff/.*"))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_visit_from_kiosk_to_display_to_done(browser, server, language):
    text = TEXT[language]
    agent = browser.new_context(locale=f"{language}-CA").new_page()
    kiosk = browser.new_context(locale=f"{language}-CA").new_page()
    display = browser.new_context(locale=f"{language}-CA").new_page()

    # The agent opens a desk at their office.
    sign_in_by_keyboard(agent, server, language)
    agent.goto(f"{server}/{language}/console/")
    if agent.get_by_role("button", name=text["open"]).count():
        assert violations(agent) == []
        tab_to(agent, "button[type=submit]:not(.link-button)")
        agent.keyboard.press("Enter")
        agent.wait_for_selector("#call-next")
    office = re.search(
        r"/offices/([0-9a-f-]{36})/", agent.get_attribute(".console", "data-events")
    )[1]

    # The display board of that office, connected. Any poll of its board is noted: the call
    # must reach it through the stream.
    polls = []
    display.on(
        "request", lambda request: polls.append(request.url) if BOARD.search(request.url) else None
    )
    display.goto(f"{server}/{language}/display/{office}/")
    assert violations(display) == []

    # A citizen takes a ticket at the kiosk with the keyboard.
    kiosk.goto(f"{server}/{language}/kiosk/{office}/")
    assert violations(kiosk) == []
    tab_to(kiosk, "input[name=service]")
    kiosk.keyboard.press("Space")
    tab_to(kiosk, "button.big-button")
    kiosk.keyboard.press("Enter")
    kiosk.wait_for_url(re.compile(r".*/kiosk/.*/tickets/.*"))
    ticket = kiosk.inner_text(".ticket-number").strip()
    assert re.fullmatch(r"[A-Z]{1,2}-\d{3}", ticket)
    assert violations(kiosk) == []

    # The agent presses N; the display shows the ticket, pushed by the stream: the page polls
    # its board only after 40 s without a message, and the stream pings every 15 s.
    agent.reload()
    agent.wait_for_selector("#call-next")
    assert violations(agent) == []
    agent.locator("body").press("n")
    display.wait_for_function(
        "t => document.getElementById('current-call').textContent.includes(t)", arg=ticket
    )
    assert polls == []
    agent.wait_for_load_state()
    agent.wait_for_selector(".console-ticket")
    assert ticket in agent.inner_text(".console-ticket")
    assert violations(display) == []

    # The visitor's status page says where to go.
    kiosk.goto(kiosk.url)  # the ticket page, refreshed
    assert "1" in kiosk.inner_text(".ticket-called")

    # S to start, C to complete: the desk is free again.
    agent.locator("body").press("s")
    agent.wait_for_selector("button[data-shortcut=c]")
    agent.locator("body").press("c")
    agent.get_by_text(text["nobody"]).wait_for()
    assert violations(agent) == []

    # Leave the desk closed for the next run, with the keyboard.
    agent.get_by_role("button", name=text["close"]).focus()
    agent.keyboard.press("Enter")
    agent.get_by_role("button", name=text["open"]).wait_for()
    for page in (agent, kiosk, display):
        page.context.close()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_book_then_change_an_appointment_by_keyboard(page, server, language):
    page.goto(f"{server}/{language}/")
    office = page.locator("a[href*='/offices/']").first.get_attribute("href")
    page.goto(server + office)
    page.locator("a[href*='/book/']").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/book/.*"))
    assert violations(page) == []
    page.locator("main a[href*='?service=']").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*\?service=.*"))
    page.locator("main a[href*='day=']").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("input[name=slot]")
    assert violations(page) == []
    tab_to(page, "input[name=slot]")
    page.keyboard.press("Space")
    tab_to(page, "input[name=email]")
    page.keyboard.type("camille@example.ca")
    tab_to(page, "form.form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/appointments/[0-9a-f-]{36}/[A-Za-z0-9_-]{22}/$"))
    code = page.inner_text(".ticket-number").strip()
    assert re.fullmatch(r"[A-Z0-9]{6}", code)
    assert violations(page) == []
    page.locator("a[href*='/change/']").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("input[name=slot]")
    assert violations(page) == []


CANCEL = {
    "fr": ("Quitter la file", "Vous avez quitté la file", "Annuler mon rendez-vous", "Annulé"),
    "en": ("Leave the line", "You have left the line", "Cancel my appointment", "Cancelled"),
}


def office_path(page, server, language):
    """City Hall's page: the office the suite keeps open around the clock (see conftest)."""
    page.goto(f"{server}/{language}/")
    city_hall = page.locator(
        "a[href*='/offices/']", has_text=re.compile("Hôtel de ville|City Hall")
    )
    return city_hall.first.get_attribute("href")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_citizen_leaves_the_line_with_a_real_click(page, server, language):
    """Chromium sends an Origin with the form (a no-referrer policy once made it `null`, and
    the CSRF check refused the cancel: the abandoned ticket was later called)."""
    leave, left, _, _ = CANCEL[language]
    office = re.search(r"/offices/([0-9a-f-]{36})/", office_path(page, server, language))[1]
    page.goto(f"{server}/{language}/check-in/{office}/")
    page.locator("input[name=service]").first.check()
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r".*/visits/[0-9a-f-]{36}/[A-Za-z0-9_-]{22}/$"))
    assert violations(page) == []
    page.get_by_role("button", name=leave).click()
    page.get_by_text(left).wait_for()
    assert page.get_by_role("button", name=leave).count() == 0
    assert violations(page) == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_citizen_cancels_an_appointment_with_a_real_click(page, server, language):
    _, _, cancel, cancelled = CANCEL[language]
    page.goto(server + office_path(page, server, language))
    page.locator("main a[href*='/book/']").first.click()
    page.locator("main a[href*='?service=']").first.click()
    page.locator("main a[href*='day=']").first.click()
    page.locator("input[name=slot]").first.check()
    page.fill("input[name=email]", "camille@example.ca")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/appointments/[0-9a-f-]{36}/[A-Za-z0-9_-]{22}/$"))
    page.get_by_role("button", name=cancel).click()
    page.wait_for_load_state()
    assert cancelled in page.inner_text("dl.facts")
    assert page.get_by_role("button", name=cancel).count() == 0


def test_switching_language_mid_form_keeps_the_answers(page, server):
    office = re.search(r"/offices/([0-9a-f-]{36})/", office_path(page, server, "fr"))[1]
    page.goto(f"{server}/fr/check-in/{office}/")
    chosen = page.locator("input[name=service]").nth(1)
    value = chosen.get_attribute("value")
    chosen.check()
    page.locator("details.more summary").click()
    page.fill("input[name=phone]", "613 555 0111")
    page.locator("a[hreflang=en]").first.click()
    page.wait_for_url(re.compile(r".*/en/check-in/.*"))
    assert page.locator(f"input[name=service][value='{value}']").is_checked()
    assert page.input_value("input[name=phone]") == "613 555 0111"
