"""Keys of client applications (Open311 apps, inbound-mail webhooks): issued by an
administrator or the ``open311-key`` command, shown once, scoped, revocable at once."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.http import Http404

from accueil.accounts.actions import do_issue_client_key, do_revoke_client_key
from accueil.accounts.models import ClientApp, ClientScope
from accueil.core.actors import Actor, ActorKind
from accueil.core.events import events_for


def issue_by_command(*args) -> str:
    out = io.StringIO()
    call_command("open311_key", *args, stdout=out)
    return out.getvalue().strip()


def test_the_command_prints_a_key_that_is_stored_only_as_a_hash(personas):
    plain_text = issue_by_command("FixMyStreet", "--agency", personas.agency.slug)
    app = ClientApp.objects.get()
    assert plain_text.startswith("app_") and plain_text not in (app.key_hash, app.key_id)
    assert (app.name, app.scope, app.agency) == ("FixMyStreet", "open311", personas.agency)
    found = ClientApp.find(plain_text, ClientScope.OPEN311)
    assert found == app
    actor = found.actor()
    assert (actor.kind, actor.agency_id, actor.app_id) == (
        ActorKind.CLIENT_APP,
        personas.agency.pk,
        app.pk,
    )
    event = events_for(app).get()
    assert event.verb == "client_app.issued" and event.data["key_id"] == app.key_id


def test_the_command_asks_which_agency_when_there_are_several(personas):
    with pytest.raises(CommandError, match="several agencies"):
        issue_by_command("SeeClickFix")
    with pytest.raises(CommandError, match="no agency"):
        issue_by_command("SeeClickFix", "--agency", "nowhere")
    assert not ClientApp.objects.exists()


def test_a_key_works_only_for_its_scope_and_stops_when_revoked(personas):
    admin = Actor.staff(personas.admin)
    app, plain_text = do_issue_client_key(admin, "Mail provider", ClientScope.MAIL)
    assert app.agency == personas.agency
    assert ClientApp.find(plain_text, ClientScope.MAIL) == app
    assert ClientApp.find(plain_text, ClientScope.OPEN311) is None
    assert ClientApp.find(plain_text[:-1] + "x", ClientScope.MAIL) is None
    assert ClientApp.find("app_nothing", ClientScope.MAIL) is None
    with pytest.raises(Http404):
        do_revoke_client_key(Actor.staff(personas.stranger_admin), app)
    assert ClientApp.find(plain_text, ClientScope.MAIL) == app
    do_revoke_client_key(admin, app)
    assert ClientApp.find(plain_text, ClientScope.MAIL) is None
    assert [e.verb for e in events_for(app).order_by("id")] == [
        "client_app.issued",
        "client_app.revoked",
    ]


@pytest.mark.parametrize("who", ["owner", "supervisor"])
def test_only_an_administrator_issues_keys(personas, who):
    with pytest.raises(PermissionDenied):
        do_issue_client_key(Actor.staff(getattr(personas, who)), "Sneaky", ClientScope.OPEN311)
    assert not ClientApp.objects.exists()
