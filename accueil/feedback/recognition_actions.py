"""Recognition's actions: compliments to agents, the wall's check, and the wellbeing pulse.

A citizen's compliment is attached to the **survey invitation** of the visit or case they were
served in, whose secret they hold; the agent thanked is the invitation's (who served that visit
or resolved that case), so a form can never name someone else — whatever else it sends is
ignored. One compliment per invitation (a unique key). The agent is told twice: the compliment
shows as new on their page, and an email goes through the outbox when they have an address.

A compliment stays private unless the agent asks for it on the team's wall, and a supervisor
who reaches the office where it was earned approves it (or declines it). The agent may take it
back at any time.

The pulse writes a **receipt** (this agent answered this week) and an **answer** (what, with a
random id, the week and the office) that share nothing else; the event records the receipt only.
What is left linkable is below the application: a database administrator reading the storage
itself (PostgreSQL's transaction ids, SQLite's row ids) could pair the two rows written in one
transaction. Nobody using Accueil, its admin or its exports can.
"""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accueil.accounts.models import User
from accueil.core.actions import ActionError
from accueil.core.actors import Actor, Role
from accueil.core.events import record_event
from accueil.feedback.models import (
    Answer,
    Invitation,
    Kudos,
    KudosSource,
    PulseAnswer,
    PulseReceipt,
    QuestionKind,
    WallStatus,
)
from accueil.feedback.models.recognition import COMMENT_MAX, MESSAGE_MAX
from accueil.notify.actions import notify_beside
from accueil.notify.templates_text import ensure_defaults

logger = logging.getLogger("accueil.feedback")

TOP_DRIVERS = ("trust", "satisfaction")
NOTICE = "feedback.kudos"


# -- helpers -------------------------------------------------------------------------------


def week_of(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def this_week(today: date | None = None) -> str:
    return week_of(today or timezone.localdate())


def first_name(user: User) -> str:
    """How a person is named to the team: their first name, else their user name."""
    return user.first_name.strip() or user.username


def is_wow(invitation: Invitation) -> bool:
    """A top score in the response to this invitation: trust thumbs-up, or 5 out of 5 on trust
    or satisfaction."""
    answers = Answer.objects.filter(
        response__invitation=invitation, question__driver__in=TOP_DRIVERS
    ).values_list("question__kind", "value_int")
    for kind, value in answers:
        if kind == QuestionKind.TRUST_THUMBS and value == 1:
            return True
        if kind == QuestionKind.SCALE5 and value == 5:
            return True
    return False


def _clean_message(text: str, limit: int, *, required: bool, field: str) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ActionError("empty_message", _("Write a few words first."), 400, field=field)
    if len(text) > limit:
        raise ActionError(
            "message_too_long",
            _("Keep it under %(limit)s characters, please.") % {"limit": limit},
            400,
            field=field,
        )
    return text


def ensure_wording() -> None:
    ensure_defaults(NOTICE)


def _notify_agent(kudos: Kudos) -> None:
    """The email that tells the agent a compliment is waiting (inside the action's
    transaction: a rollback sends nothing). It names no citizen and quotes nothing."""
    agent = kudos.agent
    if not agent.email:
        return
    ensure_wording()
    with translation.override(agent.language):
        link = settings.SITE_URL + reverse("feedback:my-feedback")
    notify_beside(
        key=NOTICE,
        channel="email",
        recipient=agent.email,
        language=agent.language,
        values={"first_name": first_name(agent), "link": link},
        idempotency_key=f"kudos:{kudos.id}",
        agency=kudos.agency,
    )


# -- a citizen thanks the agent who served them --------------------------------------------


def check_can_thank(invitation: Invitation, now=None) -> None:
    if invitation.agent_id is None:
        raise ActionError(
            "no_agent_known",
            _("We do not know who served you this time, so we cannot pass on your thanks."),
            409,
        )
    if Kudos.objects.filter(invitation=invitation).exists():
        raise ActionError(
            "already_thanked", _("You have already sent your thanks. We passed them on."), 409
        )
    if invitation.expired(now) and not hasattr(invitation, "response"):
        raise ActionError(
            "expired",
            _("This survey closed on %(date)s.") % {"date": invitation.expires_at.date()},
            410,
        )


def do_thank_agent(actor: Actor, invitation: Invitation, message: str, now=None) -> Kudos:
    """The citizen holding the invitation's secret thanks whoever served them."""
    if not actor.holds_object("survey", invitation.id):
        raise Http404
    text = _clean_message(message, MESSAGE_MAX, required=True, field="message")
    check_can_thank(invitation, now)
    try:
        with transaction.atomic():
            kudos = Kudos.objects.create(
                agency_id=invitation.agency_id,
                office_id=invitation.office_id,
                service_id=invitation.service_id,
                agent_id=invitation.agent_id,
                source=KudosSource.CITIZEN,
                invitation=invitation,
                message=text,
                language=invitation.language,
                wow=is_wow(invitation),
                created_at=now or timezone.now(),
            )
            record_event(
                "kudos.received",
                kudos,
                actor=actor,
                office=invitation.office_id,
                service=invitation.service_id,
                data={"source": KudosSource.CITIZEN, "wow": kudos.wow},
            )
            _notify_agent(kudos)
    except IntegrityError:  # a double tap: the unique key on the invitation held
        check_can_thank(invitation, now)
        raise
    return kudos


# -- a colleague thanks a colleague ---------------------------------------------------------


def colleagues_of(actor: Actor):
    """Who an agent may thank: active staff of their agency, not themselves."""
    return (
        User.objects.filter(agency_id=actor.agency_id, is_active=True)
        .exclude(pk=actor.user.pk)
        .order_by("first_name", "username")
    )


def do_thank_colleague(actor: Actor, recipient_id, message: str) -> Kudos:
    if not actor.has_role(Role.AGENT):
        raise Http404
    recipient = colleagues_of(actor).filter(pk=recipient_id).first() if recipient_id else None
    if recipient is None:
        raise ActionError(
            "unknown_colleague",
            _("Choose a colleague of your agency (not yourself)."),
            400,
            field="recipient",
        )
    text = _clean_message(message, MESSAGE_MAX, required=True, field="message")
    offices = list(recipient.offices.values_list("pk", flat=True)[:2])
    with transaction.atomic():
        kudos = Kudos.objects.create(
            agency_id=actor.agency_id,
            office_id=offices[0] if len(offices) == 1 else None,
            agent=recipient,
            source=KudosSource.COLLEAGUE,
            sender=actor.user,
            message=text,
            language=translation.get_language() or "fr",
        )
        record_event(
            "kudos.received",
            kudos,
            actor=actor,
            office=kudos.office_id,
            data={"source": KudosSource.COLLEAGUE, "wow": False},
        )
        _notify_agent(kudos)
    return kudos


# -- the agent's own compliments ------------------------------------------------------------


def access_own_kudos(actor: Actor, kudos_id) -> Kudos:
    kudos = Kudos.objects.filter(pk=kudos_id, agent_id=getattr(actor.user, "pk", None)).first()
    if kudos is None or not actor.is_staff:
        raise Http404
    return kudos


def do_mark_kudos_seen(actor: Actor) -> int:
    """The agent opened their page: their new compliments are no longer new."""
    with transaction.atomic():
        count = Kudos.objects.filter(agent=actor.user, seen_at__isnull=True).update(
            seen_at=timezone.now()
        )
        if count:
            record_event("kudos.read", actor.user, actor=actor, data={"count": count})
    return count


def do_offer_to_wall(actor: Actor, kudos: Kudos) -> None:
    """The agent agrees to show this compliment to the team, once a supervisor checks it."""
    _move(actor, kudos, WallStatus.PRIVATE, WallStatus.PENDING, "kudos.offered")


def do_keep_private(actor: Actor, kudos: Kudos) -> None:
    """The agent takes a compliment back from the wall (or from the check), at any time."""
    if kudos.agent_id != actor.user.pk:
        raise Http404
    _move(
        actor, kudos, (WallStatus.PENDING, WallStatus.APPROVED), WallStatus.PRIVATE, "kudos.private"
    )


# -- a supervisor checks what goes on the wall ----------------------------------------------


def reviewable(actor: Actor):
    """Compliments a supervisor may check: their agency's, earned in an office they reach
    (a compliment without an office: supervisors of the whole agency)."""
    if not actor.has_role(Role.SUPERVISOR):
        return Kudos.objects.none()
    rows = Kudos.objects.filter(agency_id=actor.agency_id)
    if actor.office_ids is not None:
        rows = rows.filter(office_id__in=actor.office_ids)
    return rows


def access_kudos_for_review(actor: Actor, kudos_id) -> Kudos:
    kudos = reviewable(actor).filter(pk=kudos_id).select_related("agent").first()
    if kudos is None:
        raise Http404
    return kudos


def do_review_kudos(actor: Actor, kudos: Kudos, *, approve: bool) -> None:
    if kudos.agent_id == actor.user.pk:
        raise ActionError(
            "own_kudos", _("Another supervisor must check a compliment made to you."), 403
        )
    target = WallStatus.APPROVED if approve else WallStatus.DECLINED
    verb = "kudos.approved" if approve else "kudos.declined"
    _move(actor, kudos, WallStatus.PENDING, target, verb, reviewer=actor.user)


def _move(actor, kudos, current, target, verb, reviewer=None) -> None:
    """One conditional update: two supervisors (or the agent and a supervisor) racing on the
    same compliment cannot both win."""
    if kudos.agent_id != actor.user.pk and reviewer is None:
        raise Http404
    currents = current if isinstance(current, tuple) else (current,)
    now = timezone.now()
    changes: dict = {"wall_status": target}
    if target == WallStatus.PENDING:
        changes["wall_requested_at"] = now
    if reviewer is not None:
        changes.update(reviewed_by=reviewer, reviewed_at=now)
    with transaction.atomic():
        moved = Kudos.objects.filter(pk=kudos.pk, wall_status__in=currents).update(**changes)
        if not moved:
            raise ActionError(
                "kudos_changed",
                _("This compliment has changed in the meantime. Here is where it stands now."),
                409,
            )
        record_event(verb, kudos, actor=actor, office=kudos.office_id)
    for name, value in changes.items():
        setattr(kudos, name, value)


# -- the wellbeing pulse ---------------------------------------------------------------------


def answered_this_week(actor: Actor, today: date | None = None) -> bool:
    return PulseReceipt.objects.filter(user=actor.user, week=this_week(today)).exists()


def _score(value, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 5:
        raise ActionError(
            "choose_one_to_five", _("Choose one of the five answers."), 400, field=field
        )
    return number


def do_answer_pulse(
    actor: Actor, *, mood, workload, comment: str = "", today: date | None = None
) -> None:
    """This week's check-in. The answer row carries no person and no time (see the module's
    docstring); the receipt, which does, says nothing of the answer."""
    if not actor.has_role(Role.AGENT):
        raise Http404
    mood_value = _score(mood, "mood")
    workload_value = _score(workload, "workload")
    text = _clean_message(comment, COMMENT_MAX, required=False, field="comment")
    week = this_week(today)
    offices = list(actor.user.offices.values_list("pk", flat=True)[:2])
    try:
        with transaction.atomic():
            receipt = PulseReceipt.objects.create(user=actor.user, week=week)
            PulseAnswer.objects.create(
                agency_id=actor.agency_id,
                office_id=offices[0] if len(offices) == 1 else None,
                week=week,
                mood=mood_value,
                workload=workload_value,
                comment=text,
            )
            record_event(
                "pulse.answered",
                receipt,
                actor=actor,
                agency=actor.user.agency,
                data={"week": week},
            )
    except IntegrityError:
        raise ActionError(
            "pulse_already_answered",
            _("You have already answered this week. Thank you. The next check-in opens on Monday."),
            409,
        ) from None
