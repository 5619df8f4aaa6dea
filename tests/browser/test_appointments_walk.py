"""Appointments in Chromium with real clicks, in French and in English, axe on every page:
book → move → cancel as the citizen; book, move and cancel by staff for a caller; arrival at
the kiosk by booking code, twice (the second time names the ticket already given), and an
empty code (a field error beside the field, not a silent reload).

Arrival needs an appointment within its on-time window (15 minutes): the walk books the first
open time today of City Hall's 15-minute service, which the suite keeps open around the clock.
"""

import re
from datetime import date, timedelta

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import violations

MINE = re.compile(r".*/appointments/[0-9a-f-]{36}/[A-Za-z0-9_-]{22}/$")
TEXT = {
    "fr": {
        "short_service": re.compile("Assermentation"),
        "change": "Changer l’heure",
        "move": "Déplacer mon rendez-vous",
        "moved": "Votre rendez-vous a été déplacé",
        "cancel": "Annuler mon rendez-vous",
        "cancelled": "Annulé",
        "arrive": "Je suis arrivé",
        "again": "Vous êtes déjà enregistré\u00a0: votre billet est {ticket}.",
        "empty": "Tapez le code de votre confirmation.",
        "book_for": "Prendre rendez-vous pour quelqu’un",
        "show": "Afficher les heures libres",
        "book": "Réserver",
        "staff_moved": "Déplacé au",
        "staff_cancelled": "est annulé",
        "staff_move": "Déplacer",
        "staff_move_to": "Déplacer à cette heure",
        "staff_cancel": "Annuler",
    },
    "en": {
        "short_service": re.compile("Commissioner"),
        "change": "Change the time",
        "move": "Move my appointment",
        "moved": "Your appointment has moved",
        "cancel": "Cancel my appointment",
        "cancelled": "Cancelled",
        "arrive": "I have arrived",
        "again": "You are already checked in: your ticket is {ticket}.",
        "empty": "Type the code from your confirmation.",
        "book_for": "Book for someone",
        "show": "Show the open times",
        "book": "Book",
        "staff_moved": "Moved to",
        "staff_cancelled": "is cancelled",
        "staff_move": "Move",
        "staff_move_to": "Move to this time",
        "staff_cancel": "Cancel",
    },
}


def city_hall(page, server, language):
    page.goto(f"{server}/{language}/")
    link = page.locator("a[href*='/offices/']", has_text=re.compile("Hôtel de ville|City Hall"))
    path = link.first.get_attribute("href")
    return path, re.search(r"/offices/([0-9a-f-]{36})/", path)[1]


def book_by_clicks(page, server, language, day_index, slot_index=0):
    """From the office page: the 15-minute service, a day, a time, an email. Returns the time."""
    path, _office = city_hall(page, server, language)
    page.goto(server + path)
    page.locator("main a[href*='/book/']", has_text=TEXT[language]["short_service"]).click()
    page.locator("main a[href*='day=']").nth(day_index).click()
    assert violations(page) == []
    slot = page.locator("input[name=slot]").nth(slot_index)
    label = page.locator("label.choice").nth(slot_index).inner_text().strip()
    slot.check()
    page.fill("input[name=email]", "camille@example.ca")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(MINE)
    assert violations(page) == []
    return label


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_citizen_books_moves_and_cancels_with_real_clicks(page, server, language):
    text = TEXT[language]
    first = book_by_clicks(page, server, language, day_index=2)
    assert first in page.inner_text("dl.facts")
    page.get_by_role("link", name=text["change"]).click()
    page.wait_for_selector("input[name=slot]")
    assert violations(page) == []
    later = page.locator("label.choice").nth(3)
    new_time = later.inner_text().strip()
    later.click()
    page.get_by_role("button", name=text["move"]).click()
    page.wait_for_url(MINE)
    assert text["moved"] in page.inner_text(".messages")
    assert new_time in page.inner_text("dl.facts")
    assert violations(page) == []
    page.get_by_role("button", name=text["cancel"]).click()
    page.wait_for_load_state()
    assert text["cancelled"] in page.inner_text("dl.facts")
    assert page.get_by_role("button", name=text["cancel"]).count() == 0
    assert violations(page) == []


def empty_code_then(kiosk, server, office, language, code):
    """At the kiosk in ``language``: an empty code (a field error beside the field, in view
    and focused), then ``code``."""
    text = TEXT[language]
    kiosk.goto(f"{server}/{language}/kiosk/{office}/")
    kiosk.get_by_role("button", name=text["arrive"]).click()
    kiosk.wait_for_selector("#problems")
    assert kiosk.inner_text("#problems").strip() == text["empty"]
    kiosk.wait_for_function("() => document.activeElement.id === 'problems'")  # kiosk.js
    assert kiosk.get_attribute("#id_code", "aria-invalid") == "true"
    assert violations(kiosk) == []
    kiosk.fill("#id_code", code)
    with kiosk.expect_navigation():
        kiosk.get_by_role("button", name=text["arrive"]).click()


def test_arrival_by_booking_code_twice_names_the_ticket(browser, server):
    """One appointment (the on-time window is one slot wide), used at the French kiosk, then
    typed again there and at the English one."""
    citizen = browser.new_context(locale="fr-CA").new_page()
    kiosk = browser.new_context(locale="fr-CA").new_page()
    book_by_clicks(citizen, server, "fr", day_index=0)
    code = citizen.inner_text(".ticket-number").strip()
    _path, office = city_hall(kiosk, server, "fr")

    empty_code_then(kiosk, server, office, "fr", code.lower())
    kiosk.wait_for_url(re.compile(r".*/kiosk/.*/tickets/.*"))
    ticket = kiosk.inner_text(".ticket-number").strip()
    assert re.fullmatch(r"[A-Z]{1,2}-\d{3}", ticket)
    assert violations(kiosk) == []
    ticket_page = kiosk.url

    # The same code again: the ticket already given, not "no appointment has this code".
    for language in ("fr", "en"):
        empty_code_then(kiosk, server, office, language, code)
        kiosk.wait_for_selector("#problems")
        said = TEXT[language]["again"].format(ticket=ticket)
        assert kiosk.inner_text("#problems").strip() == said
        assert violations(kiosk) == []
    # The visitor leaves the line from their status page: other walks call the next visitor
    # at City Hall and expect their own ticket, not this priority one.
    visit, secret = re.search(
        r"/tickets/([0-9a-f-]{36})/([A-Za-z0-9_-]{22})/", ticket_page
    ).groups()
    citizen.goto(f"{server}/fr/visits/{visit}/{secret}/")
    citizen.get_by_role("button", name="Quitter la file").click()
    citizen.get_by_text("Vous avez quitté la file").wait_for()
    for opened in (citizen, kiosk):
        opened.context.close()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_staff_book_move_and_cancel_for_a_caller(page, server, language):
    text = TEXT[language]
    sign_in(page, server, "agent", language)
    page.locator("main a[href*='/appointments/']").first.click()
    assert violations(page) == []
    page.get_by_role("link", name=text["book_for"]).click()
    short = page.locator("#id_service option", has_text=text["short_service"])
    page.select_option("#id_service", value=short.get_attribute("value"))
    # Tomorrow: today may have no time left, whatever the hour the suite runs at.
    tomorrow = date.fromisoformat(page.get_attribute("#id_day", "min")) + timedelta(days=1)
    page.fill("#id_day", tomorrow.isoformat())
    page.get_by_role("button", name=text["show"]).click()
    page.wait_for_selector("input[name=slot]")
    assert violations(page) == []
    page.locator("label.choice").nth(1).click()
    page.fill("#id_name", "Sam Lee")
    page.fill("#id_phone", "613 555-0111")
    page.get_by_role("button", name=text["book"], exact=True).click()
    page.wait_for_url(re.compile(r".*/staff/offices/.*/appointments/\?day=.*"))
    code = re.search(r"([A-Z0-9]{6})\.$", page.inner_text(".messages").strip())[1]
    card = page.locator(".appointment-list .card", has_text=code)
    assert "Sam Lee" in card.inner_text()
    assert violations(page) == []

    card.get_by_role("link", name=re.compile(text["staff_move"])).click()
    page.wait_for_selector("input[name=slot]")
    assert violations(page) == []
    page.locator("label.choice").nth(4).click()
    page.get_by_role("button", name=text["staff_move_to"]).click()
    page.wait_for_url(re.compile(r".*/staff/offices/.*/appointments/\?day=.*"))
    assert text["staff_moved"] in page.inner_text(".messages")
    card = page.locator(".appointment-list .card", has_text=code)
    card.get_by_role("button", name=re.compile(text["staff_cancel"])).click()
    page.wait_for_load_state()
    assert text["staff_cancelled"] in page.inner_text(".messages")
    assert violations(page) == []
