"""The consumer that reads survey comments: themes and the abuse word list.

``feedback.themes`` reads ``survey.answered`` and ``survey.completed`` (the two screens of a
survey; the comment may come with either) after its durable cursor, so the surveys' actions
need not know that comments are tagged, and a comment is tagged even if the worker was down
when it arrived. Its writes commit with the cursor; ``do_read_comment`` is idempotent, so a
replayed batch adds nothing.
"""

import uuid

from accueil.core.consumers import consumers
from accueil.feedback.models import Response
from accueil.feedback.reporting_actions import do_read_comment

VERBS = {"survey.answered", "survey.completed"}


@consumers.register("feedback.themes", verbs=VERBS)
def read_comments(events) -> None:
    ids = {uuid.UUID(e.object_id) for e in events if e.object_type == "feedback.response"}
    for response in Response.objects.filter(id__in=ids).exclude(comment=""):
        do_read_comment(response)
