import re

from django.conf import settings
from django.contrib.auth.hashers import identify_hasher, make_password
from django.urls import reverse

from tests.factories import TEST_PASSWORD

LOGIN = "/fr/login/"


def without_tokens(response, username):
    """The page with its (masked, per-response) CSRF token and the typed username removed."""
    page = response.content.decode().replace(f'value="{username}"', "")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def sign_in(client, username, password=TEST_PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_staff_sign_in_and_reach_the_staff_home(client, personas):
    response = sign_in(client, "owner")
    assert response.status_code == 302
    assert response["Location"] == reverse("site:staff-home")
    page = client.get(reverse("site:staff-home")).content.decode()
    assert "Bonjour, Camille Tremblay" in page
    assert personas.office.name_fr in page


def test_production_passwords_are_hashed_with_argon2():
    assert settings.PRODUCTION_PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    hashed = make_password("x" * 16, hasher="argon2")
    assert identify_hasher(hashed).algorithm == "argon2"


def test_wrong_password_and_unknown_user_get_the_same_answer(client, personas):
    wrong = sign_in(client, "owner", "not the password")
    unknown = sign_in(client, "nobody-here", "not the password")
    assert wrong.status_code == unknown.status_code == 200
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in wrong.content.decode()
    assert without_tokens(wrong, "owner") == without_tokens(unknown, "nobody-here")


def test_repeated_failures_lock_the_account_for_that_address(client, personas):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "owner", "wrong password")
    locked = sign_in(client, "owner")  # even the right password is refused now
    assert locked.status_code == 429
    assert "Trop de tentatives" in locked.content.decode()
    assert client.get(reverse("site:staff-home")).status_code == 302
    # Another address is not locked out for the same user.
    assert sign_in(client, "owner", REMOTE_ADDR="10.9.8.7").status_code == 302


def test_a_spoofed_forwarded_for_header_does_not_escape_the_lockout(client, personas):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "owner", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}")
    assert sign_in(client, "owner", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429


def test_a_deactivated_user_is_signed_out_at_once(client, personas):
    sign_in(client, "owner")
    assert client.get(reverse("site:staff-home")).status_code == 200
    personas.owner.is_active = False
    personas.owner.save()
    assert client.get(reverse("site:staff-home")).status_code == 302


def test_sign_out_needs_a_post(client, personas):
    sign_in(client, "owner")
    assert client.get("/fr/logout/").status_code == 405
    assert client.post("/fr/logout/").status_code == 302
    assert client.get(reverse("site:staff-home")).status_code == 302


def test_open_redirect_after_sign_in_is_refused(client, personas):
    response = client.post(
        LOGIN + "?next=https://evil.example/",
        {"username": "owner", "password": TEST_PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
