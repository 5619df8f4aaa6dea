"""The queue endpoints of the contract, over the Django test client (real database)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accueil.core.models import Event
from accueil.queues.actions import do_open_desk
from accueil.queues.models import QueueRules, Visit
from tests.api.test_api import bearer
from tests.factories import DeskFactory, ServiceFactory

ERROR_KEYS = {"code", "message"}


@pytest.fixture
def agent(personas):
    """The owner's token, sitting at desk 1 (calling needs an open desk)."""
    do_open_desk(personas.desk, personas.owner, [])
    return bearer(personas.owner)


def finish(client, agent, visit_id):
    """Record an outcome, so the desk can call again."""
    response = client.post(
        f"/api/v1/visits/{visit_id}/complete", content_type="application/json", headers=agent
    )
    assert response.status_code == 200


def take(client, personas, **body):
    payload = {"service": str(personas.service.id), "language": "fr", **body}
    headers = body.pop("headers", {}) if "headers" in body else {}
    return client.post(
        f"/api/v1/offices/{personas.office.id}/visits",
        payload,
        content_type="application/json",
        headers=headers,
    )


def test_check_in_answers_the_contract_shape(client, personas):
    response = take(client, personas)
    assert response.status_code == 201
    body = response.json()
    assert {"id", "ticket", "status", "position", "estimated_wait_seconds", "status_url"} <= set(
        body
    )
    assert body["status"] == "waiting"
    assert body["position"] == 1
    assert body["ticket"].endswith("-001")
    assert body["status_url"].endswith(f"/fr/visits/{body['id']}/{body['secret']}/")
    second = take(client, personas).json()
    assert second["position"] == 2
    assert Event.objects.filter(verb="visit.checked_in").count() == 2


def test_same_idempotency_key_makes_one_visit(client, personas):
    url = f"/api/v1/offices/{personas.office.id}/visits"
    body = {"service": str(personas.service.id)}
    headers = {"Idempotency-Key": "tap-1"}
    first = client.post(url, body, content_type="application/json", headers=headers)
    again = client.post(url, body, content_type="application/json", headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Visit.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"service": "not-a-uuid"}, "service"),
        ({}, "service"),
        ({"phone": "call me"}, None),
        ({"phone": "555-01"}, None),
        ({"email": "nobody@"}, None),
        ({"email": "a@b.ca\r\nBcc: x@y.z"}, None),
        ({"needs": ["vip"]}, "needs.0"),
        ({"language": "de"}, "language"),
    ],
)
def test_bad_check_in_gets_400_in_the_contract_shape(client, personas, body, field):
    payload = {"service": str(personas.service.id), **body}
    if body == {}:
        payload = {}
    response = client.post(
        f"/api/v1/offices/{personas.office.id}/visits", payload, content_type="application/json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error) >= ERROR_KEYS
    assert Visit.objects.count() == 0


def test_service_of_another_office_or_agency_is_refused(client, personas):
    response = take(client, personas, service=str(personas.stranger_service.id))
    assert response.status_code == 400
    other = ServiceFactory(agency=personas.agency, offices=[personas.other_office])
    assert take(client, personas, service=str(other.id)).status_code == 400


def test_unknown_office_is_404_and_messages_follow_the_language(client, personas):
    url = "/api/v1/offices/00000000-0000-0000-0000-000000000000/visits"
    body = {"service": str(personas.service.id)}
    fr = client.post(url, body, content_type="application/json", headers={"accept-language": "fr"})
    en = client.post(url, body, content_type="application/json", headers={"accept-language": "en"})
    assert fr.status_code == en.status_code == 404
    assert fr.json()["error"]["message"] != en.json()["error"]["message"]


def test_phone_is_kept_in_e164(client, personas):
    body = take(client, personas, phone="(514) 555-0100").json()
    assert Visit.objects.get(id=body["id"]).phone == "+15145550100"


def test_check_in_is_rate_limited_per_client(client, personas, settings):
    settings.CHECK_IN_RATE = "3/60"
    codes = [take(client, personas).status_code for _ in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    response = take(client, personas)
    assert int(response["Retry-After"]) >= 1
    assert response.json()["error"]["code"] == "rate_limited"
    assert Visit.objects.count() == 3


def test_visit_status_and_cancel(client, personas):
    visit = take(client, personas).json()
    key = f"secret={visit['secret']}"
    status = client.get(f"/api/v1/visits/{visit['id']}?{key}")
    assert status.status_code == 200 and status.json()["ticket"] == visit["ticket"]
    cancelled = client.post(f"/api/v1/visits/{visit['id']}/cancel?{key}")
    assert cancelled.json()["status"] == "cancelled"
    again = client.post(f"/api/v1/visits/{visit['id']}/cancel?{key}")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    assert client.get("/api/v1/visits/not-a-uuid").status_code in (400, 404)
    missing = client.get("/api/v1/visits/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404


def test_call_next_serves_in_order_then_answers_204(client, personas, agent):
    first = take(client, personas).json()
    priority = take(client, personas, needs=["accessibility"]).json()
    url = f"/api/v1/desks/{personas.desk.id}/call-next"
    called = client.post(url, headers=agent)
    assert called.status_code == 200
    assert called.json()["id"] == priority["id"]  # a declared need goes first
    assert called.json()["desk"] == "1"
    finish(client, agent, priority["id"])
    assert client.post(url, headers=agent).json()["id"] == first["id"]
    finish(client, agent, first["id"])
    assert client.post(url, headers=agent).status_code == 204


def test_office_can_turn_priority_off(client, personas, agent):
    QueueRules.objects.create(office=personas.office, priority_first=False)
    first = take(client, personas).json()
    take(client, personas, needs=["accessibility"])
    called = client.post(f"/api/v1/desks/{personas.desk.id}/call-next", headers=agent)
    assert called.json()["id"] == first["id"]


def test_call_next_needs_a_token_of_the_agency(client, personas):
    url = f"/api/v1/desks/{personas.desk.id}/call-next"
    assert client.post(url).status_code == 401
    assert client.post(url, headers=bearer(personas.stranger)).status_code == 404
    other_desk = DeskFactory(office=personas.other_office)
    # The owner works at one office only: another office's desk does not exist for them.
    response = client.post(
        f"/api/v1/desks/{other_desk.id}/call-next", headers=bearer(personas.owner)
    )
    assert response.status_code == 404


def test_serving_a_visit_start_to_finish(client, personas, agent):
    visit = take(client, personas).json()
    client.post(f"/api/v1/desks/{personas.desk.id}/call-next", headers=agent)
    base = f"/api/v1/visits/{visit['id']}"
    assert client.post(f"{base}/start", headers=agent).json()["status"] == "serving"
    done = client.post(
        f"{base}/complete", {"outcome": "referred"}, content_type="application/json", headers=agent
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert Visit.objects.get(id=visit["id"]).outcome == "referred"
    again = client.post(f"{base}/complete", content_type="application/json", headers=agent)
    assert again.status_code == 409
    verbs = list(
        Event.objects.filter(object_id=visit["id"]).order_by("id").values_list("verb", flat=True)
    )
    assert verbs == ["visit.checked_in", "visit.called", "visit.started", "visit.completed"]
    completed = Event.objects.get(object_id=visit["id"], verb="visit.completed")
    assert {"busy", "hour", "service"} <= set(completed.data)


def test_bad_outcome_is_400(client, personas, agent):
    visit = take(client, personas).json()
    client.post(f"/api/v1/desks/{personas.desk.id}/call-next", headers=agent)
    response = client.post(
        f"/api/v1/visits/{visit['id']}/complete",
        {"outcome": "whatever"},
        content_type="application/json",
        headers=agent,
    )
    assert response.status_code == 400


def test_recall_waits_the_minimum_delay_and_no_show_needs_a_recall(client, personas, agent):
    visit = take(client, personas).json()
    client.post(f"/api/v1/desks/{personas.desk.id}/call-next", headers=agent)
    base = f"/api/v1/visits/{visit['id']}"
    too_soon = client.post(f"{base}/recall", headers=agent)
    assert too_soon.status_code == 409 and too_soon.json()["error"]["code"] == "too_soon"
    early = client.post(f"{base}/no-show", headers=agent)
    assert early.status_code == 409 and early.json()["error"]["code"] == "recall_first"
    Visit.objects.filter(id=visit["id"]).update(called_at=timezone.now() - timedelta(minutes=1))
    recalled = client.post(f"{base}/recall", headers=agent)
    assert recalled.status_code == 200
    assert Visit.objects.get(id=visit["id"]).recalls == 1
    assert client.post(f"{base}/no-show", headers=agent).json()["status"] == "no_show"


def test_transfer_keeps_the_original_arrival(client, personas, agent):
    other = ServiceFactory(agency=personas.agency, offices=[personas.office], ticket_prefix="B")
    personas.desk.services.add(other)
    moved = take(client, personas).json()
    later = take(client, personas, service=str(other.id)).json()
    client.post(f"/api/v1/desks/{personas.desk.id}/call-next", headers=agent)
    response = client.post(
        f"/api/v1/visits/{moved['id']}/transfer",
        {"service": str(other.id)},
        content_type="application/json",
        headers=agent,
    )
    assert response.status_code == 200 and response.json()["status"] == "waiting"
    # By arrival (the default): the transferred visitor arrived first, so goes first.
    nxt = client.post(f"/api/v1/desks/{personas.desk.id}/call-next", headers=agent).json()
    assert nxt["id"] == moved["id"]
    assert later["id"] != nxt["id"]


def test_transfer_to_a_desk_waits_for_that_desk_only(client, personas, agent):
    desk2 = DeskFactory(office=personas.office, label="2")
    desk2.services.set([personas.service])
    visit = take(client, personas).json()
    client.post(f"/api/v1/desks/{personas.desk.id}/call-next", headers=agent)
    client.post(
        f"/api/v1/visits/{visit['id']}/transfer",
        {"desk": str(desk2.id)},
        content_type="application/json",
        headers=agent,
    )
    assert (
        client.post(f"/api/v1/desks/{personas.desk.id}/call-next", headers=agent).status_code == 204
    )
    do_open_desk(desk2, personas.colleague, [])
    colleague = bearer(personas.colleague)
    got = client.post(f"/api/v1/desks/{desk2.id}/call-next", headers=colleague).json()
    assert got["id"] == visit["id"]


def test_transfer_needs_a_target_and_refuses_foreign_ones(client, personas, agent):
    visit = take(client, personas).json()
    client.post(f"/api/v1/desks/{personas.desk.id}/call-next", headers=agent)
    url = f"/api/v1/visits/{visit['id']}/transfer"
    empty = client.post(url, {}, content_type="application/json", headers=agent)
    assert empty.status_code == 409
    foreign = client.post(
        url,
        {"service": str(personas.stranger_service.id)},
        content_type="application/json",
        headers=agent,
    )
    assert foreign.status_code == 400


def test_staff_cannot_serve_another_agencys_visit(client, personas):
    visit = take(client, personas).json()
    response = client.post(f"/api/v1/visits/{visit['id']}/start", headers=bearer(personas.stranger))
    assert response.status_code == 404


def test_board_and_event_snapshot(client, personas, agent):
    take(client, personas)
    client.post(f"/api/v1/desks/{personas.desk.id}/call-next", headers=agent)
    take(client, personas)
    board = client.get(f"/api/v1/offices/{personas.office.id}/board").json()
    assert board["calls"][0]["ticket"].endswith("-001")
    assert board["calls"][0]["desk"] == "1"
    assert board["services"][0]["waiting"] == 1
    events = client.get(f"/api/v1/offices/{personas.office.id}/events")
    assert events["Content-Type"].startswith("text/event-stream")
    assert b"event: board" in events.content and b"retry:" in events.content
    missing = "/api/v1/offices/00000000-0000-0000-0000-000000000000/board"
    assert client.get(missing).status_code == 404


def test_offices_list_waiting_counts_and_waits(client, personas, agent):
    take(client, personas)
    take(client, personas)
    client.post(f"/api/v1/desks/{personas.desk.id}/call-next", headers=agent)
    offices = client.get("/api/v1/offices").json()
    office = next(o for o in offices if o["id"] == str(personas.office.id))
    service = office["services"][0]
    assert service["waiting"] == 1
    assert service["estimated_wait_seconds"] is not None  # desk 1 is serving this line


def test_queue_paths_are_in_the_openapi_document(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in [
        "/api/v1/offices/{office}/visits",
        "/api/v1/visits/{visit}",
        "/api/v1/visits/{visit}/cancel",
        "/api/v1/desks/{desk}/call-next",
        "/api/v1/visits/{visit}/recall",
        "/api/v1/visits/{visit}/start",
        "/api/v1/visits/{visit}/complete",
        "/api/v1/visits/{visit}/no-show",
        "/api/v1/visits/{visit}/transfer",
        "/api/v1/offices/{office}/events",
    ]:
        assert path in paths, path
