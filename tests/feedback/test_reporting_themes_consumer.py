"""Comments read by the consumer, on committed data (it reads events after its cursor, as in
production): themes tagged once even when a batch is replayed, abusive words flagged, and a
supervisor's decision that stands when the comment is read again.

Apart from tests/feedback/test_reporting_verbatims.py, whose tests share one world built once
inside a transaction: these commit, and must not run while that transaction is open."""

import time

import pytest

from accueil.core.actors import Actor
from accueil.core.consumers import consumers, feed
from accueil.core.models import Event
from accueil.feedback.models import Response, ResponseTheme, Verbatim
from accueil.feedback.reporting_actions import do_clear_flag, do_read_comment
from tests.feedback.reporting_world import (
    NOV,
    answer,
    comment,
    make_themed_world,
    serve,
    themes_of,
)


def read_everything():
    """Feed the consumer until every comment was read. On PostgreSQL it reads only events of
    transactions older than the oldest one still running anywhere on the server (another
    test run's included), so it may have to wait a moment for ours to become readable."""
    consumer = consumers.get("feedback.themes")
    unread = Response.objects.exclude(comment="").filter(verbatim__isnull=True)
    deadline = time.monotonic() + 60
    while unread.exists() and time.monotonic() < deadline:
        if not feed(consumer):
            time.sleep(0.05)


@pytest.fixture
def committed(transactional_db):
    return make_themed_world()


def test_the_consumer_tags_each_comment_once_even_when_a_batch_is_replayed(committed):
    read_everything()
    first = comment("Accueil chaleureux")
    assert themes_of(first) == ["courtesy", "wait"]
    assert not Verbatim.objects.get(response=first).flagged
    # A replay (the cursor moved back, as after a crash before commit) adds nothing.
    tags, reads = ResponseTheme.objects.count(), Event.objects.filter(verb="comment.read").count()
    do_read_comment(first)
    assert ResponseTheme.objects.count() == tags
    assert Event.objects.filter(verb="comment.read").count() == reads + 1


def test_an_abusive_comment_is_flagged_by_the_word_list_and_a_supervisor_can_clear_it(committed):
    _visit, invitation = serve(committed, committed.est, committed.permis, NOV)
    answer(invitation, NOV, trust="0", comment="Bande de connards, 2 heures d'attente")
    read_everything()
    response = comment("connards")
    review = Verbatim.objects.get(response=response)
    assert review.flagged and review.flag_source == "words"
    assert "wait" in themes_of(response)
    supervisor = Actor.staff(committed.supervisor)
    do_clear_flag(supervisor, response)
    do_read_comment(Response.objects.get(pk=response.pk))  # read again: the decision stands
    review.refresh_from_db()
    assert not review.flagged and review.flag_source == "staff"
