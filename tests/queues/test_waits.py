"""The wait forecast: robust service times, shared agents, honest ranges."""

from datetime import timedelta

from django.utils import timezone

from accueil.queues.actions import do_call_next, do_check_in, do_complete, do_open_desk, do_start
from accueil.queues.waits import (
    Agent,
    Profile,
    forecast,
    forget_profiles,
    learn,
    play,
    trimmed_mean,
    wait_range,
)
from tests.factories import DeskFactory


def test_one_very_long_visit_barely_moves_the_estimate():
    usual = [300.0] * 19
    assert trimmed_mean([*usual, 7200.0]) == 300.0


def test_wait_range_is_rounded_and_never_empty():
    assert wait_range(None) is None
    assert wait_range(0) == (0, 5)
    assert wait_range(12 * 60) == (5, 15)
    low, high = wait_range(47 * 60)
    assert low % 5 == 0 and high % 5 == 0 and low < 47 < high


def profile_of(seconds):
    return Profile(busy={}, by_service=seconds, overall=600, no_show_rate={}, no_show_cost=60)


def test_agents_shared_between_lines_are_played_forward():
    learned = profile_of({"A": 600, "B": 60})
    agents = [Agent("d1", {"A"}, 0.0), Agent("d2", {"A", "B"}, 0.0)]
    waiting = [(1, "A", None), (2, "A", None), (3, "B", None), (4, "A", None)]
    guesses = play(waiting, agents, learned, hour=10)
    assert guesses[1].wait == 0 and guesses[2].wait == 0  # both desks free at once
    assert guesses[3].wait == 600  # B waits for desk 2 to finish its A visitor
    assert guesses[4].wait == 600  # desk 1 frees first at 600 s
    assert [guesses[i].position for i in (1, 2, 3, 4)] == [1, 2, 1, 3]


def test_nobody_serving_a_line_means_no_estimate():
    guesses = play([(1, "C", None)], [Agent("d1", {"A"}, 0.0)], profile_of({}), hour=10)
    assert guesses[1].wait is None and guesses[1].position == 1


def test_forecast_learns_service_times_from_the_event_log(personas):
    forget_profiles()
    start = timezone.now() - timedelta(days=1)
    do_open_desk(personas.desk, personas.owner, [], now=start)
    for index in range(10):
        now = start + timedelta(minutes=20 * index)
        visit = do_check_in(personas.office, personas.service, now=now)
        do_call_next(personas.desk, now=now)
        visit = do_start(visit, now=now + timedelta(seconds=30))
        do_complete(visit, now=now + timedelta(minutes=10))
    learned = learn(personas.agency.id, timezone.now())
    assert learned.by_service[str(personas.service.id)] == 600
    do_open_desk(personas.desk, personas.owner, [])
    queue = [do_check_in(personas.office, personas.service) for _ in range(3)]
    guess = forecast(personas.office, timezone.now())
    assert [guess.get(v.id).wait for v in queue] == [0, 600, 1200]


def test_desks_on_a_break_do_not_count(personas):
    other = DeskFactory(office=personas.office, label="2")
    other.services.set([personas.service])
    session = do_open_desk(other, personas.colleague, [])
    do_open_desk(personas.desk, personas.owner, [])
    from accueil.queues.actions import do_pause

    do_pause(session.desk, True)
    assert forecast(personas.office, timezone.now()).agents == 1


def test_booked_people_due_soon_go_before_the_line():
    learned = profile_of({"A": 600})
    agents = [Agent("d1", {"A"}, 0.0)]
    waiting = [(1, "A", None), (2, "A", None)]
    without = play(waiting, [Agent("d1", {"A"}, 0.0)], learned, hour=10)
    assert [without[1].wait, without[2].wait] == [0, 600]
    guesses = play(waiting, agents, learned, hour=10, due=[(300, "A")])
    # The booked person arrives at 300 s, while the first visitor is served: they go next.
    assert [guesses[1].wait, guesses[2].wait] == [0, 1200]
