"""The request lifecycle through its actions, on a real database."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404

from accueil.cases import actions
from accueil.cases.models import Case, Message, Status
from accueil.core.actions import ActionError
from accueil.core.actors import PUBLIC, Actor
from accueil.core.models import Event
from accueil.notify.models import Message as Outbox
from tests.cases.conftest import intake
from tests.factories import OfficeFactory

MONTREAL = ZoneInfo("America/Montreal")
TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=MONTREAL)


def open_case(world, **overrides):
    return actions.do_open_case(
        PUBLIC, service=world.service, channel="web", intake=intake(**overrides), now=TUESDAY_10
    )


def test_a_web_request_is_numbered_routed_timed_and_acknowledged(world):
    case = open_case(world)
    assert case.reference.startswith("R-2026-") and len(case.reference) == 13
    assert case.team == world.team and case.assignee in world.agents
    # 8 business hours from Tuesday 10:00 on 9-17 weekdays: Wednesday 10:00.
    assert case.response_due_at == datetime(2026, 12, 2, 10, 0, tzinfo=MONTREAL)
    assert case.response_state == "running"
    ack = Outbox.objects.get(template="case.received")
    assert ack.recipient == "lea@example.org"
    assert actions.tracking_url(case) in ack.body
    assert Event.objects.filter(verb="case.opened", object_id=str(case.id)).exists()


def test_least_loaded_assignment_alternates_between_two_free_agents(world):
    first = open_case(world)
    second = open_case(world)
    assert {first.assignee, second.assignee} == set(world.agents)


def test_the_citizen_with_the_secret_sees_the_case_and_nobody_else_does(world):
    case = open_case(world)
    citizen = actions.citizen_of_case(case.reference, case.tracking_secret)
    assert actions.access_case(citizen, case.reference) == case
    with pytest.raises(Http404):
        actions.citizen_of_case(case.reference, "x" * len(case.tracking_secret))
    with pytest.raises(Http404):
        actions.access_case(Actor.staff(world.stranger), case.reference)
    with pytest.raises(Http404):
        actions.access_case(PUBLIC, case.reference)


def test_waiting_for_the_citizen_pauses_and_their_reply_resumes(world):
    case = open_case(world)
    agent = Actor.staff(case.assignee)
    actions.do_reply(agent, case, "Pouvez-vous préciser l’adresse ?", now=TUESDAY_10)
    actions.do_change_status(agent, case, Status.WAITING, now=TUESDAY_10 + timedelta(hours=1))
    case.refresh_from_db()
    assert case.resolution_state == "paused"
    citizen = actions.citizen_of_case(case.reference, case.tracking_secret)
    later = TUESDAY_10 + timedelta(days=1, hours=1)  # Wednesday 11:00: one business day paused
    actions.do_citizen_reply(citizen, case, "C’est au coin de la rue.", now=later)
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.resolution_state == "running"
    assert Message.objects.filter(case=case, kind="citizen").count() == 1


def test_the_second_of_two_concurrent_status_changes_gets_a_conflict(world):
    case = open_case(world)
    agent = Actor.staff(case.assignee)
    seen = case.version
    other_view = Case.objects.get(pk=case.pk)
    actions.do_change_status(agent, case, Status.IN_PROGRESS, version=seen, now=TUESDAY_10)
    with pytest.raises(ActionError) as refused:
        actions.do_change_status(agent, other_view, Status.RESOLVED, version=seen, now=TUESDAY_10)
    assert refused.value.code == "conflict"


def test_opposite_merges_the_second_is_refused(world):
    one, two = open_case(world), open_case(world)
    agent = Actor.staff(world.agents[0])
    stale_two = Case.objects.get(pk=two.pk)
    actions.do_merge(agent, one, two, now=TUESDAY_10)
    with pytest.raises(ActionError):
        actions.do_merge(agent, stale_two, Case.objects.get(pk=one.pk), now=TUESDAY_10)
    assert Case.objects.get(pk=two.pk).duplicate_of_id is None


def test_a_merged_duplicates_citizen_gets_the_originals_notices(world):
    original = open_case(world, email="first@example.org")
    duplicate = open_case(world, email="second@example.org")
    agent = Actor.staff(world.agents[0])
    actions.do_merge(agent, duplicate, original, now=TUESDAY_10)
    actions.do_change_status(agent, original, Status.RESOLVED, now=TUESDAY_10)
    told = set(
        Outbox.objects.filter(template="case.status_changed").values_list("recipient", flat=True)
    )
    assert {"first@example.org", "second@example.org"} <= told


def test_a_resolved_case_reopens_on_a_reply_within_the_window_only(world):
    case = open_case(world)
    agent = Actor.staff(case.assignee)
    actions.do_change_status(agent, case, Status.RESOLVED, now=TUESDAY_10)
    citizen = actions.citizen_of_case(case.reference, case.tracking_secret)
    actions.do_citizen_reply(
        citizen, case, "Ce n’est pas réparé.", now=TUESDAY_10 + timedelta(days=3)
    )
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    actions.do_change_status(agent, case, Status.RESOLVED, now=TUESDAY_10 + timedelta(days=4))
    with pytest.raises(ActionError) as refused:
        actions.do_citizen_reply(citizen, case, "Encore.", now=TUESDAY_10 + timedelta(days=30))
    assert refused.value.code == "closed"


def test_staff_of_another_agency_cannot_take_a_phone_request(world):
    with pytest.raises(Http404):
        actions.do_open_case(
            Actor.staff(world.stranger), service=world.service, channel="phone", intake=intake()
        )


def test_the_clock_job_raises_a_warning_then_a_breach_once_each(world):
    case = open_case(world)
    assert actions.do_check_clocks(TUESDAY_10 + timedelta(days=1, hours=-1)) >= 1
    assert Event.objects.filter(verb="case.clock_warning", object_id=str(case.id)).count() == 1
    actions.do_check_clocks(TUESDAY_10 + timedelta(days=1, minutes=1))
    actions.do_check_clocks(TUESDAY_10 + timedelta(days=1, minutes=2))
    assert Event.objects.filter(verb="case.clock_breached", object_id=str(case.id)).count() == 1


def test_retention_removes_personal_data_and_keeps_the_facts(world):
    case = open_case(world)
    agent = Actor.staff(case.assignee)
    actions.do_reply(agent, case, "Réparé demain.", now=TUESDAY_10)
    actions.do_change_status(agent, case, Status.RESOLVED, now=TUESDAY_10)
    actions.do_close_resolved(TUESDAY_10 + timedelta(days=15))
    actions.do_forget_expired(TUESDAY_10 + timedelta(days=15 + 366))
    case.refresh_from_db()
    assert case.anonymised_at is not None
    assert case.description == "" and case.contact_email == "" and case.fields == {}
    assert not Message.objects.filter(case=case).exclude(body="").exists()
    assert case.service_id == world.service.id and case.status == Status.CLOSED


def test_a_duplicates_citizen_reply_stays_theirs_and_moves_the_original(world):
    original = open_case(world, email="first@example.org")
    duplicate = open_case(world, email="second@example.org")
    agent = Actor.staff(world.agents[0])
    actions.do_merge(agent, duplicate, original, now=TUESDAY_10)
    actions.do_change_status(agent, original, Status.WAITING, now=TUESDAY_10)
    citizen = actions.citizen_of_case(duplicate.reference, duplicate.tracking_secret)
    message = actions.do_citizen_reply(
        citizen, duplicate, "Même problème chez moi.", now=TUESDAY_10
    )
    assert message.case_id == duplicate.pk  # the original's citizen never reads it
    assert not Message.objects.filter(case=original, kind="citizen").exists()
    original.refresh_from_db()
    assert original.status == Status.IN_PROGRESS  # the work resumes where agents do it


def test_a_request_is_given_only_to_an_agent_who_can_open_it(world):
    elsewhere = OfficeFactory(agency=world.agency)
    world.agents[0].offices.set([elsewhere])  # ana now works in another office only
    for _ in range(3):
        assert open_case(world).assignee == world.agents[1]


def test_an_agent_cannot_record_a_request_they_could_not_then_open(world, client):
    elsewhere = OfficeFactory(agency=world.agency)
    world.agents[0].offices.set([elsewhere])
    agent = Actor.staff(world.agents[0])
    with pytest.raises(ActionError) as refused:
        actions.do_open_case(agent, service=world.service, channel="phone", intake=intake())
    assert refused.value.code == "not_your_office" and not Case.objects.exists()
    assert actions.staff_can_record(agent, [world.service]) == []
    client.force_login(world.agents[0])
    assert world.service.name_fr not in client.get("/fr/cases/new/").content.decode()
