"""Kiosk, web check-in, poster, status page, display board, console and service notices."""

import re
import uuid

import pytest

from accueil.notify.models import Message
from accueil.notify.templates_text import load_files
from accueil.queues.actions import do_call_next, do_check_in, do_complete, do_open_desk
from accueil.queues.models import DeskSession, Visit, VisitStatus
from tests.factories import TEST_PASSWORD


def sign_in(client, user):
    client.post("/fr/login/", {"username": user.username, "password": TEST_PASSWORD})


def check_in(client, personas, path="kiosk", language="fr", **fields):
    data = {"service": personas.service.id, "attempt": uuid.uuid4(), **fields}
    return client.post(f"/{language}/{path}/{personas.office.id}/", data)


@pytest.fixture
def desk_open(personas):
    """The owner sits at desk 1: calling needs an open desk."""
    return do_open_desk(personas.desk, personas.owner, [])


def test_kiosk_takes_a_ticket_and_shows_it(client, personas):
    page = client.get(f"/fr/kiosk/{personas.office.id}/")
    assert page.status_code == 200
    assert personas.service.name_fr in page.content.decode()
    response = check_in(client, personas, needs=["accessibility"], phone="514 555 0100")
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.source, visit.priority, visit.phone) == ("kiosk", True, "+15145550100")
    ticket = client.get(response["Location"])
    body = ticket.content.decode()
    assert visit.ticket in body and "<svg" in body
    assert "data-reset-after" in body  # the kiosk goes back to the start by itself


def test_kiosk_double_tap_makes_one_visit(client, personas):
    attempt = uuid.uuid4()
    for _ in range(2):
        check_in(client, personas, attempt=attempt)
    assert Visit.objects.count() == 1


def test_kiosk_without_a_service_explains_in_the_page_language(client, personas):
    fr = client.post(f"/fr/kiosk/{personas.office.id}/", {"attempt": uuid.uuid4()})
    en = client.post(f"/en/kiosk/{personas.office.id}/", {"attempt": uuid.uuid4()})
    assert fr.status_code == en.status_code == 400
    assert "Choisissez un service" in fr.content.decode()
    assert "Choose a service" in en.content.decode()
    assert Visit.objects.count() == 0


def test_english_kiosk_gives_an_english_visit(client, personas):
    check_in(client, personas, language="en")
    assert Visit.objects.get().language == "en"


def test_web_check_in_and_virtual_line(client, personas):
    refused = check_in(client, personas, path="check-in", remote="on")
    assert refused.status_code == 400  # waiting away needs a way to reach you
    response = check_in(client, personas, path="check-in", remote="on", email="a@example.ca")
    visit = Visit.objects.get()
    assert visit.source == "virtual"
    assert response["Location"] == f"/fr/visits/{visit.id}/{visit.secret}/"


def test_kiosk_is_rate_limited(client, personas, settings):
    settings.CHECK_IN_RATE = "2/60"
    statuses = [check_in(client, personas).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]


def test_poster_leads_to_web_check_in(client, personas):
    page = client.get(f"/en/poster/{personas.office.id}/").content.decode()
    assert f"/check-in/{personas.office.id}/" in page
    assert "<svg" in page


def test_status_page_shows_position_and_cancels(client, personas, desk_open):
    first = do_check_in(personas.office, personas.service)
    second = do_check_in(personas.office, personas.service)
    page = client.get(f"/fr/visits/{second.id}/{second.secret}/")
    assert page["Cache-Control"] == "no-store"
    assert "numéro 2" in page.content.decode()
    client.post(f"/fr/visits/{second.id}/{second.secret}/cancel/")
    second.refresh_from_db()
    assert second.status == VisitStatus.CANCELLED
    do_call_next(personas.desk)
    called = client.get(f"/en/visits/{first.id}/{first.secret}/").content.decode()
    assert "go to desk 1" in called


def test_display_board_shows_the_current_call(client, personas, desk_open):
    visit = do_check_in(personas.office, personas.service)
    do_call_next(personas.desk)
    page = client.get(f"/fr/display/{personas.office.id}/").content.decode()
    current = re.search(r'id="current-call".*?</div>', page, re.S).group(0)
    assert visit.ticket in current and "Guichet 1" in current
    assert "Now serving" in page  # the other language beside


def test_console_open_call_serve_and_close(client, personas):
    sign_in(client, personas.owner)
    page = client.get("/fr/console/")
    assert "Ouvrir mon guichet" in page.content.decode()
    client.post("/fr/console/desk/", {"desk": personas.desk.id, "services": [personas.service.id]})
    session = DeskSession.objects.get(agent=personas.owner, closed_at=None)
    visit = do_check_in(personas.office, personas.service)
    client.post(f"/fr/console/desk/{session.id}/call-next/")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CALLED and visit.desk == personas.desk
    console = client.get("/fr/console/").content.decode()
    assert visit.ticket in console and 'aria-keyshortcuts="N"' in console
    client.post(f"/fr/console/visits/{visit.id}/start/")
    client.post(f"/fr/console/visits/{visit.id}/complete/", {"outcome": "resolved"})
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE
    empty = client.post(f"/fr/console/desk/{session.id}/call-next/", follow=True)
    assert "Personne n’attend" in empty.content.decode()
    client.post(f"/fr/console/desk/{session.id}/pause/")
    session.refresh_from_db()
    assert session.paused_at is not None
    do_check_in(personas.office, personas.service)
    paused = client.post(f"/fr/console/desk/{session.id}/call-next/", follow=True)
    assert "pause" in paused.content.decode()
    client.post(f"/fr/console/desk/{session.id}/close/")
    session.refresh_from_db()
    assert session.closed_at is not None


def test_console_cannot_touch_a_colleagues_session(client, personas):
    session = do_open_desk(personas.desk, personas.colleague, [])
    sign_in(client, personas.owner)
    assert client.post(f"/fr/console/desk/{session.id}/close/").status_code == 404


@pytest.fixture
def templates(db):
    load_files()


def test_disruption_notice_reaches_each_person_in_their_language(client, personas, templates):
    french = do_check_in(personas.office, personas.service, phone="+15145550100", language="fr")
    english = do_check_in(personas.office, personas.service, email="a@example.ca", language="en")
    do_check_in(personas.office, personas.service)  # no contact: nothing to send
    sign_in(client, personas.supervisor)
    response = client.post(
        "/en/console/notices/",
        {
            "office": personas.office.id,
            "notice_fr": "Le bureau ferme à 15 h <b>aujourd’hui</b>.",
            "notice_en": "The office closes at 3 p.m. today.",
        },
        follow=True,
    )
    assert "Notice sent to 2 people" in response.content.decode()
    to_french = Message.objects.get(reason_id=str(french.id))
    to_english = Message.objects.get(reason_id=str(english.id))
    assert "ferme à 15" in to_french.body and to_french.channel == "sms"
    assert "closes at 3" in to_english.body and to_english.channel == "email"


def test_agents_cannot_send_disruption_notices(client, personas):
    sign_in(client, personas.owner)
    assert client.get("/fr/console/notices/").status_code == 403


def test_called_visitor_gets_a_notice_and_a_late_one_is_dropped(personas, templates, desk_open):
    visit = do_check_in(personas.office, personas.service, phone="+15145550100")
    do_call_next(personas.desk)
    message = Message.objects.get(reason_type="visit.called")
    assert visit.ticket in message.body and "1" in message.body
    from accueil.notify.checks import still_wanted

    assert still_wanted(message)
    do_complete(Visit.objects.get(id=visit.id))
    assert not still_wanted(message)  # served before the text went out: not sent


def test_near_turn_notice_goes_once_when_position_is_reached(
    personas, templates, desk_open, django_capture_on_commit_callbacks
):
    first = do_check_in(personas.office, personas.service)
    waiting = [
        do_check_in(personas.office, personas.service, email=f"p{i}@example.ca") for i in range(5)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        do_call_next(personas.desk)  # first is called; waiting[0..2] are now within 3
    near = set(
        Message.objects.filter(reason_type="visit.turn_near").values_list("reason_id", flat=True)
    )
    assert str(first.id) not in near
    assert {str(v.id) for v in waiting[:3]} <= near
    do_complete(Visit.objects.get(id=first.id))
    with django_capture_on_commit_callbacks(execute=True):
        do_call_next(personas.desk)
    again = Message.objects.filter(reason_type="visit.turn_near")
    assert again.count() == len(set(again.values_list("reason_id", flat=True)))  # once each


def test_agent_adds_a_walk_in_and_a_phone_caller(client, personas):
    sign_in(client, personas.owner)
    session = do_open_desk(personas.desk, personas.owner, [])
    url = f"/en/console/desk/{session.id}/visitors/"
    response = client.post(
        url,
        {
            "visitor-service": personas.service.id,
            "visitor-source": "phone",
            "visitor-language": "en",
            "visitor-phone": "",
        },
        follow=True,
    )
    visit = Visit.objects.get()
    assert (visit.source, visit.language) == ("phone", "en")
    assert f"Ticket {visit.ticket} added" in response.content.decode()
    bad = client.post(url, {"visitor-service": personas.service.id, "visitor-source": "vip"})
    assert bad.status_code == 302 and Visit.objects.count() == 1


def test_back_then_take_a_ticket_again_on_a_phone_keeps_one_ticket(client, personas):
    """The browser went back to the form (a new page, a new attempt) and the person tapped
    again: they get their ticket back, not a second one — unless it is for someone else."""
    first = check_in(client, personas, path="check-in")
    visit = Visit.objects.get()
    again = check_in(client, personas, path="check-in")
    assert again["Location"] == first["Location"] == f"/fr/visits/{visit.id}/{visit.secret}/"
    assert Visit.objects.count() == 1
    page = client.get(f"/fr/check-in/{personas.office.id}/").content.decode()
    assert visit.ticket in page and "?another=1" in page
    data = {"service": personas.service.id, "attempt": uuid.uuid4()}
    client.post(f"/fr/check-in/{personas.office.id}/?another=1", data)
    assert Visit.objects.count() == 2
