"""Security by default: headers, CSRF, control characters."""

import pytest
from django.test import Client

from tests.factories import TEST_PASSWORD
from tests.pagecheck import check_page


def test_every_page_carries_protective_headers(client, db):
    response = client.get("/fr/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("language,text", [("fr", "Formulaire expiré"), ("en", "Form expired")])
def test_a_form_without_its_csrf_token_is_refused_in_the_users_language(personas, language, text):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(f"/{language}/login/", {"username": "owner", "password": TEST_PASSWORD})
    assert response.status_code == 403
    page = response.content.decode()
    assert text in page
    check_page(f"/{language}/login/", page)


@pytest.mark.parametrize("name", ["Kiosk\r\nBcc: victim@example.com", "nul\x00byte"])
def test_control_characters_in_a_token_name_are_refused(client, personas, name):
    client.post("/en/login/", {"username": "owner", "password": TEST_PASSWORD})
    response = client.post("/en/staff/tokens/", {"name": name, "role": "agent"})
    assert response.status_code == 400
    assert personas.owner.api_tokens.count() == 0


def test_a_very_long_name_is_refused_not_truncated_or_crashing(client, personas):
    client.post("/en/login/", {"username": "owner", "password": TEST_PASSWORD})
    response = client.post("/en/staff/tokens/", {"name": "é" * 10_000, "role": "agent"})
    assert response.status_code == 400
    assert "at most 100 characters" in response.content.decode()
