"""Staff password reset by email, end to end through the outbox and a real SMTP server."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from accueil.core.models import Event
from accueil.notify.models import Message
from accueil.notify.outbox import run_batch
from tests.factories import TEST_PASSWORD

NEW_PASSWORD = "a long new passphrase 4 staff"
LINK = re.compile(r"http://[^\s]+/password-reset/[^\s]+/")


def ask(client, email, language="fr", **extra):
    return client.post(f"/{language}/password-reset/", {"email": email}, **extra)


def received_link(smtp, count=1):
    run_batch()
    assert len(smtp.messages) == count
    body = smtp.messages[-1].get_content()
    return LINK.search(body).group(0), smtp.messages[-1]


def test_reset_by_email_then_sign_in_with_the_new_password(client, personas, smtp_server):
    owner = personas.owner
    owner.email, owner.language = "camille@example.ca", "fr"
    owner.save()
    login = client.get("/fr/login/").content.decode()
    assert 'href="/fr/password-reset/"' in login
    assert "Mot de passe oublié" in client.get("/fr/password-reset/").content.decode()

    response = ask(client, "Camille@Example.ca")
    assert response.status_code == 302
    assert response["Location"] == "/fr/password-reset/sent/"
    assert "Consultez vos courriels" in client.get(response["Location"]).content.decode()

    link, mail = received_link(smtp_server)
    assert mail["To"] == "camille@example.ca"
    assert mail["Subject"] == "Choisir un nouveau mot de passe Accueil"
    assert "60 minutes" in mail.get_content()
    assert link.startswith(settings.SITE_URL + "/fr/password-reset/")

    # Django moves the token into the session and out of the address bar.
    path = link.removeprefix(settings.SITE_URL)
    form_page = client.get(path)
    assert form_page.status_code == 302
    form_url = form_page["Location"]
    assert form_url.endswith("/set-password/")
    page = client.get(form_url).content.decode()
    assert "Choisir un nouveau mot de passe" in page and "owner" in page

    weak = client.post(form_url, {"new_password1": "short", "new_password2": "short"})
    assert weak.status_code == 400
    assert "trop court" in weak.content.decode()

    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == "/fr/login/"
    assert Event.objects.filter(verb="account.password_reset", object_id=str(owner.pk)).exists()
    assert Event.objects.filter(verb="account.password_reset_requested").count() == 1

    fresh = Client()
    old = fresh.post("/fr/login/", {"username": "owner", "password": TEST_PASSWORD})
    assert old.status_code == 200  # refused
    new = fresh.post("/fr/login/", {"username": "owner", "password": NEW_PASSWORD})
    assert new.status_code == 302

    # The link worked once.
    used = client.get(path)
    assert used.status_code == 400
    assert "Ce lien ne fonctionne plus" in used.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, personas, smtp_server):
    personas.owner.email = "camille@example.ca"
    personas.owner.save()
    known = ask(client, "camille@example.ca")
    unknown = ask(client, "nobody@example.ca")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    run_batch()
    assert [m["To"] for m in smtp_server.messages] == ["camille@example.ca"]
    assert Message.objects.count() == 1


def test_the_email_is_in_the_accounts_language(client, personas, smtp_server):
    personas.owner.email, personas.owner.language = "camille@example.ca", "en"
    personas.owner.save()
    ask(client, "camille@example.ca", language="fr")
    link, mail = received_link(smtp_server)
    assert mail["Subject"] == "Choose a new Accueil password"
    assert "/en/password-reset/" in link


def test_a_signed_in_session_ends_when_the_password_is_reset(client, personas, smtp_server):
    personas.owner.email = "camille@example.ca"
    personas.owner.save()
    elsewhere = Client()
    assert (
        elsewhere.post("/fr/login/", {"username": "owner", "password": TEST_PASSWORD}).status_code
        == 302
    )
    assert elsewhere.get("/fr/staff/").status_code == 200
    ask(client, "camille@example.ca")
    link, _mail = received_link(smtp_server)
    form_url = client.get(link.removeprefix(settings.SITE_URL))["Location"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert elsewhere.get("/fr/staff/").status_code == 302  # back to sign-in


def test_an_expired_link_is_refused_clearly(client, personas, smtp_server, settings):
    personas.owner.email = "camille@example.ca"
    personas.owner.save()
    ask(client, "camille@example.ca", language="en")
    link, _mail = received_link(smtp_server)
    settings.PASSWORD_RESET_TIMEOUT = -1  # every token is now older than the limit
    response = client.get(link.removeprefix(settings.SITE_URL).replace("/fr/", "/en/"))
    if response.status_code == 302:
        response = client.get(response["Location"])
    assert response.status_code == 400
    page = response.content.decode()
    assert "This link no longer works" in page
    assert 'href="/en/password-reset/"' in page
    user = get_user_model().objects.get(pk=personas.owner.pk)
    assert user.check_password(TEST_PASSWORD)


def test_requests_are_rate_limited_per_address(client, personas, settings):
    settings.PASSWORD_RESET_RATE = "2/900"
    assert ask(client, "a@example.ca").status_code == 302
    assert ask(client, "b@example.ca").status_code == 302
    refused = ask(client, "c@example.ca", language="en")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many requests" in refused.content.decode()
    assert ask(client, "c@example.ca", REMOTE_ADDR="10.1.2.3").status_code == 302


@pytest.mark.parametrize("value", ["", "not-an-address"])
def test_a_bad_address_is_refused_in_the_page(client, personas, value):
    response = ask(client, value)
    assert response.status_code == 400
    assert "error" in response.content.decode()


def test_expiry_is_an_hour_by_default():
    assert settings.PASSWORD_RESET_TIMEOUT == 3600


def test_the_admin_does_not_show_a_reset_links_body(client, personas):
    from django.contrib.auth import get_user_model

    from accueil.accounts.actions import do_request_password_reset

    personas.owner.email = "camille@example.ca"
    personas.owner.save()
    do_request_password_reset("camille@example.ca")
    message = Message.objects.get()
    get_user_model().objects.create_superuser("root", "root@example.ca", TEST_PASSWORD)
    client.force_login(get_user_model().objects.get(username="root"))
    page = client.get(f"/fr/admin/notify/message/{message.pk}/change/").content.decode()
    assert "password-reset/" not in page
    token = LINK.search(message.body).group(0).rstrip("/").rsplit("/", 1)[-1]
    assert token not in page  # nor in the idempotency key
