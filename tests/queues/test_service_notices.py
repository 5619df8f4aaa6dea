"""A service notice shows wherever people look until it expires or is withdrawn — not only
to those who left a phone or an email."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accueil.core.actors import SYSTEM
from accueil.notify.templates_text import load_files
from accueil.queues.actions import do_check_in
from accueil.queues.models import ServiceNotice
from accueil.queues.service_notices import do_publish_notice
from tests.factories import TEST_PASSWORD

NOTICE_FR = "Le comptoir des permis ferme à 15 h aujourd’hui."
NOTICE_EN = "The permit counter closes at 3 p.m. today."


def surfaces(client, personas, visit):
    office = personas.office.id
    return {
        "board": json.dumps(
            client.get(f"/api/v1/offices/{office}/board").json()["notices"], ensure_ascii=False
        ),
        "display": client.get(f"/fr/display/{office}/").content.decode(),
        "kiosk": client.get(f"/fr/kiosk/{office}/").content.decode(),
        "check-in": client.get(f"/fr/check-in/{office}/").content.decode(),
        "office": client.get(f"/fr/offices/{office}/").content.decode(),
        "status": client.get(f"/fr/visits/{visit.id}/{visit.secret}/").content.decode(),
        "status in English": client.get(f"/en/visits/{visit.id}/{visit.secret}/").content.decode(),
    }


@pytest.fixture
def supervisor(client, personas):
    load_files()
    client.post("/fr/login/", {"username": "supervisor", "password": TEST_PASSWORD})
    return client


def test_a_published_notice_shows_everywhere_then_goes_when_withdrawn(supervisor, personas):
    visit = do_check_in(personas.office, personas.service)  # no phone, no email
    response = supervisor.post(
        "/fr/console/notices/",
        {
            "office": personas.office.id,
            "notice_fr": NOTICE_FR,
            "notice_en": NOTICE_EN,
            "duration": "end_of_day",
        },
    )
    assert response.status_code == 302
    shown = surfaces(supervisor, personas, visit)
    for name, page in shown.items():
        expected = NOTICE_EN if "English" in name else NOTICE_FR
        assert expected in page, name
    notice = ServiceNotice.objects.get()
    supervisor.post(f"/fr/console/notices/{notice.id}/withdraw/")
    for name, page in surfaces(supervisor, personas, visit).items():
        assert "15 h" not in page and "3 p.m." not in page, name


def test_an_expired_notice_is_shown_no_more(personas):
    from django.test import Client

    visit = do_check_in(personas.office, personas.service)
    notice, _ = do_publish_notice(
        SYSTEM,
        office=personas.office,
        service=None,
        notice_fr=NOTICE_FR,
        notice_en=NOTICE_EN,
        duration="1",
        now=timezone.now() - timedelta(hours=2),
    )
    assert notice.expires_at < timezone.now()
    for name, page in surfaces(Client(), personas, visit).items():
        assert "15 h" not in page, name


def test_a_notice_for_one_line_shows_on_that_lines_tickets_only(personas):
    from django.test import Client

    from tests.factories import ServiceFactory

    other = ServiceFactory(agency=personas.agency, offices=[personas.office], ticket_prefix="B")
    mine = do_check_in(personas.office, personas.service)
    theirs = do_check_in(personas.office, other)
    load_files()
    do_publish_notice(
        SYSTEM,
        office=personas.office,
        service=other,
        notice_fr="Les passeports sont en retard.",
        notice_en="Passports are running late.",
    )
    client = Client()
    assert "en retard" in client.get(f"/fr/visits/{theirs.id}/{theirs.secret}/").content.decode()
    assert "en retard" not in client.get(f"/fr/visits/{mine.id}/{mine.secret}/").content.decode()


def test_only_supervisors_of_the_office_publish_or_withdraw(client, personas):
    load_files()
    notice, _ = do_publish_notice(
        SYSTEM, office=personas.office, service=None, notice_fr="Fermé.", notice_en="Closed."
    )
    client.post("/fr/login/", {"username": "stranger-boss", "password": TEST_PASSWORD})
    assert client.post(f"/fr/console/notices/{notice.id}/withdraw/").status_code == 404
    client.post("/fr/logout/")
    client.post("/fr/login/", {"username": "owner", "password": TEST_PASSWORD})
    assert client.post(f"/fr/console/notices/{notice.id}/withdraw/").status_code == 403
    notice.refresh_from_db()
    assert notice.withdrawn_at is None
