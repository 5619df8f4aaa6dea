"""The surveys' actions: standard forms for an agency, invitations after a visit or a request,
and a citizen's answers.

- ``do_ensure_standard_surveys`` makes the agency's A-11 and 7-driver forms the first time they
  are needed (the consumer, the demo, an administrator) — no data migration to chain.
- ``do_invite`` is called by the ``feedback.invitations`` consumer for each completed visit and
  resolved request. One invitation per visit or case (a unique key: a replayed batch finds it
  and does nothing); sampling is decided by a hash of the visit's or case's id, so a replay
  decides the same; the cooldown looks for an invitation to the same contact digest in the
  agency within N days. The notice goes through notify's outbox in the same transaction, marked
  proactive (quiet hours) — opt-outs are checked there at send time.
- ``do_answer`` records a citizen's answers: the first screen creates the one Response of the
  invitation (a conditional claim on ``responded_at``, then the OneToOne), the optional second
  screen completes it once.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from accueil.core import capabilities
from accueil.core.actions import ActionError
from accueil.core.actors import SYSTEM, Actor
from accueil.core.events import record_event
from accueil.feedback import standard
from accueil.feedback.models import (
    Answer,
    Invitation,
    Question,
    QuestionKind,
    Response,
    SentVia,
    Subject,
    Survey,
    SurveyKind,
    SurveySettings,
)
from accueil.feedback.models.surveys import short_digest_for
from accueil.notify.actions import notify_beside
from accueil.notify.models import normalise_address
from accueil.notify.templates_text import ensure_defaults

NOTICE = "feedback.invitation"
DEFAULTS = SurveySettings()  # a service nobody configured: everyone asked, the A-11 form
COMMENT_LIMIT = 4000


# -- the standard forms ---------------------------------------------------------------------


def do_ensure_standard_surveys(agency, actor: Actor = SYSTEM) -> dict[str, Survey]:
    """The agency's A-11 and 7-driver forms, created with their questions if missing."""
    found = {s.kind: s for s in Survey.objects.filter(agency=agency, kind__in=standard.QUESTIONS)}
    for kind, build in standard.QUESTIONS.items():
        if kind in found:
            continue
        try:
            with transaction.atomic():
                title_fr, title_en = standard.TITLES[kind]
                survey = Survey.objects.create(
                    agency=agency, kind=kind, title_fr=title_fr, title_en=title_en
                )
                for position, fields in enumerate(
                    build(agency.name_fr, agency.name_en or agency.name_fr)
                ):
                    Question.objects.create(survey=survey, position=position, **fields)
                record_event(
                    "survey.created", survey, actor=actor, agency=agency, data={"kind": kind}
                )
        except IntegrityError:  # made by another worker at the same moment
            survey = Survey.objects.get(agency=agency, kind=kind)
        found[kind] = survey
    return found


# -- invitations ----------------------------------------------------------------------------


def sampled(subject_id, rate: int) -> bool:
    """The same visit or case always gets the same answer: a replay decides the same."""
    if rate >= 100:
        return True
    if rate <= 0:
        return False
    bucket = int(hashlib.sha256(str(subject_id).encode()).hexdigest()[:8], 16) % 100
    return bucket < rate


def contact_digest(channel: str, address: str) -> str:
    """A keyed digest (the site's secret key): the invitations table holds no contact and a
    table of digests cannot be reversed by trying every phone number."""
    if not address:
        return ""
    normalised = normalise_address(channel, address)
    return salted_hmac("accueil.feedback.contact", f"{channel}:{normalised}").hexdigest()


def survey_url(invitation: Invitation, language: str | None = None) -> str:
    with translation.override(language or invitation.language):
        path = reverse("feedback:survey", args=[invitation.id, invitation.secret])
    return settings.SITE_URL + path


def settings_for_service(service) -> SurveySettings:
    found = SurveySettings.objects.filter(service=service).select_related("survey").first()
    return found or DEFAULTS


def _reach(subject_type: str, subject) -> tuple[str, str] | None:
    """How to reach the person: a visitor gave a phone for "your turn" notices, a request's
    citizen usually an email."""
    if subject_type == Subject.VISIT:
        pairs = [("sms", subject.phone), ("email", subject.email)]
    else:
        pairs = [("email", subject.contact_email), ("sms", subject.contact_phone)]
    for channel, address in pairs:
        if address:
            return channel, address
    return None


def do_invite(subject_type: str, subject, *, agent_id=None, at=None, now=None) -> Invitation | None:
    """One invitation for one completed visit or resolved request (``at``: when), or None: not
    sampled, asked recently, no way to reach the person, already invited, or too late (a
    consumer reading old events never invites people to a survey that would already be closed).
    """
    now = now or timezone.now()
    at = at or now
    if Invitation.objects.filter(subject_type=subject_type, subject_id=subject.pk).exists():
        return None  # a replayed batch
    rules = settings_for_service(subject.service)
    expires_at = at + timedelta(days=rules.expiry_days)
    if expires_at <= now:
        return None
    if not sampled(subject.pk, rules.sampling_rate):
        return None
    agency = subject.office.agency
    reach = _reach(subject_type, subject)
    if reach is not None and not rules.allows(reach[0]):
        reach = None
    digest = contact_digest(*reach) if reach else ""
    if digest and rules.cooldown_days:
        since = at - timedelta(days=rules.cooldown_days)
        if Invitation.objects.filter(
            agency=agency, contact_digest=digest, created_at__gte=since
        ).exists():
            return None
    in_person = subject_type == Subject.VISIT
    at_desk = in_person and (rules.allows(SentVia.QR) or rules.allows(SentVia.TABLET))
    if reach is None and not at_desk:
        return None
    survey = rules.survey if rules.survey_id and rules.survey.active else None
    survey = survey or do_ensure_standard_surveys(agency)[SurveyKind.A11]
    with transaction.atomic():
        invitation = Invitation(
            agency=agency,
            survey=survey,
            service=subject.service,
            office=subject.office,
            desk_id=getattr(subject, "desk_id", None),
            channel="in_person" if in_person else subject.channel,
            subject_type=subject_type,
            subject_id=subject.pk,
            agent_id=agent_id,
            language=subject.language if subject.language in ("fr", "en") else "fr",
            sent_via=reach[0] if reach else "",
            contact_digest=digest,
            created_at=at,  # when the person was served: the desk shows only recent ones
            expires_at=expires_at,
        )
        invitation.short_digest = short_digest_for(invitation.short_code)
        try:
            with transaction.atomic():
                invitation.save(force_insert=True)
        except IntegrityError:
            return None  # another worker invited this person first
        record_event(
            "invitation.created",
            invitation,
            actor=SYSTEM,
            agency=agency,
            office=invitation.office,
            service=invitation.service,
            data={
                "subject": subject_type,
                "sent_via": invitation.sent_via,
                "channel": invitation.channel,
            },
            at=invitation.created_at,  # when the person was served: the day it counts for
        )
        if reach is not None:
            _send(invitation, *reach)
    return invitation


def _send(invitation: Invitation, channel: str, address: str) -> None:
    ensure_wording()
    language = invitation.language
    notify_beside(
        key=NOTICE,
        channel=channel,
        recipient=address,
        language=language,
        values={
            "agency": invitation.agency.name_in(language),
            "service": invitation.service.name_in(language),
            "link": survey_url(invitation, language),
            "days": (invitation.expires_at - invitation.created_at).days,
        },
        idempotency_key=f"survey:{invitation.id}",
        agency=invitation.agency,
        proactive=True,  # not sent in quiet hours: nobody is waiting for it
        time_zone=invitation.office.time_zone,
        reason=(NOTICE, str(invitation.id)),
    )


def ensure_wording() -> None:
    ensure_defaults(NOTICE)


# -- the citizen's answers ------------------------------------------------------------------


def access_invitation(invitation_id, secret: str) -> Invitation:
    """The invitation whose secret this is; 404 for a wrong secret or an unknown id alike."""
    invitation = (
        Invitation.objects.select_related("survey", "agency", "service", "office")
        .filter(id=invitation_id)
        .first()
    )
    if invitation is None or not capabilities.holds("survey", invitation.id, secret):
        raise Http404
    return invitation


def citizen(invitation: Invitation) -> Actor:
    return Actor.citizen("survey", invitation.id)


def check_open(invitation: Invitation, now=None) -> None:
    now = now or timezone.now()
    response = Response.objects.filter(invitation=invitation).first()
    if response is not None and response.completed_at is not None:
        raise ActionError(
            "already_answered", _("You have already answered this survey. Thank you."), 409
        )
    if response is None and invitation.expired(now):
        raise ActionError(
            "expired",
            _("This survey closed on %(date)s.") % {"date": invitation.expires_at.date()},
            410,
        )


def _value(question: Question, raw) -> dict:
    """The stored value of one answer, or {} when nothing was answered; refuses bad input."""
    if question.kind == QuestionKind.TRUST_THUMBS:
        if raw in (None, ""):
            return {}
        if str(raw) not in ("0", "1"):
            raise ActionError("invalid", _("Choose yes or no."), 422, field=question.code)
        return {"value_int": int(raw)}
    if question.kind == QuestionKind.SCALE5:
        if raw in (None, ""):
            return {}
        if str(raw) not in ("1", "2", "3", "4", "5"):
            raise ActionError(
                "invalid", _("Choose a number from 1 to 5."), 422, field=question.code
            )
        return {"value_int": int(raw)}
    if question.kind == QuestionKind.CHOICES:
        known = [code for code, _label in question.choice_list()]
        ticked = [code for code in known if code in (raw or [])]
        return {"choices": ticked} if ticked else {}
    text = str(raw or "").strip()[:COMMENT_LIMIT]
    return {"value_text": text} if text else {}


def do_answer(
    invitation: Invitation, values: dict, *, final: bool, actor: Actor | None = None, now=None
) -> Response:
    """Record answers to some of the survey's questions (``values``: code → raw value).

    The first call creates the invitation's one Response and must answer every required
    question; later calls add the optional answers; ``final`` closes it. A second response, or
    anything after the final one, is refused with 409 and changes nothing.
    """
    actor = actor or citizen(invitation)
    if not actor.holds_object("survey", invitation.id):
        raise Http404  # only the person holding the invitation answers it
    now = now or timezone.now()
    check_open(invitation, now)
    questions = list(invitation.survey.questions.all())
    answers = {}
    for question in questions:
        if question.code in values:
            value = _value(question, values[question.code])
            if value:
                answers[question] = value
    with transaction.atomic():
        response = Response.objects.select_for_update().filter(invitation=invitation).first()
        if response is None:
            missing = [q for q in questions if q.required and q not in answers]
            if missing:
                raise ActionError(
                    "required", _("Please answer this question."), 422, field=missing[0].code
                )
            claimed = Invitation.objects.filter(id=invitation.id, responded_at__isnull=True).update(
                responded_at=now
            )
            if not claimed:
                raise _already()
            response = Response.objects.create(
                invitation=invitation,
                survey=invitation.survey,
                agency=invitation.agency,
                service=invitation.service,
                office=invitation.office,
                channel=invitation.channel,
                agent=invitation.agent,
                submitted_at=now,
                language=translation.get_language()[:2]
                if translation.get_language()
                else invitation.language,
            )
            verb = "survey.answered"
        else:
            if response.completed_at is not None:
                raise _already()
            verb = "survey.completed"
        for question, value in answers.items():
            if Answer.objects.filter(response=response, question=question).exists():
                continue  # the first screen's answer stays as given
            Answer.objects.create(response=response, question=question, **value)
            if question.kind == QuestionKind.COMMENT and not response.comment:
                response.comment = value["value_text"]
        if final:
            response.completed_at = now
        updated = Response.objects.filter(id=response.id, completed_at__isnull=True).update(
            comment=response.comment, completed_at=response.completed_at
        )
        if not updated:
            raise _already()
        record_event(
            verb,
            response,
            actor=actor,
            agency=invitation.agency,
            office=invitation.office,
            service=invitation.service,
            data={
                "invitation": str(invitation.id),
                "answers": len(answers),
                "final": final,
                **_rollup_facts(invitation, answers),
            },
            at=now,
        )
    return response


def _rollup_facts(invitation: Invitation, answers: dict) -> dict:
    """What the published results count (insights' rollups): whether the person was satisfied
    and trusted the service — 4 or 5 on a scale, or a thumbs up — never what they wrote."""
    positive = {}
    for question, value in answers.items():
        if question.driver in ("satisfaction", "trust") and value.get("value_int") is not None:
            scale = question.kind == QuestionKind.SCALE5
            positive[question.driver] = value["value_int"] >= (4 if scale else 1)
    return {
        "channel": invitation.channel,
        "agent": str(invitation.agent_id) if invitation.agent_id else None,
        "positive": positive,
    }


def _already() -> ActionError:
    return ActionError(
        "already_answered", _("You have already answered this survey. Thank you."), 409
    )
