"""The wellbeing pulse: anonymous for real, one answer a week, and figures that never narrow
below five people — alone, through a combination of filters, or by subtraction."""

from datetime import timedelta

import pytest
from django.db import models
from django.utils import timezone

from accueil.accounts.models import Role
from accueil.core.actions import ActionError
from accueil.core.actors import Actor
from accueil.core.models import Event
from accueil.feedback import recognition
from accueil.feedback import recognition_actions as actions
from accueil.feedback.models import PulseAnswer, PulseReceipt
from tests.factories import OfficeFactory, UserFactory
from tests.feedback.recognition_helpers import sign_in

pytestmark = pytest.mark.django_db

LAST_WEEK = timezone.localdate() - timedelta(days=7)
WEEK = actions.week_of(LAST_WEEK)


def agents(agency, office, count, *, prefix):
    return [
        UserFactory(agency=agency, username=f"{prefix}-{n}", offices=[office] if office else [])
        for n in range(count)
    ]


def answer_all(users, mood=4, workload=3, comment="", today=LAST_WEEK):
    for user in users:
        actions.do_answer_pulse(
            Actor.staff(user), mood=mood, workload=workload, comment=comment, today=today
        )


def figures(personas, week=WEEK):
    return recognition.pulse_figures(
        Actor.staff(personas.supervisor), week, "Organisme", today=timezone.localdate()
    )


# -- anonymous for real ---------------------------------------------------------------------------


def test_an_answer_row_carries_no_person_no_time_and_no_order():
    fields = {field.name: field for field in PulseAnswer._meta.get_fields()}
    assert set(fields) == {"id", "agency", "office", "week", "mood", "workload", "comment"}
    assert not any(isinstance(f, (models.DateField, models.DateTimeField)) for f in fields.values())
    assert fields["id"].default.__name__ == "uuid4"  # random, not a counter
    receipt_fields = {field.name for field in PulseReceipt._meta.get_fields()}
    assert receipt_fields == {"id", "user", "week"}  # says *that*, never *what*


def test_answering_records_a_receipt_and_an_event_that_say_nothing_of_the_answer(personas):
    actions.do_answer_pulse(Actor.staff(personas.owner), mood=1, workload=5, comment="Épuisé")
    receipt = PulseReceipt.objects.get()
    assert receipt.user == personas.owner
    event = Event.objects.get(verb="pulse.answered")
    assert event.object_id == str(receipt.id)
    assert set(event.data) == {"week"}
    assert str(PulseAnswer.objects.get().id) not in str(event.data)


def test_one_answer_per_agent_and_week(personas):
    owner = Actor.staff(personas.owner)
    actions.do_answer_pulse(owner, mood=3, workload=3, today=LAST_WEEK)
    with pytest.raises(ActionError) as refused:
        actions.do_answer_pulse(owner, mood=5, workload=1, today=LAST_WEEK)
    assert refused.value.code == "pulse_already_answered"
    assert PulseAnswer.objects.count() == 1 and PulseReceipt.objects.count() == 1
    actions.do_answer_pulse(owner, mood=3, workload=3)  # this week is another week
    assert PulseAnswer.objects.count() == 2


@pytest.mark.parametrize("mood,workload", [(0, 3), (6, 3), (3, "x"), ("", 3)])
def test_answers_outside_one_to_five_are_refused_and_change_nothing(personas, mood, workload):
    with pytest.raises(ActionError):
        actions.do_answer_pulse(Actor.staff(personas.owner), mood=mood, workload=workload)
    assert not PulseAnswer.objects.exists() and not PulseReceipt.objects.exists()


def test_the_pulse_is_two_taps_and_nothing_is_written_before_the_second(client, personas):
    sign_in(client, personas.owner)
    assert client.get("/fr/staff/pulse/").status_code == 200
    step_two = client.post("/fr/staff/pulse/", {"mood": "4"})
    assert step_two.status_code == 200
    assert 'name="workload"' in step_two.content.decode()
    assert not PulseAnswer.objects.exists()
    done = client.post("/fr/staff/pulse/", {"mood": "4", "workload": "2", "comment": ""})
    assert done.status_code == 302
    assert PulseAnswer.objects.get().mood == 4
    assert 'name="mood"' not in client.get("/fr/staff/pulse/").content.decode()


# -- at least five, and never narrowed below five -------------------------------------------------


def test_a_week_with_fewer_than_five_answers_shows_nothing(personas):
    answer_all(agents(personas.agency, personas.office, 4, prefix="a"), comment="Trop de monde")
    week = figures(personas)
    assert not week.whole.shown and week.whole.mood is None
    assert not any(cell.shown for cell in week.offices)
    assert week.comments == []


def test_five_answers_show_the_agency_and_the_office(personas):
    answer_all(agents(personas.agency, personas.office, 5, prefix="a"), mood=4, workload=2)
    week = figures(personas)
    assert (week.whole.respondents, week.whole.mood, week.whole.workload) == (5, 4.0, 2.0)
    office = next(cell for cell in week.offices if cell.label == personas.office.name)
    assert office.shown and office.respondents == 5


def test_an_office_is_hidden_when_subtraction_would_expose_a_small_one(personas):
    # Office A 6 people, office B 2: showing the agency (8) and A (6) would give B's two
    # answers by subtraction. A is hidden; the agency alone is shown.
    answer_all(agents(personas.agency, personas.office, 6, prefix="a"), mood=5)
    answer_all(agents(personas.agency, personas.other_office, 2, prefix="b"), mood=1)
    week = figures(personas)
    assert week.whole.shown and week.whole.respondents == 8
    assert not any(cell.shown for cell in week.offices)


def test_agents_of_several_offices_count_only_agency_wide(personas):
    answer_all(agents(personas.agency, personas.office, 5, prefix="a"))
    answer_all(agents(personas.agency, None, 3, prefix="n"))  # every office: no single one
    week = figures(personas)
    assert week.whole.respondents == 8
    assert not any(cell.shown for cell in week.offices)  # 8 − 5 = 3 would be exposed


def test_no_combination_of_filters_narrows_below_five(client, personas):
    """Every figure the page can show, for every week and office filter, combined by sums and
    differences: each buildable group has no one or at least five people."""
    third = OfficeFactory(agency=personas.agency)
    answer_all(agents(personas.agency, personas.office, 7, prefix="a"))
    answer_all(agents(personas.agency, personas.other_office, 5, prefix="b"))
    answer_all(agents(personas.agency, third, 5, prefix="c"))
    answer_all(agents(personas.agency, None, 1, prefix="n"))
    week = figures(personas)
    shown = [cell.respondents for cell in week.offices if cell.shown]
    assert week.whole.respondents == 18
    leftover = week.whole.respondents - sum(shown)
    assert leftover == 0 or leftover >= 5
    assert all(count >= 5 for count in shown)
    # The supervisor of one office sees a subset of the same figures, never other ones.
    limited = UserFactory(agency=personas.agency, role=Role.SUPERVISOR, offices=[third])
    narrow = recognition.pulse_figures(Actor.staff(limited), WEEK, "Organisme")
    assert narrow.whole.respondents == week.whole.respondents
    assert [cell.label for cell in narrow.offices] == [third.name]


def test_the_current_week_is_never_shown_while_answers_still_arrive(client, personas):
    answer_all(agents(personas.agency, personas.office, 6, prefix="a"), today=timezone.localdate())
    this_week = actions.this_week()
    assert this_week not in recognition.closed_weeks()
    sign_in(client, personas.supervisor)
    assert client.get(f"/fr/staff/pulse/results/?week={this_week}").status_code == 404
    assert client.get("/fr/staff/pulse/results/?week=2026-W99").status_code == 404


def test_comments_show_only_in_a_group_of_five_and_without_dates(client, personas):
    people = agents(personas.agency, personas.office, 5, prefix="a")
    for n, user in enumerate(people):
        answer_all([user], comment=f"Commentaire numéro {n}")
    sign_in(client, personas.supervisor)
    page = client.get(f"/fr/staff/pulse/results/?week={WEEK}").content.decode()
    assert all(f"Commentaire numéro {n}" in page for n in range(5))
    expected = list(
        PulseAnswer.objects.order_by("id").values_list("comment", flat=True)
    )  # random ids: an order that says nothing of who or when
    assert figures(personas).comments == expected


def test_supervisors_only_see_the_results_and_agents_only_answer(client, personas):
    sign_in(client, personas.owner)
    assert client.get("/fr/staff/pulse/results/").status_code == 403
