"""Dates on the staff notification pages follow the language, as accueil.lib.dates writes them."""

from datetime import datetime
from zoneinfo import ZoneInfo

from accueil.accounts.actions import do_issue_token
from accueil.accounts.models import ApiToken
from accueil.core.actors import Actor
from accueil.notify.models import Campaign, Message
from accueil.notify.outbox import enqueue
from tests.factories import TEST_PASSWORD

TORONTO = ZoneInfo("America/Toronto")
AT = datetime(2026, 12, 1, 8, 30, tzinfo=TORONTO)


def sign_in(client, username):
    client.post("/fr/login/", {"username": username, "password": TEST_PASSWORD})


def test_outbox_dates_in_french_and_english(client, personas, settings):
    settings.TIME_ZONE = "America/Toronto"
    message = enqueue(
        channel="email", recipient="a@example.ca", idempotency_key="d", agency=personas.agency
    )
    Message.objects.filter(pk=message.pk).update(created_at=AT)
    sign_in(client, "supervisor")
    french = client.get("/fr/staff/outbox/").content.decode()
    assert "mardi 1er décembre 2026 à 8\u00a0h\u00a030" in french
    english = client.get("/en/staff/outbox/").content.decode()
    assert "Tuesday, December 1, 2026, 8:30 a.m." in english
    assert "12/01/2026" not in english and "Dec. 1" not in english


def test_token_expiry_in_french_and_english(client, personas):
    token, _plain = do_issue_token(Actor.staff(personas.owner), "Kiosque")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=AT)
    sign_in(client, "owner")
    assert "mardi 1er décembre 2026" in client.get("/fr/staff/tokens/").content.decode()
    assert "Tuesday, December 1, 2026" in client.get("/en/staff/tokens/").content.decode()


def test_campaign_pages_in_french_and_english(client, personas):
    campaign = Campaign.objects.create(
        agency=personas.agency, name="Permis", days_ahead=30, created_at=AT, state="done"
    )
    sign_in(client, "supervisor")
    french = client.get(f"/fr/staff/campaigns/{campaign.id}/").content.decode()
    assert "Importée le mardi 1er décembre 2026 à 8\u00a0h\u00a030." in french
    assert "à 10\u00a0h." in french
    english = client.get(f"/en/staff/campaigns/{campaign.id}/").content.decode()
    assert "Imported on Tuesday, December 1, 2026, 8:30 a.m." in english
    assert "at 10:00 a.m." in english
    listing = client.get("/en/staff/campaigns/").content.decode()
    assert "Tuesday, December 1, 2026" in listing
