"""Idempotency keys belong to whoever sent them: another client's identical key is another
request, and the same key with a different body is refused (as Stripe's API does)."""

import pytest

from accueil.queues.models import Visit
from tests.api.test_api import bearer
from tests.factories import ServiceFactory


def check_in(client, personas, key, address="203.0.113.1", headers=None, **body):
    return client.post(
        f"/api/v1/offices/{personas.office.id}/visits",
        {"service": str(personas.service.id), **body},
        content_type="application/json",
        headers={"Idempotency-Key": key, **(headers or {})},
        REMOTE_ADDR=address,
    )


def test_a_retry_from_the_same_client_gets_the_same_visit(client, personas):
    first = check_in(client, personas, "tap-1").json()
    again = check_in(client, personas, "tap-1").json()
    assert again["id"] == first["id"] and Visit.objects.count() == 1


def test_another_client_with_the_same_key_gets_its_own_visit_not_the_first(client, personas):
    mine = check_in(client, personas, "tap-1", address="203.0.113.1").json()
    theirs = check_in(client, personas, "tap-1", address="198.51.100.7").json()
    assert theirs["id"] != mine["id"]
    assert mine["secret"] not in str(theirs)  # nor any power over the first visit
    assert Visit.objects.count() == 2


def test_an_agent_token_and_an_anonymous_client_do_not_share_keys(client, personas):
    anonymous = check_in(client, personas, "tap-1").json()
    staff = check_in(client, personas, "tap-1", headers=bearer(personas.owner)).json()
    assert staff["id"] != anonymous["id"]


@pytest.mark.parametrize(
    "change",
    [{"phone": "514 555 0100"}, {"language": "en"}, {"needs": ["accessibility"]}, "service"],
)
def test_the_same_key_with_another_body_is_refused(client, personas, change):
    check_in(client, personas, "tap-1")
    if change == "service":
        other = ServiceFactory(agency=personas.agency, offices=[personas.office])
        change = {"service": str(other.id)}
    response = check_in(client, personas, "tap-1", **change)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_mismatch"
    assert Visit.objects.count() == 1
