"""Actions on survey comments: read them (themes, abuse), flag, clear, redact; default themes.

- ``do_read_comment`` is what the ``feedback.themes`` consumer calls for each answered or
  completed response: it tags the comment with the agency's themes and flags it when the abuse
  word list matches. Idempotent (one tag per response and theme, one review row per response),
  so a replayed batch changes nothing. A supervisor's decision (a flag cleared by hand) is not
  undone by a later reading.
- ``do_flag`` / ``do_clear_flag``: a supervisor marks a comment as abusive, or clears the mark.
- ``do_redact``: a supervisor removes a passage holding personal information (a name, a phone
  number) from a comment. Every occurrence is replaced by ``[…]`` in the response and in its
  answers; the removed words are not kept anywhere — the event records who, when, and how many
  characters, never the text.
- ``do_install_default_themes``: the starting themes for an agency (``themes_default.py``).

Supervisors act only on responses of their agency and offices; anyone else gets 404.
"""

from __future__ import annotations

import unicodedata

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accueil.catalog.access import offices_for
from accueil.catalog.models import Agency
from accueil.core.actions import ActionError
from accueil.core.actors import SYSTEM, Actor, ActorKind, Role
from accueil.core.events import record_event
from accueil.feedback.models import (
    Answer,
    FlagSource,
    QuestionKind,
    Response,
    ResponseTheme,
    ThemeRule,
    Verbatim,
)
from accueil.feedback.themes_default import DEFAULT_THEMES
from accueil.feedback.verbatims import abusive, tagger_for

REDACTED = "[…]"
PASSAGE_LIMIT = 500


def access_response(actor: Actor, response_id) -> Response:
    """A response of the supervisor's agency and offices, or 404 (also for a bad id)."""
    if not actor.has_role(Role.SUPERVISOR):
        raise Http404
    try:
        return Response.objects.select_related("verbatim", "office", "service").get(
            id=response_id, agency_id=actor.agency_id, office__in=offices_for(actor)
        )
    except (Response.DoesNotExist, ValueError):
        raise Http404 from None


def _verbatim(response: Response, now) -> Verbatim:
    """The response's review row, made the first time (a rival insert loses quietly)."""
    try:
        with transaction.atomic():
            found, _made = Verbatim.objects.get_or_create(
                response=response, defaults={"agency_id": response.agency_id, "read_at": now}
            )
    except IntegrityError:
        found = Verbatim.objects.get(response=response)
    return found


def do_read_comment(response: Response, now=None) -> list[str]:
    """Tag a response's comment with its themes and flag it when abusive; the theme codes."""
    now = now or timezone.now()
    if not response.comment:
        return []
    tagger, rules = tagger_for(response.agency_id)
    codes = tagger.tag(response.comment, response.language)
    with transaction.atomic():
        verbatim = _verbatim(response, now)
        known = set(
            ResponseTheme.objects.filter(response=response).values_list("theme__code", flat=True)
        )
        ResponseTheme.objects.bulk_create(
            [ResponseTheme(response=response, theme=rules[c]) for c in codes if c not in known],
            ignore_conflicts=True,
        )
        flag = verbatim.flag_source == "" and abusive(response.comment, response.language)
        if flag:
            Verbatim.objects.filter(pk=verbatim.pk, flag_source="").update(
                flagged_at=now, flag_source=FlagSource.WORDS
            )
        record_event(
            "comment.read",
            response,
            actor=SYSTEM,
            office=response.office_id,
            service=response.service_id,
            data={"themes": codes, "flagged": flag},
            at=now,
        )
    return codes


def _require_supervisor(actor: Actor, response: Response) -> None:
    if not actor.has_role(Role.SUPERVISOR) or not actor.reaches_office(response.office):
        raise Http404


def do_flag(actor: Actor, response: Response, now=None) -> Verbatim:
    """A supervisor marks a comment as abusive (again: nothing changes)."""
    _require_supervisor(actor, response)
    now = now or timezone.now()
    with transaction.atomic():
        verbatim = _verbatim(response, now)
        updated = Verbatim.objects.filter(pk=verbatim.pk, flagged_at__isnull=True).update(
            flagged_at=now, flag_source=FlagSource.STAFF, flagged_by=actor.event_user
        )
        if updated:
            record_event(
                "comment.flagged",
                response,
                actor=actor,
                office=response.office_id,
                service=response.service_id,
                at=now,
            )
    verbatim.refresh_from_db()
    return verbatim


def do_clear_flag(actor: Actor, response: Response, now=None) -> Verbatim:
    """A supervisor clears the mark: the comment is not abusive. The word list will not put it
    back (``flag_source`` stays "staff")."""
    _require_supervisor(actor, response)
    now = now or timezone.now()
    with transaction.atomic():
        verbatim = _verbatim(response, now)
        updated = Verbatim.objects.filter(pk=verbatim.pk, flagged_at__isnull=False).update(
            flagged_at=None, flag_source=FlagSource.STAFF, flagged_by=actor.event_user
        )
        if updated:
            record_event(
                "comment.flag_cleared",
                response,
                actor=actor,
                office=response.office_id,
                service=response.service_id,
                at=now,
            )
    verbatim.refresh_from_db()
    return verbatim


def check_passage(response: Response, passage: str) -> str:
    passage = unicodedata.normalize("NFC", passage or "").strip()
    if not passage:
        raise ActionError(
            "invalid", _("Copy the words to remove from the comment."), 422, field="passage"
        )
    if len(passage) > PASSAGE_LIMIT:
        raise ActionError(
            "invalid",
            _("Remove at most %(limit)s characters at a time.") % {"limit": PASSAGE_LIMIT},
            422,
            field="passage",
        )
    if passage == REDACTED or passage not in unicodedata.normalize("NFC", response.comment):
        raise ActionError(
            "passage_not_found",
            _("These words are not in the comment: copy them exactly as they are written."),
            422,
            field="passage",
        )
    return passage


def do_redact(actor: Actor, response: Response, passage: str, now=None) -> Response:
    """Replace every occurrence of ``passage`` in the comment (and its answers) by ``[…]``.

    The original is gone once this commits: it is not copied to the event, to the review row,
    or anywhere else. The event says who removed how many characters, and when.
    """
    _require_supervisor(actor, response)
    now = now or timezone.now()
    passage = check_passage(response, passage)
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        text = unicodedata.normalize("NFC", locked.comment)
        occurrences = text.count(passage)
        if not occurrences:  # redacted by someone else a moment ago
            raise ActionError(
                "passage_not_found",
                _("These words are not in the comment: copy them exactly as they are written."),
                422,
                field="passage",
            )
        Response.objects.filter(pk=locked.pk).update(comment=text.replace(passage, REDACTED))
        for answer in Answer.objects.filter(
            response=locked, question__kind=QuestionKind.COMMENT
        ).select_for_update():
            value = unicodedata.normalize("NFC", answer.value_text)
            if passage in value:
                Answer.objects.filter(pk=answer.pk).update(
                    value_text=value.replace(passage, REDACTED)
                )
        verbatim = _verbatim(locked, now)
        Verbatim.objects.filter(pk=verbatim.pk).update(
            redacted_at=now, redacted_by=actor.event_user, redactions=verbatim.redactions + 1
        )
        record_event(
            "comment.redacted",
            locked,
            actor=actor,
            office=locked.office_id,
            service=locked.service_id,
            data={"characters": len(passage) * occurrences, "occurrences": occurrences},
            at=now,
        )
    locked.refresh_from_db()
    return locked


def do_install_default_themes(agency, actor: Actor = SYSTEM) -> int:
    """Add the default themes the agency does not have yet (by code); how many were added."""
    if actor.kind != ActorKind.SYSTEM and not (
        actor.has_role(Role.ADMIN) and actor.agency_id == agency.pk
    ):
        raise Http404
    have = set(ThemeRule.objects.filter(agency=agency).values_list("code", flat=True))
    added = 0
    with transaction.atomic():
        for position, theme in enumerate(DEFAULT_THEMES):
            if theme["code"] in have:
                continue
            rule = ThemeRule.objects.create(
                agency=agency,
                code=theme["code"],
                label_fr=theme["label_fr"],
                label_en=theme["label_en"],
                keywords_fr="\n".join(theme["keywords_fr"]),
                keywords_en="\n".join(theme["keywords_en"]),
                position=position,
            )
            record_event(
                "theme.created", rule, actor=actor, agency=agency, data={"code": rule.code}
            )
            added += 1
    return added


def do_reread_comments(actor: Actor, limit: int = 5000, now=None) -> int:
    """After the themes changed: tag again the agency's most recent comments (at most
    ``limit``), adding the new themes' tags and removing tags of themes no longer found."""
    if not actor.has_role(Role.SUPERVISOR):
        raise Http404
    now = now or timezone.now()
    responses = list(
        Response.objects.filter(agency_id=actor.agency_id, office__in=offices_for(actor))
        .exclude(comment="")
        .order_by("-submitted_at")[:limit]
    )
    tagger, rules = tagger_for(actor.agency_id)
    with transaction.atomic():
        Verbatim.objects.bulk_create(
            [Verbatim(response=r, agency_id=r.agency_id, read_at=now) for r in responses],
            ignore_conflicts=True,
        )
        for response in responses:
            codes = set(tagger.tag(response.comment, response.language))
            ResponseTheme.objects.filter(response=response).exclude(theme__code__in=codes).delete()
            ResponseTheme.objects.bulk_create(
                [ResponseTheme(response=response, theme=rules[c]) for c in codes],
                ignore_conflicts=True,
            )
        record_event(
            "comments.reread",
            Agency.objects.get(pk=actor.agency_id),
            actor=actor,
            data={"comments": len(responses)},
            at=now,
        )
    return len(responses)
