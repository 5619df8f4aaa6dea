"""The database going away: every API answer is a 503 with Retry-After in the contract's shape,
pages get the bilingual 503, and a call that committed is reported as the success it is.

On PostgreSQL the connection is really cut (``pg_terminate_backend`` on this process's own
session); on SQLite the driver fails the next statement (see tests/security/outage.py).
"""

import pytest

from accueil.notify.models import Message
from accueil.notify.templates_text import load_files
from accueil.queues.actions import do_check_in, do_open_desk
from accueil.queues.models import Visit, VisitStatus
from tests.api.test_api import bearer
from tests.security.outage import drop_now, dropping_when, restore

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def outage():
    yield
    restore()


def assert_unavailable(response, language="fr"):
    assert response.status_code == 503, response.content[:300]
    assert int(response["Retry-After"]) >= 1
    error = response.json()["error"]
    assert error["code"] == "unavailable"
    expected = "indisponible" if language == "fr" else "unavailable"
    assert expected in error["message"]


@pytest.mark.parametrize("debug", [False, True])  # `make run` once ran with DEBUG on
def test_a_public_api_call_during_an_outage_is_a_503(client, personas, outage, settings, debug):
    settings.DEBUG = debug
    drop_now()
    assert_unavailable(client.get("/api/v1/offices"))


@pytest.mark.parametrize("debug", [False, True])
def test_a_token_checked_during_an_outage_is_a_503_not_a_401(
    client, personas, outage, settings, debug
):
    settings.DEBUG = debug
    token = bearer(personas.owner)
    drop_now()
    response = client.get("/api/v1/me", headers={**token, "accept-language": "en"})
    assert_unavailable(response, "en")


def test_a_page_whose_template_meets_the_outage_is_the_bilingual_503(client, personas, outage):
    with dropping_when("accueil.site.views.render"):  # the queries run as the template iterates
        response = client.get("/en/")
    assert response.status_code == 503
    assert int(response["Retry-After"]) >= 1
    page = response.content.decode()
    assert "briefly unavailable" in page


def test_a_call_whose_after_commit_work_meets_the_outage_is_still_a_success(
    client, personas, outage
):
    """The visitor was called (and told): the agent must hear so, not get an error and call
    someone else. What the after-commit step did not send, the worker sends later."""
    load_files()
    do_open_desk(personas.desk, personas.owner, [])
    first = do_check_in(personas.office, personas.service)
    later = [
        do_check_in(personas.office, personas.service, email=f"p{i}@example.ca") for i in range(3)
    ]
    with dropping_when("accueil.queues.notices.near_turns"):
        response = client.post(
            f"/api/v1/desks/{personas.desk.id}/call-next", headers=bearer(personas.owner)
        )
    assert response.status_code == 200, response.content[:300]
    assert response.json()["id"] == str(first.id)
    restore()
    assert Visit.objects.get(id=first.id).status == VisitStatus.CALLED
    assert not Message.objects.filter(reason_type="visit.turn_near").exists()

    from accueil.core.housekeeping import run_housekeeping

    assert run_housekeeping()["near_notices"] == 3  # the worker's pass sends what was missed
    near = set(
        Message.objects.filter(reason_type="visit.turn_near").values_list("reason_id", flat=True)
    )
    assert near == {str(v.id) for v in later}
    assert run_housekeeping()["near_notices"] == 0  # and only once


def test_a_check_in_whose_prediction_meets_the_outage_is_still_a_ticket(client, personas, outage):
    """The visit committed: answering an error would make the person take a second ticket."""
    with dropping_when("accueil.queues.waits.predict"):
        response = client.post(
            f"/api/v1/offices/{personas.office.id}/visits",
            {"service": str(personas.service.id), "needs": ["accessibility"]},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content[:300]
    restore()
    assert Visit.objects.filter(id=response.json()["id"]).exists()
    assert Visit.objects.count() == 1


def test_the_outage_handlers_see_through_wrapped_driver_errors():
    import sqlite3

    from accueil.core.outage import is_database_outage

    try:
        try:
            raise sqlite3.OperationalError("disk I/O error")
        except sqlite3.OperationalError as driver:
            raise RuntimeError("while rendering a template") from driver
    except RuntimeError as wrapped:
        assert is_database_outage(wrapped)
    assert not is_database_outage(ValueError("a bug"))


def test_an_outage_after_the_view_in_a_middleware_is_the_bilingual_503(client, personas, outage):
    """Signing in saves the session after the view, in a middleware: Django turns what fails
    there into a 500 before any middleware sees it; the 500 handler tells the outage apart."""
    from tests.factories import TEST_PASSWORD

    with dropping_when("django.contrib.sessions.middleware.SessionMiddleware.process_response"):
        response = client.post(
            "/fr/login/", {"username": personas.owner.username, "password": TEST_PASSWORD}
        )
    assert response.status_code == 503, response.content.decode()[-1500:]
    assert int(response["Retry-After"]) >= 1
    assert "indisponible" in response.content.decode()
