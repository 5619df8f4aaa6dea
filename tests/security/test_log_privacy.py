"""No credential, contact or message body reaches a log, on any authentication path.

Each test listens to every logger at DEBUG (see ``every_log``), with Django's debug mode on and
off: django-ninja only logs the Authorization header it cannot parse when ``DEBUG`` is on, which
is how ``make run`` starts.
"""

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accueil.accounts.actions import do_issue_token, do_revoke_token
from accueil.accounts.models import ApiToken
from accueil.core.actors import Actor
from accueil.notify.models import Message
from accueil.notify.templates_text import load_files
from tests.factories import TEST_PASSWORD, UserFactory
from tests.security.conftest import corpus, logged

HEADERS = corpus("authorization_headers.json")
WRONG_PASSWORD = "Wrong-Password-Never-Logged-4711"
USERNAME = "jeanne.secret-username"


def secret_part(token: str) -> str:
    """``acc_<key id>_<secret>``: the key id names the token, the secret is the credential."""
    return token.split("_", 2)[2]


def me(client, header: str):
    return client.get("/api/v1/me", headers={"authorization": header})


@pytest.fixture(params=[True, False], ids=["debug", "no-debug"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.fixture
def token(personas):
    _token, text = do_issue_token(Actor.staff(personas.owner), "log test")
    return text


def assert_never_logged(caplog, *secrets):
    text = logged(caplog)
    for secret in secrets:
        assert secret not in text, f"{secret[:12]}… reached a log"


@pytest.mark.parametrize("shape", HEADERS["refused"])
def test_a_malformed_authorization_header_is_refused_and_never_logged(
    client, token, debug, every_log, shape
):
    header = shape.format(token=token)
    response = me(client, header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert_never_logged(every_log, header, token, secret_part(token))


@pytest.mark.parametrize("shape", HEADERS["accepted"])
def test_the_bearer_scheme_written_differently_works_and_is_never_logged(
    client, token, debug, every_log, shape
):
    response = me(client, shape.format(token=token))
    assert response.status_code == 200
    assert response.json()["username"] == "owner"
    assert_never_logged(every_log, token, secret_part(token))


def test_wrong_expired_revoked_and_deactivated_tokens_are_never_logged(
    client, personas, debug, every_log
):
    actor = Actor.staff(personas.owner)
    _, live = do_issue_token(actor, "live")
    wrong = live[: -len(secret_part(live))] + "x" * 43
    expired, expired_text = do_issue_token(actor, "expired")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    revoked, revoked_text = do_issue_token(actor, "revoked")
    do_revoke_token(actor, revoked)
    colleague_actor = Actor.staff(personas.colleague)
    _, deactivated_text = do_issue_token(colleague_actor, "deactivated")
    personas.colleague.is_active = False
    personas.colleague.save()
    unknown = "acc_000000000000_" + "y" * 43
    for text in (wrong, expired_text, revoked_text, deactivated_text, unknown):
        assert me(client, f"Bearer {text}").status_code == 401
    assert_never_logged(
        every_log,
        *(secret_part(t) for t in (wrong, expired_text, revoked_text, deactivated_text, unknown)),
    )


@pytest.fixture
def jeanne(personas):
    return UserFactory(agency=personas.agency, username=USERNAME, email="jeanne@example.ca")


def sign_in(client, username, password, address="192.0.2.10", path="/fr/login/"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_failed_and_locked_out_sign_ins_never_log_the_password_nor_name_the_person(
    client, jeanne, settings, debug, every_log
):
    sign_in(client, USERNAME, WRONG_PASSWORD)
    sign_in(client, "nobody-by-that-name", WRONG_PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):  # the per-address lock-out
        sign_in(client, USERNAME, WRONG_PASSWORD, address="192.0.2.11")
    assert sign_in(client, USERNAME, TEST_PASSWORD, address="192.0.2.11").status_code == 429
    # The admin's own sign-in form goes through the same authentication.
    sign_in(client, USERNAME, WRONG_PASSWORD, path="/fr/admin/login/")
    assert sign_in(client, USERNAME, TEST_PASSWORD).status_code == 302
    # The per-account delay, with its notice to the owner.
    load_files()
    attacker = Client()
    for n in range(settings.LOGIN_ACCOUNT_FAILURE_LIMIT + 5):
        sign_in(attacker, USERNAME, WRONG_PASSWORD, address=f"198.51.100.{n + 1}")
    assert sign_in(attacker, USERNAME, TEST_PASSWORD, address="198.51.100.99").status_code == 429
    assert Message.objects.filter(recipient="jeanne@example.ca").count() == 1
    assert_never_logged(every_log, WRONG_PASSWORD, TEST_PASSWORD)
    at_info = logged(every_log, logging.INFO)
    assert USERNAME not in at_info and "nobody-by-that-name" not in at_info
    assert "jeanne@example.ca" not in logged(every_log)


def test_sql_is_never_logged_even_in_debug_mode(client, personas, settings, every_log):
    """Statements carry contacts, bodies and usernames as parameters: no level shows them."""
    settings.DEBUG = True
    assert settings.LOGGING["loggers"]["django.db.backends"]["level"] == "INFO"
    sign_in(client, USERNAME, WRONG_PASSWORD)
    assert not [r for r in every_log.records if r.name.startswith("django.db.backends")]
