import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accueil.accounts.actions import do_issue_token
from accueil.accounts.models import ApiToken, Role
from accueil.core.actors import Actor
from accueil.core.events import events_for
from tests.factories import TEST_PASSWORD


def me(client, token):
    return client.get("/api/v1/me", headers={"authorization": f"Bearer {token}"})


def test_a_token_made_on_the_page_is_shown_once_and_stored_hashed(client, personas):
    client.post("/fr/login/", {"username": "owner", "password": TEST_PASSWORD})
    page = client.post("/fr/staff/tokens/", {"name": "Borne", "role": "agent"}).content.decode()
    plain_text = re.search(r'<code class="token">([^<]+)</code>', page).group(1)
    stored = ApiToken.objects.get(user=personas.owner)
    assert plain_text not in (stored.key_hash, stored.key_id)
    assert stored.key_hash not in page
    assert me(client, plain_text).json()["username"] == "owner"
    assert plain_text not in client.get("/fr/staff/tokens/").content.decode()
    assert events_for(stored).get().verb == "api_token.issued"


def test_a_token_cannot_be_given_a_higher_role_than_its_owner(client, personas):
    client.post("/fr/login/", {"username": "owner", "password": TEST_PASSWORD})
    response = client.post("/fr/staff/tokens/", {"name": "Sneaky", "role": "admin"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoked_expired_and_deactivated_tokens_stop_working(client, personas):
    actor = Actor.staff(personas.owner)
    revoked, revoked_text = do_issue_token(actor, "revoked")
    expired, expired_text = do_issue_token(actor, "expired")
    _, live_text = do_issue_token(actor, "live")
    client.post("/fr/login/", {"username": "owner", "password": TEST_PASSWORD})
    client.post(f"/fr/staff/tokens/{revoked.id}/revoke/")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert me(client, revoked_text).status_code == 401
    assert me(client, expired_text).status_code == 401
    assert me(client, live_text).status_code == 200
    personas.owner.is_active = False
    personas.owner.save()
    assert me(client, live_text).status_code == 401


def test_a_token_loses_power_when_its_owner_does(client, personas):
    _, text = do_issue_token(Actor.staff(personas.admin), "ops", role=Role.ADMIN)
    assert me(client, text).json()["role"] == "admin"
    personas.admin.role = Role.AGENT
    personas.admin.save()
    assert me(client, text).json()["role"] == "agent"


def test_a_token_of_another_user_cannot_be_revoked(client, personas):
    token, text = do_issue_token(Actor.staff(personas.colleague), "theirs")
    client.post("/fr/login/", {"username": "owner", "password": TEST_PASSWORD})
    assert client.post(f"/fr/staff/tokens/{token.id}/revoke/").status_code == 404
    assert me(client, text).status_code == 200


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer acc_", "Bearer acc_x_y", "Bearer " + "a" * 5000, "Basic b3duZXI6cGFzcw=="],
)
def test_malformed_tokens_get_a_401_in_the_contract_shape(client, personas, header):
    response = client.get("/api/v1/me", headers={"authorization": header, "accept-language": "en"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_the_token_command_prints_a_working_token(client, personas, capsys):
    call_command("token", "supervisor", "--name", "display board")
    plain_text = capsys.readouterr().out.strip()
    assert plain_text.startswith("acc_")
    body = me(client, plain_text).json()
    assert body["role"] == "supervisor" and body["via_token"] is True


def test_the_token_command_refuses_unknown_users_and_higher_roles(personas):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no active staff user"):
        call_command("token", "ghost")
    with pytest.raises(CommandError, match="cannot have more power"):
        call_command("token", "owner", "--role", "admin")
