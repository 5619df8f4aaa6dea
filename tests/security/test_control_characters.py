"""A line break in an office name or a desk label once stopped every call at that office: the
"it's your turn" email could not be built inside the call's transaction. Names are refused
where they are typed, and a notice that cannot be built fails alone, visibly."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from accueil.catalog.models import Office
from accueil.notify.models import Message, Status
from accueil.notify.templates_text import load_files
from accueil.queues.actions import do_call_next, do_check_in, do_complete, do_open_desk
from accueil.queues.models import VisitStatus
from tests.factories import TEST_PASSWORD

CORPUS = json.loads((Path(__file__).parent / "corpus" / "control_characters.json").read_text())


def office_form(office, **changes):
    return {
        "name_fr": office.name_fr,
        "name_en": office.name_en,
        "address": office.address,
        "time_zone": office.time_zone,
        "phone": "",
        "email": "",
        "active": "on",
        "hours": "mon-fri 09:00-17:00",
        **changes,
    }


@pytest.fixture
def admin_client(client, personas):
    client.post("/fr/login/", {"username": personas.admin.username, "password": TEST_PASSWORD})
    return client


@pytest.mark.parametrize("name", CORPUS["refused"])
def test_the_settings_page_refuses_a_name_with_control_characters(admin_client, personas, name):
    url = f"/fr/staff/settings/offices/{personas.office.id}/"
    before = Office.objects.get(id=personas.office.id).name_fr
    response = admin_client.post(url, office_form(personas.office, name_fr=name))
    assert response.status_code == 400
    page = response.content.decode()
    # Line breaks and direction controls reach the form, which says why; untypeable controls
    # (escape, C1) are refused for every form at the door, before anything echoes them.
    assert "sans caractères de contrôle" in page or "n’a pas pu être comprise" in page
    assert Office.objects.get(id=personas.office.id).name_fr == before


@pytest.mark.parametrize("name", CORPUS["accepted"])
def test_ordinary_french_names_are_kept(admin_client, personas, name):
    url = f"/fr/staff/settings/offices/{personas.office.id}/"
    assert admin_client.post(url, office_form(personas.office, name_fr=name)).status_code == 302
    assert Office.objects.get(id=personas.office.id).name_fr == name


@pytest.mark.parametrize("label", CORPUS["refused"])
def test_every_form_of_a_desk_label_refuses_control_characters(personas, label):
    """The admin's forms (desks are edited inline under their office) validate the model."""
    personas.desk.label = label
    with pytest.raises(ValidationError):
        personas.desk.full_clean()


def test_a_notice_that_cannot_be_built_fails_alone_and_the_call_goes_on(client, personas):
    """An office named before names were checked: the call succeeds, the visitor is called,
    and the notice that could not be written is a failed row staff can see."""
    load_files()
    Office.objects.filter(id=personas.office.id).update(name_fr="Bureau\nBcc: x@example.com")
    do_open_desk(personas.desk, personas.owner, [])
    first = do_check_in(personas.office, personas.service, email="camille@example.ca")
    second = do_check_in(personas.office, personas.service, email="dominique@example.ca")
    called = do_call_next(personas.desk)
    assert called.id == first.id and called.status == VisitStatus.CALLED
    failed = Message.objects.get(reason_type="visit.called", reason_id=str(first.id))
    assert failed.status == Status.FAILED and "line break" in failed.error
    do_complete(called)
    assert do_call_next(personas.desk).id == second.id  # the office's queue keeps moving
