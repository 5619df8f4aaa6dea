"""A citizen's request end to end in a real browser, keyboard only, with axe on every page:
home → "Make a request" → the bins form (sent empty first: the error summary) → filled in with
a photo → the tracking page → a reply. In French and in English, on a phone and a desktop.

Set ``ACCUEIL_SCREENSHOTS`` to a folder to keep a full-page screenshot of each step at both
sizes (for a person to look at; nothing is compared)."""

import os
import re
from pathlib import Path

import pytest

from tests.browser.test_accessibility import violations
from tests.browser.test_queue_walk import tab_to
from tests.security.corpus.files import jpeg_with_gps

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
TEXT = {
    "fr": {
        "make": "Faire une demande",
        "service": "Bacs de recyclage et de compost",
        "send": "Envoyer ma demande",
        "problems": "Veuillez vérifier",
        "received": "Nous avons reçu votre demande",
        "reply": "Envoyer mon message",
        "sent": "Votre message a été envoyé.",
        "bin": "Compost (brun)",
    },
    "en": {
        "make": "Make a request",
        "service": "Recycling and compost bins",
        "send": "Send my request",
        "problems": "Please check",
        "received": "We have received your request",
        "reply": "Send my message",
        "sent": "Your message was sent.",
        "bin": "Compost (brown)",
    },
}


def shot(page, name):
    folder = os.environ.get("ACCUEIL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def press_link(page, name):
    """Tab to the link (or button) with this accessible name and press Enter."""
    target = page.get_by_role("link", name=name).first
    target.evaluate("el => el.setAttribute('data-walk-target', '1')")
    tab_to(page, "[data-walk-target]", presses=120)
    enter(page)


def enter(page):
    """Press Enter on what has focus and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_citizen_files_a_request_with_a_photo_tracks_it_and_replies(
    browser, server, tmp_path, language, size
):
    text = TEXT[language]
    context = browser.new_context(locale=f"{language}-CA", viewport=SIZES[size])
    page = context.new_page()
    step = f"{language}-{size}"

    page.goto(f"{server}/{language}/")
    press_link(page, text["make"])
    assert page.url.endswith(f"/{language}/requests/")
    assert violations(page) == []
    shot(page, f"{step}-1-services")
    press_link(page, text["service"])
    assert "/requests/bacs-collecte/" in page.url
    assert violations(page) == []
    shot(page, f"{step}-2-form")

    # Sent empty: the summary lists what to fix, and links to the fields.
    tab_to(page, "button[type=submit]:not(.link-button)", presses=200)
    enter(page)
    summary = page.locator(".error-summary")
    assert text["problems"] in summary.inner_text()
    assert summary.locator("a").count() >= 3
    assert violations(page) == []
    shot(page, f"{step}-3-problems")

    # Filled in by keyboard; the photo through its input (a file dialog is the system's).
    tab_to(page, "#id_description")
    page.keyboard.type("Le couvercle de mon bac est arraché. / The lid came off.")
    tab_to(page, "input[name=q_bac]")
    page.keyboard.press("ArrowDown")  # radios: arrows move and choose
    page.keyboard.press("ArrowUp")
    assert (
        page.get_by_label(text["bin"]).is_checked()
        or page.locator("input[name=q_bac]:checked").count()
    )
    tab_to(page, "#id_q_lieu")
    page.keyboard.type("12, rue Principale")
    photo = tmp_path / "bac.jpg"
    photo.write_bytes(jpeg_with_gps())
    page.set_input_files("#id_q_photo", str(photo))
    tab_to(page, "#id_email")
    page.keyboard.type("lea@example.org")
    tab_to(page, "button[type=submit]:not(.link-button)", presses=200)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/{language}/track/R-\d{{4}}-\w+/[\w-]{{22}}/$"))

    # The tracking page: confirmation, timeline, the photo, a reply form.
    assert text["received"] in page.locator(".confirmation").inner_text()
    assert page.locator(".timeline li").count() == 1
    assert page.get_by_role("link", name="bac.jpg").count() == 1
    assert page.locator('meta[name="referrer"]').get_attribute("content") == "same-origin"
    assert violations(page) == []
    shot(page, f"{step}-4-tracking")

    tab_to(page, "#id_body", presses=200)
    page.keyboard.type("J’ai aussi une photo du coin de rue. / One more detail.")
    tab_to(page, ".reply-form button[type=submit]", presses=40)
    enter(page)
    shot(page, f"{step}-5-replied")
    assert text["sent"] in page.locator(".messages").inner_text()
    assert page.locator(".message-card.from-you").count() == 1
    assert violations(page) == []
    shot(page, f"{step}-5-replied")

    page.goto(f"{server}/{language}/track/")
    assert violations(page) == []
    shot(page, f"{step}-6-find")
    context.close()
