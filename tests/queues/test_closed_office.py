"""A closed office hands out no ticket from the kiosk, web check-in or the API, and says when
it opens again, in the person's language; staff can still add a visitor."""

import uuid
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from accueil.catalog.models import Closure
from accueil.lib.dates import day_and_time
from accueil.queues.models import QueueRules, Visit
from tests.factories import TEST_PASSWORD


@pytest.fixture
def closed_until_tomorrow_morning(personas):
    """Closed now (works on the counter), open again tomorrow at 8:30, local time."""
    office = personas.office
    now = timezone.now()
    tomorrow = now.astimezone(office.zone).date() + timedelta(days=1)
    reopens = datetime.combine(tomorrow, time(8, 30), tzinfo=office.zone)
    Closure.objects.create(
        office=office,
        starts_at=now - timedelta(hours=1),
        ends_at=reopens,
        reason_fr="Travaux",
        reason_en="Works",
    )
    return reopens


@pytest.mark.parametrize("path", ["kiosk", "check-in"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_kiosk_and_web_check_in_refuse_and_say_when(
    client, personas, closed_until_tomorrow_morning, path, language
):
    url = f"/{language}/{path}/{personas.office.id}/"
    when = day_and_time(closed_until_tomorrow_morning, language, year=False)
    page = client.get(url).content.decode()
    assert when in page
    response = client.post(url, {"service": personas.service.id, "attempt": uuid.uuid4()})
    assert response.status_code == 409
    assert when in response.content.decode()
    assert Visit.objects.count() == 0


def test_the_api_refuses_with_the_next_opening(client, personas, closed_until_tomorrow_morning):
    response = client.post(
        f"/api/v1/offices/{personas.office.id}/visits",
        {"service": str(personas.service.id)},
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "office_closed"
    assert datetime.fromisoformat(error["opens_at"]) == closed_until_tomorrow_morning
    assert "opens again" in error["message"]
    assert Visit.objects.count() == 0


def test_the_last_ticket_cut_off_applies_before_closing(client, personas):
    QueueRules.objects.create(office=personas.office, last_ticket=15)
    soon = timezone.now() + timedelta(minutes=10)  # the office closes in 10 minutes
    Closure.objects.create(
        office=personas.office,
        starts_at=soon,
        ends_at=soon + timedelta(days=1),
        reason_fr="Fin",
        reason_en="End",
    )
    response = client.post(
        f"/api/v1/offices/{personas.office.id}/visits",
        {"service": str(personas.service.id)},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "office_closed"


def test_staff_can_still_add_a_visitor(client, personas, closed_until_tomorrow_morning):
    from accueil.queues.actions import do_open_desk

    session = do_open_desk(personas.desk, personas.owner, [])
    client.post("/fr/login/", {"username": "owner", "password": TEST_PASSWORD})
    client.post(
        f"/fr/console/desk/{session.id}/visitors/",
        {
            "visitor-service": personas.service.id,
            "visitor-source": "counter",
            "visitor-language": "fr",
        },
    )
    assert Visit.objects.count() == 1
