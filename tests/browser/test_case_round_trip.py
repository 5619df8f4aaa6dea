"""Issue 11's whole round trip in Chromium, keyboard only, axe on every page, FR and EN:

a citizen files a request with a photo → an agent finds it in the workspace, answers it with a
reply template while the plain-language meter shows its score → the citizen opens the tracking
page, reads the answer and replies → the agent sees the reply on the request's page.

The demo agency's bins service (routed to the public-works team); the supervisor works it."""

import re
import uuid

import pytest

from accueil.site.demo import DEMO_PASSWORD
from tests.browser.test_accessibility import violations
from tests.browser.test_queue_walk import tab_to
from tests.security.corpus.files import jpeg_with_gps

TEXT = {
    "fr": {"score": "Facilité de lecture", "sent": "Votre réponse est envoyée", "bin": "Compost"},
    "en": {"score": "Grade level", "sent": "Your reply is sent", "bin": "Compost"},
}


def enter(page):
    with page.expect_navigation():
        page.keyboard.press("Enter")


def sign_in_by_keyboard(page, base, language):
    page.goto(f"{base}/{language}/login/")
    tab_to(page, "#id_username")
    page.keyboard.type("supervisor")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    enter(page)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_request_goes_from_citizen_to_agent_and_back_by_keyboard(
    browser, server, tmp_path, language
):
    text = TEXT[language]
    token = f"walk{uuid.uuid4().hex[:8]}"  # a word only this request holds, to search for
    citizen = browser.new_context(locale=f"{language}-CA", viewport={"width": 390, "height": 844})
    page = citizen.new_page()

    # 1. The citizen files the request, with a photo.
    page.goto(f"{server}/{language}/requests/bacs-collecte/")
    assert violations(page) == []
    tab_to(page, "#id_description", presses=120)
    page.keyboard.type(f"Mon bac de compost est fendu ({token}). / My compost bin is cracked.")
    tab_to(page, "input[name=q_bac]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert page.locator("input[name=q_bac]:checked").count() == 1
    tab_to(page, "#id_q_lieu")
    page.keyboard.type("2500, boulevard de l’Est")
    photo = tmp_path / "bac.jpg"
    photo.write_bytes(jpeg_with_gps())
    page.set_input_files("#id_q_photo", str(photo))  # the file dialog is the system's
    tab_to(page, "#id_email")
    page.keyboard.type(f"{token}@example.org")
    tab_to(page, "button[type=submit]:not(.link-button)", presses=200)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/{language}/track/(R-\d{{4}}-\w+)/[\w-]{{22}}/$"))
    tracking = page.url
    reference = re.search(r"/track/(R-\d{4}-\w+)/", tracking).group(1)
    assert violations(page) == []

    # 2. The agent finds it by searching for its words, and answers with a template.
    agent = browser.new_context(locale=f"{language}-CA", viewport={"width": 1280, "height": 800})
    desk = agent.new_page()
    sign_in_by_keyboard(desk, server, language)
    desk.goto(f"{server}/{language}/cases/?view=all")
    assert violations(desk) == []
    desk.keyboard.press("/")
    desk.keyboard.type(token)
    enter(desk)
    assert reference in desk.locator("main").inner_text()
    desk.keyboard.press("Tab")  # out of the search field: single-key shortcuts work again
    desk.locator("body").press("Escape")
    tab_to(desk, f"a[href$='/cases/{reference}/']", presses=150)
    enter(desk)
    assert desk.url.endswith(f"/{language}/cases/{reference}/")
    assert violations(desk) == []
    tab_to(desk, "#template-choice", presses=200)
    desk.keyboard.press("ArrowDown")  # the first template
    tab_to(desk, ".template-picker button[type=submit]")
    desk.keyboard.press("Enter")
    # The template's text arrives in a swapped-in field; type once htmx has wired it up.
    desk.wait_for_function(
        """() => {
            const body = document.querySelector('#id_reply-body');
            const wired = body && body['htmx-internal-data'];
            return body.value.length > 20 && wired && wired.initHash;
        }"""
    )
    tab_to(desk, "#id_reply-body")
    desk.keyboard.press("Control+End")
    desk.keyboard.type(" Merci." if language == "fr" else " Thank you.")
    desk.locator("#meter-result").get_by_text(text["score"]).wait_for(timeout=15_000)
    answer = desk.locator("#id_reply-body").input_value()
    assert violations(desk) == []
    tab_to(desk, ".reply-form button[type=submit]:not([name=check])")
    enter(desk)
    assert text["sent"] in desk.locator(".messages").inner_text()

    # 3. The citizen reads the answer on the tracking page and replies.
    page.goto(tracking)
    thread = page.locator("main").inner_text()
    assert answer.split("\n")[0].strip() in thread
    assert violations(page) == []
    tab_to(page, "#id_body", presses=200)
    page.keyboard.type(f"Merci, le bac est au bord de la rue ({token}-2).")
    tab_to(page, ".reply-form button[type=submit]", presses=40)
    enter(page)
    assert page.locator(".message-card.from-you").count() == 1
    assert violations(page) == []

    # 4. The agent sees the reply on the request's page.
    desk.reload()
    assert f"({token}-2)" in desk.locator("#timeline").inner_text()
    assert violations(desk) == []
    citizen.close()
    agent.close()
