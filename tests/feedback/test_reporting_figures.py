"""The A-11 figures against a month worked out by hand (tests/feedback/reporting_world.py):
served, offered, respondents, response rate and driver counts per service, office and channel,
for the actor's offices only, in the reporting time zone's periods."""

from datetime import date

import pytest
from django.http import Http404

from accueil.core.actors import Actor
from accueil.feedback.reporting import Filters, Period, default_survey, report
from tests.feedback.reporting_world import EXPECTED_NOVEMBER_A11, make_world
from tests.moduledata import built_once

NOVEMBER = Period.containing("month", date(2026, 11, 14))


@pytest.fixture(scope="module")
def november(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker, make_world) as world:
        yield world


@pytest.fixture
def world(db, november):
    return november


def figures(rep):
    """{(service, office, channel): (served, offered, respondents, {code: {answer: n}})}"""
    found = {}
    for row in rep.rows:
        answers = {
            r.question.code: {k: n for k, n in r.counts.items() if n} for r in rep.results(row)
        }
        found[(row.service.name_fr, row.office.name_fr, row.channel)] = (
            row.served,
            row.offered,
            row.respondents,
            answers,
        )
    return found


def test_november_matches_the_hand_computed_figures_row_by_row(world):
    rep = report(Actor.staff(world.supervisor), Filters(NOVEMBER, survey=world.a11))
    assert figures(rep) == EXPECTED_NOVEMBER_A11


def test_the_total_adds_the_rows_and_gives_the_a11_shares(world):
    rep = report(Actor.staff(world.supervisor), Filters(NOVEMBER, survey=world.a11))
    total = rep.total
    assert (total.served, total.offered, total.respondents) == (14, 8, 6)
    assert total.response_rate == pytest.approx(6 / 8)
    results = {r.question.code: r for r in rep.results(total)}
    assert results["trust"].counts == {"1": 4, "0": 2}
    assert results["trust"].share == pytest.approx(4 / 6)
    assert results["went_well"].counts == {
        "ease": 2,
        "efficiency": 1,
        "effectiveness": 1,
        "helpfulness": 1,
    }
    assert results["went_badly"].counts == {"efficiency": 2, "humanity": 1}
    assert results["went_well"].share is None
    assert [r.question.code for r in rep.results(total)] == ["trust", "went_well", "went_badly"]


def test_response_rates_per_row(world):
    rep = report(Actor.staff(world.supervisor), Filters(NOVEMBER, survey=world.a11))
    rates = {(r.service.name_fr, r.office.name_fr, r.channel): r.response_rate for r in rep.rows}
    assert rates[("Permis", "Est", "in_person")] == pytest.approx(3 / 4)
    assert rates[("Permis", "Est", "web")] == 1
    assert rates[("Permis", "Ouest", "in_person")] == pytest.approx(1 / 2)
    assert rates[("Taxes", "Est", "in_person")] is None  # nobody asked: no rate, not 0 %


def test_the_seven_driver_form_counts_each_point_and_the_share_of_4_and_5(world):
    rep = report(Actor.staff(world.supervisor), Filters(NOVEMBER, survey=world.drivers))
    parcs = next(r for r in rep.rows if r.service == world.parcs)
    assert (parcs.served, parcs.offered, parcs.respondents) == (3, 3, 3)
    results = {r.question.code: r for r in rep.results(parcs)}
    assert results["satisfaction"].counts == {"5": 1, "4": 1, "2": 1}
    assert results["satisfaction"].share == pytest.approx(2 / 3)
    assert results["trust"].counts == {"3": 1}
    assert results["trust"].share == 0
    assert results["ease"].share is None  # nobody answered it
    # The A-11 rows are still served, but nobody was offered this form there.
    permis = next(
        r
        for r in rep.rows
        if (r.service, r.office, r.channel) == (world.permis, world.est, "in_person")
    )
    assert (permis.served, permis.offered) == (4, 0)


def test_filters_narrow_to_one_channel_one_office_one_service(world):
    actor = Actor.staff(world.supervisor)
    web = report(actor, Filters(NOVEMBER, survey=world.a11, channel="web"))
    assert figures(web) == {
        ("Permis", "Est", "web"): EXPECTED_NOVEMBER_A11[("Permis", "Est", "web")]
    }
    ouest = report(actor, Filters(NOVEMBER, survey=world.a11, office=world.ouest))
    assert set(figures(ouest)) == {
        ("Permis", "Ouest", "in_person"),
        ("Parcs", "Ouest", "in_person"),
    }
    taxes = report(actor, Filters(NOVEMBER, survey=world.a11, service=world.taxes))
    assert figures(taxes) == {("Taxes", "Est", "in_person"): (3, 0, 0, {
        "trust": {}, "went_well": {}, "went_badly": {}})}  # fmt: skip


def test_a_supervisor_of_one_office_sees_only_its_rows(world):
    rep = report(Actor.staff(world.supervisor_est), Filters(NOVEMBER, survey=world.a11))
    assert {office for _s, office, _c in figures(rep)} == {"Est"}
    assert rep.total.served == 4 + 2 + 3


def test_another_agency_sees_only_its_own_figures_and_never_our_survey(world):
    stranger = Actor.staff(world.stranger.supervisor)
    rep = report(stranger, Filters(NOVEMBER, survey=default_survey(stranger)))
    assert [(r.office, r.served, r.offered, r.respondents) for r in rep.rows] == [
        (world.stranger.office, 1, 1, 1)
    ]
    with pytest.raises(Http404):
        report(stranger, Filters(NOVEMBER, survey=world.a11))
    with pytest.raises(Http404):
        report(stranger, Filters(NOVEMBER, office=world.est))


def test_the_period_follows_the_reporting_zone_not_utc(world):
    october = Period.containing("month", date(2026, 10, 1))
    rep = report(Actor.staff(world.supervisor), Filters(october, survey=world.a11))
    assert figures(rep) == {
        ("Permis", "Est", "in_person"): (1, 1, 0, {"trust": {}, "went_well": {}, "went_badly": {}})
    }


def test_a_day_and_a_week_and_the_fiscal_year(world):
    actor = Actor.staff(world.supervisor)
    day = report(actor, Filters(Period.containing("day", date(2026, 11, 30)), survey=world.a11))
    assert (day.total.served, day.total.offered, day.total.respondents) == (1, 1, 1)
    fiscal = report(
        actor, Filters(Period.containing("fiscal_year", date(2026, 5, 1)), survey=world.a11)
    )
    assert (fiscal.total.served, fiscal.total.offered, fiscal.total.respondents) == (15, 9, 6)
