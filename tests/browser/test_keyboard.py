"""A person who uses only the keyboard can reach the content and sign in, in both languages."""

import re

import pytest

from tests.browser.conftest import DEMO_PASSWORD


@pytest.mark.parametrize("language,heading", [("fr", "Bonjour"), ("en", "Hello")])
def test_sign_in_with_the_keyboard_only(page, server, language, heading):
    page.goto(f"{server}/{language}/login/")
    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.className")
    assert skip == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # first field of the form
    assert page.evaluate("document.activeElement.id") == "id_username"
    page.keyboard.type("agent")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    # The #main fragment from the skip link survives the redirect.
    page.wait_for_url(re.compile(rf"^{re.escape(server)}/{language}/staff/(#main)?$"))
    assert heading in page.locator("h1").inner_text()


def test_focus_is_visible(page, server):
    page.goto(f"{server}/fr/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the brand link, after the skip link
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_language_switch_keeps_the_page(page, server):
    page.goto(f"{server}/fr/login/")
    page.get_by_role("link", name="English").click()
    page.wait_for_url(f"{server}/en/login/")
    assert page.locator("h1").inner_text() == "Staff sign-in"
    assert page.locator("html").get_attribute("lang") == "en"
