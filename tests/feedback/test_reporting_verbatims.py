"""Comments: themes and abuse flags read by the consumer, a supervisor's flags, and redaction
that keeps the removed words nowhere — scoped to the supervisor's agency and offices."""

import json
import unicodedata

import pytest
from django.http import Http404

from accueil.core.actions import ActionError
from accueil.core.actors import Actor
from accueil.core.models import Event
from accueil.feedback.models import Answer, Response, ThemeRule, Verbatim
from accueil.feedback.reporting_actions import (
    REDACTED,
    do_clear_flag,
    do_flag,
    do_install_default_themes,
    do_redact,
    do_reread_comments,
)
from accueil.feedback.verbatims import VerbatimFilters, verbatims
from tests.feedback.reporting_world import (
    NOV,
    answer,
    comment,
    make_themed_world,
    serve,
    themes_of,
)
from tests.moduledata import built_once

PHONE_COMMENT = "Appelez-moi au 418 555 0199"


@pytest.fixture(scope="module")
def november(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker, make_themed_world) as world:
        yield world


@pytest.fixture
def world(db, november):
    return november


def test_a_supervisor_flags_a_comment_once(world):
    response = comment("Accueil chaleureux")
    supervisor = Actor.staff(world.supervisor)
    do_flag(supervisor, response)
    do_flag(supervisor, response)
    review = Verbatim.objects.get(response=response)
    assert review.flagged and review.flagged_by == world.supervisor
    assert Event.objects.filter(verb="comment.flagged").count() == 1


def test_redaction_replaces_every_occurrence_and_keeps_the_words_nowhere(world):
    response = comment("Accueil chaleureux")
    supervisor = Actor.staff(world.supervisor)
    redacted = do_redact(supervisor, response, "418 555 0199")
    assert redacted.comment.endswith(f"Appelez-moi au {REDACTED}.")
    answers = Answer.objects.filter(response=response).exclude(value_text="")
    assert [a.value_text for a in answers] == [redacted.comment]
    event = Event.objects.get(verb="comment.redacted")
    assert event.data == {"characters": 12, "occurrences": 1}
    assert event.actor == world.supervisor
    # Not in any event, any answer, any review row: searched as text over every table we wrote.
    everywhere = json.dumps(
        [list(m.objects.values()) for m in (Event, Answer, Verbatim, Response)],
        default=str,
    )  # fmt: skip
    assert "555 0199" not in everywhere
    review = Verbatim.objects.get(response=response)
    assert review.redacted_by == world.supervisor and review.redactions == 1


def test_redaction_refuses_words_that_are_not_in_the_comment_and_changes_nothing(world):
    response = comment("Accueil chaleureux")
    before = response.comment
    for passage in ["", "   ", "514 555 0000", REDACTED, "x" * 501]:
        with pytest.raises(ActionError) as refused:
            do_redact(Actor.staff(world.supervisor), response, passage)
        assert refused.value.status == 422
    assert Response.objects.get(pk=response.pk).comment == before
    assert not Event.objects.filter(verb="comment.redacted").exists()


def test_accents_typed_in_nfd_are_found_in_an_nfc_comment(world):
    _visit, invitation = serve(world, world.est, world.permis, NOV)
    answer(invitation, NOV, trust="1", comment="Merci à Hélène Côté")
    response = comment("Merci")
    redacted = do_redact(
        Actor.staff(world.supervisor), response, unicodedata.normalize("NFD", "Hélène Côté")
    )
    assert redacted.comment == f"Merci à {REDACTED}"


def test_only_supervisors_of_the_office_may_flag_or_redact(world):
    response = comment("Accueil chaleureux")  # at Est
    ouest = comment("HYPERLINK")  # at Ouest
    for person in (world.colleague, world.stranger.supervisor):
        for act in (do_flag, do_clear_flag):
            with pytest.raises(Http404):
                act(Actor.staff(person), response)
        with pytest.raises(Http404):
            do_redact(Actor.staff(person), response, "418")
    with pytest.raises(Http404):
        do_redact(Actor.staff(world.supervisor_est), ouest, "impoli")
    do_flag(Actor.staff(world.supervisor_est), response)  # their own office: fine
    assert "418" in Response.objects.get(pk=response.pk).comment


def test_the_list_filters_by_theme_flag_office_and_accent_blind_words(world):
    supervisor = Actor.staff(world.supervisor)
    do_reread_comments(supervisor)
    every = verbatims(supervisor, VerbatimFilters())
    assert len(every) == 3
    courtesy = verbatims(supervisor, VerbatimFilters(theme="courtesy"))
    assert {r.office for r in courtesy} == {world.est, world.ouest}
    assert list(verbatims(supervisor, VerbatimFilters(search="CHALEUREUX attendu"))) == [
        comment("Accueil chaleureux")
    ]
    assert len(list(verbatims(supervisor, VerbatimFilters(search="chaleureux impoli")))) == 0
    do_flag(supervisor, comment("HYPERLINK"))
    assert verbatims(supervisor, VerbatimFilters(flagged="yes")) == [comment("HYPERLINK")]
    assert len(verbatims(supervisor, VerbatimFilters(flagged="no"))) == 2
    est_only = verbatims(Actor.staff(world.supervisor_est), VerbatimFilters())
    assert {r.office for r in est_only} == {world.est}
    assert (
        verbatims(Actor.staff(world.stranger.supervisor), VerbatimFilters(theme="courtesy")) == []
    )


def test_reading_again_follows_edited_themes(world):
    supervisor = Actor.staff(world.supervisor)
    do_reread_comments(supervisor)
    first = comment("Accueil chaleureux")
    assert themes_of(first) == ["courtesy", "wait"]
    ThemeRule.objects.filter(agency=world.agency, code="wait").update(active=False)
    ThemeRule.objects.create(
        agency=world.agency, code="phone", label_fr="Téléphone", label_en="Phone",
        keywords_fr="appelez, téléphone",
    )  # fmt: skip
    assert do_reread_comments(supervisor) == 3
    assert themes_of(first) == ["courtesy", "phone"]


def test_default_themes_are_installed_once(world):
    assert do_install_default_themes(world.agency) == 0
    assert ThemeRule.objects.filter(agency=world.agency).count() >= 6
    with pytest.raises(Http404):
        do_install_default_themes(world.agency, Actor.staff(world.supervisor))
