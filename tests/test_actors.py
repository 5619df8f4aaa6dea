"""Each kind of actor reaches only what it may, through the same actions from page and API.

Personas (tests/conftest.py): the owner works at ``office``; ``other_office`` is the same
agency's; the stranger works for another agency. Every refusal is checked twice: the answer,
and that nothing changed."""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accueil.accounts.actions import do_issue_kiosk_token, do_issue_token
from accueil.accounts.models import ApiToken, TokenKind
from accueil.api.auth import token_actor
from accueil.core.actors import SYSTEM, Actor, ActorKind
from accueil.core.events import record_event
from accueil.core.models import Event
from accueil.queues.actions import do_check_in, do_open_desk
from accueil.queues.models import DeskSession, Source, Visit, VisitStatus
from tests.factories import DeskFactory
from tests.test_authorization import sign_in


def take(client, office, service, token=None):
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return client.post(
        f"/api/v1/offices/{office.id}/visits",
        {"service": str(service.id)},
        content_type="application/json",
        headers=headers,
    )


@pytest.fixture
def kiosk_token(personas):
    _token, text = do_issue_kiosk_token(Actor.staff(personas.supervisor), personas.office, "hall")
    return text


def snapshot():
    """Everything an action could have changed."""
    return (
        list(Visit.objects.order_by("id").values_list("id", "status", "desk_id")),
        list(DeskSession.objects.order_by("id").values_list("id", "closed_at", "paused_at")),
        Event.objects.count(),
    )


# -- kiosk and integration tokens --------------------------------------------------------------


def test_a_kiosk_token_takes_tickets_at_its_office_without_the_anonymous_limit(
    client, personas, kiosk_token, settings
):
    settings.CHECK_IN_RATE = "2/60"
    answers = [take(client, personas.office, personas.service, kiosk_token) for _ in range(4)]
    assert [a.status_code for a in answers] == [201] * 4
    assert set(Visit.objects.values_list("source", flat=True)) == {Source.KIOSK}
    assert Event.objects.filter(verb="visit.checked_in", actor_kind=ActorKind.KIOSK).count() == 4
    # The anonymous limit still holds for everyone else at the same address.
    anonymous = [take(client, personas.office, personas.service).status_code for _ in range(3)]
    assert anonymous == [201, 201, 429]


def test_a_kiosk_token_reaches_nothing_else(client, personas, kiosk_token):
    do_open_desk(personas.desk, personas.owner, [], actor=Actor.staff(personas.owner))
    before = snapshot()
    headers = {"authorization": f"Bearer {kiosk_token}"}
    for office in (personas.other_office, personas.stranger_office):
        service = personas.service if office == personas.other_office else personas.stranger_service
        assert take(client, office, service, kiosk_token).status_code == 404
    staff_calls = [
        ("post", f"/api/v1/desks/{personas.desk.id}/call-next"),
        ("get", f"/api/v1/offices/{personas.office.id}/desks"),
        ("post", f"/api/v1/desks/{personas.desk.id}/close"),
    ]
    for method, url in staff_calls:
        assert getattr(client, method)(url, headers=headers).status_code == 403, url
    assert snapshot() == before


def test_the_token_command_issues_a_kiosk_token_for_one_office(personas, capsys):
    call_command("token", personas.supervisor.username, "--kiosk", str(personas.office.slug))
    token = ApiToken.objects.get(kind=TokenKind.KIOSK)
    assert list(token.offices.all()) == [personas.office]
    actor = token_actor(capsys.readouterr().out.strip())
    assert actor.kind == ActorKind.KIOSK and actor.office_ids == {personas.office.id}


def test_only_a_supervisor_of_the_office_issues_kiosk_tokens(personas):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(PermissionDenied):
        do_issue_kiosk_token(Actor.staff(personas.owner), personas.office, "x")
    with pytest.raises(Http404):
        do_issue_kiosk_token(Actor.staff(personas.stranger_admin), personas.office, "x")
    assert not ApiToken.objects.exists()


# -- citizens ----------------------------------------------------------------------------------


def test_a_visit_secret_cancels_that_visit_only(client, personas):
    mine = take(client, personas.office, personas.service).json()
    theirs = take(client, personas.office, personas.service).json()
    before = snapshot()
    wrong = client.post(f"/api/v1/visits/{theirs['id']}/cancel?secret={mine['secret']}")
    assert wrong.status_code == 404
    page = client.post(f"/fr/visits/{theirs['id']}/{mine['secret']}/cancel/")
    assert page.status_code == 404
    assert snapshot() == before
    right = client.post(f"/api/v1/visits/{mine['id']}/cancel?secret={mine['secret']}")
    assert right.json()["status"] == VisitStatus.CANCELLED
    event = Event.objects.get(verb="visit.cancelled")
    assert event.actor_kind == ActorKind.CITIZEN and event.actor is None
    assert Visit.objects.get(id=theirs["id"]).status == VisitStatus.WAITING


# -- staff of another office or agency ---------------------------------------------------------


def other_office_visit(personas):
    desk = DeskFactory(office=personas.other_office, label="9")
    desk.services.set([personas.service])
    visit = do_check_in(personas.other_office, personas.service)
    return desk, visit


@pytest.mark.parametrize("who", ["owner", "stranger"])
def test_staff_of_another_office_or_agency_get_404_and_change_nothing(client, personas, who):
    """The owner works at ``office`` only; the stranger at another agency."""
    desk, visit = other_office_visit(personas)
    helper = Actor.staff(personas.supervisor)
    do_open_desk(desk, personas.supervisor, [], actor=helper)
    user = getattr(personas, who)
    _, text = do_issue_token(Actor.staff(user), "t")
    headers = {"authorization": f"Bearer {text}"}
    before = snapshot()
    api_calls = [
        f"/api/v1/desks/{desk.id}/call-next",
        f"/api/v1/desks/{desk.id}/pause",
        f"/api/v1/visits/{visit.id}/cancel",
        f"/api/v1/visits/{visit.id}/complete",
        f"/api/v1/visits/{visit.id}/no-show",
    ]
    for url in api_calls:
        answer = client.post(url, {}, content_type="application/json", headers=headers)
        assert answer.status_code == 404, url
    assert client.get(f"/api/v1/visits/{visit.id}", headers=headers).status_code == 404
    sign_in(client, user)
    assert client.post(f"/fr/console/visits/{visit.id}/cancel/").status_code == 404
    assert client.post(f"/fr/console/visits/{visit.id}/complete/").status_code == 404
    assert snapshot() == before


def test_the_actions_themselves_refuse_an_actor_outside_the_office(personas):
    """Views check too, but the action is the last word: called directly, it refuses."""
    from django.http import Http404

    from accueil.queues import actions

    desk, visit = other_office_visit(personas)
    do_open_desk(desk, personas.supervisor, [], actor=Actor.staff(personas.supervisor))
    before = snapshot()
    for actor in (Actor.staff(personas.owner), Actor.staff(personas.stranger_admin)):
        with pytest.raises(Http404):
            actions.do_call_next(desk, actor=actor)
        with pytest.raises(Http404):
            actions.do_cancel(visit, actor=actor)
        with pytest.raises(Http404):
            actions.do_take_ticket(personas.other_office, personas.service, actor=actor)
    with pytest.raises(Http404):
        actions.do_cancel(visit, actor=Actor.citizen("visit", Visit().id))
    assert snapshot() == before
    assert actions.do_call_next(desk, actor=Actor.staff(personas.supervisor)).id == visit.id


def test_the_admin_shows_another_agencys_objects_to_nobody(client, personas):
    desk, _visit = other_office_visit(personas)
    sign_in(client, personas.stranger_admin)
    response = client.get(f"/admin/catalog/desk/{desk.id}/change/")
    assert response.status_code in (302, 404)
    assert client.post(f"/admin/catalog/desk/{desk.id}/delete/", {"post": "yes"}).status_code in (
        302,
        404,
    )
    assert type(desk).objects.filter(id=desk.id).exists()


# -- the token check and the event log ---------------------------------------------------------


def test_a_token_is_checked_in_one_query(personas):
    _, text = do_issue_token(Actor.staff(personas.owner), "t")
    token_actor(text)  # the first use records when it was used (at most once a minute)
    with CaptureQueriesContext(connection) as queries:
        actor = token_actor(text)
    assert len(queries) == 1, json.dumps([q["sql"] for q in queries], indent=1)
    assert actor.kind == ActorKind.API and actor.office_ids == {personas.office.id}
    assert actor.has_role("agent") and not actor.has_role("supervisor")


def test_a_revoked_token_stops_at_once(personas):
    token, text = do_issue_token(Actor.staff(personas.owner), "t")
    assert token_actor(text) is not None
    ApiToken.objects.filter(id=token.id).update(revoked_at=token.created_at)
    assert token_actor(text) is None


def test_the_event_log_takes_only_an_actor(personas):
    with pytest.raises(TypeError):
        record_event("service.updated", personas.service, actor=personas.owner)
    with pytest.raises(TypeError):
        record_event("service.updated", personas.service, actor=None)
    event = record_event("service.updated", personas.service, actor=SYSTEM)
    assert event.actor_kind == ActorKind.SYSTEM and event.actor is None


def test_a_kiosk_token_that_lost_its_single_office_is_void(personas, kiosk_token):
    token = ApiToken.objects.get(kind=TokenKind.KIOSK)
    token.offices.add(personas.other_office)
    assert token_actor(kiosk_token) is None
    token.offices.clear()
    assert token_actor(kiosk_token) is None
