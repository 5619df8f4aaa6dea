"""Races between people acting on the same request at once, with real threads (each its own
database connection), on SQLite and PostgreSQL: the second always hears of the first."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from accueil.cases import actions
from accueil.cases.models import Case, Status
from accueil.core.actions import ActionError
from accueil.core.actors import PUBLIC, Actor
from tests.cases.conftest import intake
from tests.queues.test_races import run_in_threads

MONTREAL = ZoneInfo("America/Montreal")
OPENED = datetime(2026, 11, 3, 10, 0, tzinfo=MONTREAL)


def open_case(world):
    return actions.do_open_case(
        PUBLIC, service=world.service, channel="web", intake=intake(), now=OPENED
    )


def outcome(run):
    try:
        run()
        return "done"
    except ActionError as error:
        return error.code


def test_opposite_merges_at_once_exactly_one_wins(committed_world):
    world = committed_world
    agent = Actor.staff(world.agents[0])
    for _round in range(3):
        one, two = open_case(world), open_case(world)
        pairs = [(one.pk, two.pk), (two.pk, one.pk)]
        barrier = threading.Barrier(2)

        def merge(index, got, pairs=pairs, barrier=barrier):
            duplicate, original = (Case.objects.get(pk=pk) for pk in pairs[index])
            barrier.wait()
            got.append(outcome(lambda: actions.do_merge(agent, duplicate, original)))

        results = [r for got in run_in_threads(2, merge) for r in got]
        assert sorted(results) == ["conflict", "done"]
        merged = Case.objects.filter(pk__in=[one.pk, two.pk], duplicate_of__isnull=False)
        assert merged.count() == 1  # never each the duplicate of the other


def test_auto_close_racing_a_citizen_reply_one_of_them_wins_cleanly(committed_world):
    world = committed_world
    for _round in range(3):
        case = open_case(world)
        agent = Actor.staff(case.assignee)
        actions.do_change_status(agent, case, Status.RESOLVED, now=OPENED)
        citizen = actions.citizen_of_case(case.reference, case.tracking_secret)
        late = OPENED + timedelta(days=13)  # inside the 14-day window for the citizen
        closing = OPENED + timedelta(days=15)  # past it for the job's clock
        barrier = threading.Barrier(2)

        def act(index, got, case=case, citizen=citizen, late=late, closing=closing, b=barrier):
            reread = Case.objects.get(pk=case.pk)
            b.wait()
            if index == 0:
                got.append(actions.do_close_resolved(closing))
            else:
                got.append(
                    outcome(
                        lambda: actions.do_citizen_reply(citizen, reread, "Pas réparé.", now=late)
                    )
                )

        closed, replied = (got[0] for got in run_in_threads(2, act))
        final = Case.objects.get(pk=case.pk)
        if replied == "done":
            assert closed == 0 and final.status == Status.IN_PROGRESS
        else:
            assert replied == "conflict" and closed == 1 and final.status == Status.CLOSED


def test_two_agents_changing_the_same_version_one_is_told(committed_world):
    world = committed_world
    case = open_case(world)
    version = case.version
    barrier = threading.Barrier(2)
    choices = [Status.IN_PROGRESS, Status.WAITING]

    def change(index, got):
        agent = Actor.staff(world.agents[index])
        reread = Case.objects.get(pk=case.pk)
        barrier.wait()
        got.append(
            outcome(
                lambda: actions.do_change_status(
                    agent, reread, choices[index], version=version, now=OPENED
                )
            )
        )

    results = [r for got in run_in_threads(2, change) for r in got]
    assert sorted(results) == ["conflict", "done"]
    assert Case.objects.get(pk=case.pk).version == version + 1
