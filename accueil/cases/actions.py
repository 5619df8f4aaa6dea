"""Every change to a request, as named actions: views, the API, commands and jobs call these.

``access_case`` finds a case for an actor (staff of its office, or the citizen holding its
tracking secret) and answers 404 to anyone else, so a stranger cannot tell a reference exists.
``do_*`` write inside a transaction, record an event and queue the citizen's notices in the
outbox (sent after commit by the worker; a rollback sends nothing).

Concurrency: staff changes carry the ``version`` the agent saw; the write is a conditional
update on it, so of two agents changing the same case the second is told, never overwritten.
That holds on SQLite too (its single writer re-reads the row after waiting for the lock).
"""

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accueil.cases import clocks, mailthread, routing
from accueil.cases.intake import Intake
from accueil.cases.models import (
    NEXT_STATUSES,
    OPEN_STATUSES,
    Attachment,
    Case,
    CaseLink,
    CaseSettings,
    Message,
    MessageKind,
    Status,
)
from accueil.catalog.models import Channel
from accueil.core import capabilities
from accueil.core.actions import ActionError
from accueil.core.actors import Actor, ActorKind, Role
from accueil.core.events import record_event
from accueil.core.uploads import check_upload, refusal_error
from accueil.lib import dates
from accueil.lib.uploads import CleanFile, Refused
from accueil.notify.actions import notify_beside
from accueil.notify.outbox import check_threading

logger = logging.getLogger("accueil.cases")

REFERENCE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"  # no 0/O, 1/I, 2/Z, 5/S, 8/B look-alikes
REFERENCE_LENGTH = 6  # 26⁶ ≈ 309 million a year: guessing one is hopeless, and useless without
# the tracking secret.
PUBLIC_CHANNELS = {Channel.WEB, Channel.APP}  # anyone may open a request through these
STAFF_CHANNELS = {Channel.PHONE, Channel.IN_PERSON, Channel.MAIL, Channel.EMAIL, Channel.WEB}
MB = 1_000_000  # SI megabytes, as the refusal messages count them


# -- finding a case ----------------------------------------------------------------------------


def authorise(actor: Actor, case: Case) -> None:
    """Staff who reach the case's office, the system, or the citizen holding it; else 404."""
    if actor.kind == ActorKind.SYSTEM:
        return
    if actor.is_staff and actor.reaches_office(case.office):
        return
    if actor.holds_object("case", case.id):
        return
    raise Http404


def cases_for(actor: Actor):
    """The cases a staff actor may see: their agency's, in their offices when they have a list."""
    if not actor.is_staff:
        return Case.objects.none()
    found = Case.objects.filter(agency_id=actor.agency_id)
    if actor.office_ids is not None:
        found = found.filter(office_id__in=actor.office_ids)
    return found


def access_case(actor: Actor, reference: str) -> Case:
    """The one lookup of a case by reference for an actor; unknown and forbidden alike 404."""
    case = (
        Case.objects.select_related("office__agency", "service", "team", "assignee")
        .filter(reference=str(reference).upper()[:16])
        .first()
    )
    if case is None:
        raise Http404
    authorise(actor, case)
    return case


def citizen_of_case(reference: str, secret: str) -> Actor:
    """The citizen holding a case's tracking secret; 404 for a wrong secret or reference."""
    case_id = Case.objects.filter(reference=str(reference).upper()[:16]).values_list(
        "id", flat=True
    )
    found = case_id.first()
    if found is None or not capabilities.holds("case", found, secret):
        raise Http404
    return Actor.citizen("case", found)


def tracking_url(case: Case, language: str | None = None) -> str:
    with translation.override(language or case.language):
        path = reverse("cases:track", args=[case.reference, case.tracking_secret])
    return settings.SITE_URL + path


# -- opening -----------------------------------------------------------------------------------


def staff_can_record(actor: Actor, services) -> list:
    """The services whose requests this agent may record: timed by an office they work at."""
    found = []
    for service in services:
        try:
            office = settings_for(service).office
        except ActionError:  # no office at all: takes no requests
            continue
        if actor.reaches_office(office):
            found.append(service)
    return found


def settings_for(service) -> CaseSettings:
    """The service's request settings; a service without any times its requests by its first
    office (or the agency's first) and takes the default files."""
    found = CaseSettings.objects.filter(service=service).select_related("office").first()
    if found is not None:
        return found
    office = service.offices.order_by("name_fr").first()
    if office is None:
        office = service.agency.offices.order_by("name_fr").first()
    if office is None:
        raise ActionError("unavailable", _("This service does not take requests."), 422)
    return CaseSettings(service=service, office=office)


def check_open(actor: Actor, service, channel: str) -> None:
    # Online (web, app) only where the service says so; staff record a call or a letter for
    # any service of their agency, since the citizen reached them anyway.
    if not service.active or (channel in PUBLIC_CHANNELS and channel not in service.channels):
        raise ActionError("unavailable", _("This service does not take requests online."), 422)
    if actor.is_staff:
        if actor.agency_id != service.agency_id or not actor.has_role(Role.AGENT):
            raise Http404
        if channel not in STAFF_CHANNELS:
            raise ActionError("invalid", _("Choose how the request came in."), 422, field="channel")
        return
    if actor.kind in (ActorKind.PUBLIC, ActorKind.CLIENT_APP, ActorKind.CITIZEN):
        if channel not in PUBLIC_CHANNELS:
            raise ActionError("invalid", _("Choose how the request came in."), 422, field="channel")
        return
    if actor.kind == ActorKind.SYSTEM:
        return
    raise Http404


def _new_reference(now: datetime) -> str:
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"R-{now.year}-{code}"


def clean_files(case_settings: CaseSettings, files) -> list:
    """Each upload (Django ``UploadedFile``) sniffed, cleaned and re-encoded (lib/uploads.py),
    or the action error that says, in the reader's language, why it was refused."""
    cleaned = []
    for uploaded in files:
        if isinstance(uploaded, CleanFile):  # already checked (an email's files, mail_actions)
            cleaned.append(uploaded)
            continue
        try:
            cleaned.append(
                check_upload(
                    uploaded,
                    allowed=set(case_settings.attachment_kinds),
                    max_bytes=case_settings.attachment_max_mb * MB,
                )
            )
        except Refused as refused:
            raise refusal_error(refused, field="files") from None
    return cleaned


def _store_files(case: Case, cleaned, *, message=None, from_citizen=False, public=True) -> None:
    for file in cleaned:
        Attachment.objects.create(
            case=case,
            message=message,
            name=file.name,
            kind=file.kind,
            content_type=file.content_type,
            size=len(file.data),
            data=file.data,
            from_citizen=from_citizen,
            public=public,
        )


def do_open_case(
    actor: Actor,
    *,
    service,
    channel: str,
    intake: Intake,
    files=(),
    now=None,
    idempotency_key=None,
    fingerprint="",
    acknowledge: bool = True,
) -> Case:
    """Open a request: number it, route it to a team and an agent, start its clocks, record
    it and acknowledge it to the citizen (with the tracking link) when they gave a contact.

    ``idempotency_key`` (already scoped to the caller) makes a retry return the first case;
    ``fingerprint`` digests the request, so the same key with another request is refused.
    ``acknowledge=False`` holds the acknowledgement back (email in, past its cap per sender)."""
    if idempotency_key:
        existing = Case.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_request(existing, fingerprint)
    check_open(actor, service, channel)
    case_settings = settings_for(service)
    if actor.is_staff and not actor.reaches_office(case_settings.office):
        # Recorded, it would be a request its own author cannot open.
        raise ActionError(
            "not_your_office",
            _("Requests for this service are handled at %(office)s, where you do not work.")
            % {"office": case_settings.office.name},
            403,
            field="service",
        )
    cleaned = clean_files(case_settings, files)
    now = now or timezone.now()
    language = intake.language if intake.language in ("fr", "en") else "fr"
    case = Case(
        agency_id=service.agency_id,
        service=service,
        office=case_settings.office,
        channel=channel,
        language=language,
        description=intake.description,
        contact_name=intake.name,
        contact_email=intake.email,
        contact_phone=intake.phone,
        address=intake.address,
        latitude=intake.latitude,
        longitude=intake.longitude,
        fields=intake.answers,
        opened_at=now,
        updated_at=now,
        transitions=[[now.isoformat(), Status.NEW]],
        idempotency_key=idempotency_key or None,
        request_fingerprint=fingerprint if idempotency_key else "",
    )
    case.team = routing.team_for(case)
    if case.team is not None:
        case.assignee = routing.agent_for(case.team, case.office)
        case.assigned_at = now if case.assignee else None
    clocks.refresh(case, now)
    with transaction.atomic():
        for _attempt in range(5):
            case.reference = _new_reference(now)
            try:
                with transaction.atomic():
                    case.save(force_insert=True)
                break
            except IntegrityError:
                if Case.objects.filter(reference=case.reference).exists():
                    continue
                if idempotency_key:  # the same request won in parallel
                    winner = Case.objects.filter(idempotency_key=idempotency_key).first()
                    if winner is not None:
                        return _same_request(winner, fingerprint)
                raise
        _store_files(case, cleaned, from_citizen=not actor.is_staff)
        record_event(
            "case.opened",
            case,
            actor=actor,
            data={
                "channel": channel,
                "team": str(case.team_id) if case.team_id else None,
                "assignee": str(case.assignee_id) if case.assignee_id else None,
                "files": len(cleaned),
            },
            office=case.office,
            service=service,
            at=now,
        )
        if acknowledge:
            acknowledge_case(case)
    return case


def acknowledge_case(case: Case) -> None:
    """Queue the "we got your request" notice (inside the opening's transaction)."""
    _tell_citizen(case, "case.received")


def _same_request(case: Case, fingerprint: str) -> Case:
    if case.request_fingerprint != fingerprint:
        raise ActionError(
            "idempotency_mismatch",
            _("This Idempotency-Key was already used for another request. Use a new key."),
            status=422,
        )
    return case


# -- staff changes -----------------------------------------------------------------------------


def conflict() -> ActionError:
    return ActionError(
        "conflict",
        _(
            "Someone changed this request while you were working on it. "
            "Reload it to see their change."
        ),
    )


def _write(case: Case, version: int | None, now: datetime, **changes) -> Case:
    """Apply ``changes`` only if the case is still at ``version`` (the one the person saw)."""
    expected = case.version if version is None else version
    updated = Case.objects.filter(pk=case.pk, version=expected).update(
        version=F("version") + 1, updated_at=now, **changes
    )
    if not updated:
        raise conflict()
    for name, value in changes.items():
        setattr(case, name, value)
    case.version = expected + 1
    case.updated_at = now
    return case


def _require_staff(actor: Actor, case: Case) -> None:
    authorise(actor, case)
    if actor.kind != ActorKind.SYSTEM and not actor.has_role(Role.AGENT):
        raise Http404


def _moved_status(case: Case, status: str, now: datetime) -> dict:
    """The fields a status change sets (timestamps, transitions, clocks)."""
    changes: dict = {
        "status": status,
        "transitions": [*case.transitions, [now.isoformat(), status]],
    }
    if status == Status.ACKNOWLEDGED and case.acknowledged_at is None:
        changes["acknowledged_at"] = now
    if status == Status.RESOLVED:
        changes["resolved_at"] = now
    if status == Status.CLOSED:
        changes["closed_at"] = now
    if status in OPEN_STATUSES:
        changes["closed_at"] = None
    return changes


def _with_clocks(case: Case, changes: dict, now: datetime) -> dict:
    probe = Case(**{f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields})
    probe.service = case.service
    probe.office = case.office
    for name, value in changes.items():
        setattr(probe, name, value)
    return {**changes, **clocks.refresh(probe, now)}


def do_change_status(actor: Actor, case: Case, status: str, *, version=None, now=None) -> Case:
    _require_staff(actor, case)
    now = now or timezone.now()
    if status not in Status.values:
        raise ActionError("invalid", _("Choose a status from the list."), 422, field="status")
    if status == case.status:
        return case
    if status not in NEXT_STATUSES[Status(case.status)]:
        raise ActionError(
            "not_allowed",
            _("A request that is “%(now)s” cannot become “%(next)s”.")
            % {"now": Status(case.status).label, "next": Status(status).label},
        )
    previous = case.status
    due_before = case.resolution_due_at
    with transaction.atomic():
        _write(case, version, now, **_with_clocks(case, _moved_status(case, status, now), now))
        record_event(
            f"case.{status}",
            case,
            actor=actor,
            data={"from": previous, "to": status, **_status_facts(case, status, due_before, now)},
            office=case.office,
            service=case.service,
            at=now,
        )
        _tell_citizen(case, "case.status_changed")
    return case


def _timing(since: datetime, due: datetime | None, now: datetime) -> dict:
    """How long it took and whether the due time we announced was met (None: none announced)."""
    return {
        "after": max(0, int((now - since).total_seconds())),
        "due_met": None if due is None else now <= due,
    }


def _status_facts(case: Case, status: str, due: datetime | None, now: datetime) -> dict:
    """What the rollups learn from a status change: the channel; on a resolution, how long it
    took, whether it met the due time, and whether it was settled at first contact (at most
    one answer and nothing more asked of the citizen)."""
    facts: dict = {"channel": case.channel}
    if status == Status.RESOLVED:
        kinds = list(case.messages.values_list("kind", flat=True))
        facts.update(_timing(case.opened_at, due, now))
        facts["first_contact"] = (
            kinds.count(MessageKind.REPLY) <= 1 and MessageKind.CITIZEN not in kinds
        )
    return facts


def do_assign(
    actor: Actor, case: Case, *, assignee=None, team=None, version=None, now=None
) -> Case:
    """Give the case to an agent of the agency (and optionally a team); None: unassigned."""
    _require_staff(actor, case)
    now = now or timezone.now()
    if team is not None and team.agency_id != case.agency_id:
        raise ActionError("invalid", _("Choose a team of your agency."), 422, field="team")
    if assignee is not None and (assignee.agency_id != case.agency_id or not assignee.is_active):
        raise ActionError("invalid", _("Choose an agent of your agency."), 422, field="assignee")
    changes = {
        "assignee": assignee,
        "assigned_at": now if assignee is not None else None,
        "team": team if team is not None else case.team,
    }
    with transaction.atomic():
        _write(case, version, now, **changes)
        record_event(
            "case.assigned",
            case,
            actor=actor,
            data={
                "assignee": str(assignee.pk) if assignee else None,
                "team": str(case.team_id) if case.team_id else None,
            },
            office=case.office,
            service=case.service,
            at=now,
        )
    return case


def do_reply(
    actor: Actor, case: Case, body: str, *, template: str = "", files=(), version=None, now=None
) -> Message:
    """An agent's public answer: the first one stops the first-response clock; a new case
    becomes "in progress"; the citizen is told, in their language. With ``version`` (the one
    the agent saw), a case changed meanwhile (another agent's answer, say) is a conflict: the
    agent reads the change before the citizen gets two answers."""
    _require_staff(actor, case)
    body = _body(body)
    if case.duplicate_of_id:
        raise ActionError(
            "merged",
            _("This request was merged into %(ref)s: answer there.")
            % {"ref": case.duplicate_of.reference},
        )
    if case.status == Status.CLOSED:
        raise ActionError("closed", _("This request is closed."))
    cleaned = clean_files(settings_for(case.service), files)
    now = now or timezone.now()
    changes: dict = {}
    facts = {"channel": case.channel}
    if case.first_response_at is None:
        changes["first_response_at"] = now
        facts.update(first=True, **_timing(case.opened_at, case.response_due_at, now))
    if case.status in (Status.NEW, Status.ACKNOWLEDGED):
        changes.update(_moved_status(case, Status.IN_PROGRESS, now))
    with transaction.atomic():
        _write(case, version, now, **_with_clocks(case, changes, now))
        message = Message.objects.create(
            case=case,
            kind=MessageKind.REPLY,
            author=actor.event_user,
            body=body,
            language=case.language,
            template=template[:60],
            created_at=now,
        )
        _store_files(case, cleaned, message=message)
        record_event(
            "case.replied",
            case,
            actor=actor,
            data={
                "message": str(message.id),
                "template": template[:60],
                "files": len(cleaned),
                **facts,
            },
            office=case.office,
            service=case.service,
            at=now,
        )
        _tell_citizen(case, "case.replied", message=message)
    return message


def do_add_note(actor: Actor, case: Case, body: str, *, files=(), now=None) -> Message:
    """An internal note: staff only, never shown or sent to the citizen."""
    _require_staff(actor, case)
    body = _body(body)
    cleaned = clean_files(settings_for(case.service), files)
    now = now or timezone.now()
    with transaction.atomic():
        _write(case, None, now)
        message = Message.objects.create(
            case=case, kind=MessageKind.NOTE, author=actor.event_user, body=body, created_at=now
        )
        _store_files(case, cleaned, message=message, public=False)
        record_event(
            "case.noted",
            case,
            actor=actor,
            data={"message": str(message.id)},
            office=case.office,
            service=case.service,
            at=now,
        )
    return message


def _body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ActionError("invalid", _("Write a message first."), 422, field="body")
    if len(body) > 10_000:
        raise ActionError(
            "invalid", _("Keep your message under 10,000 characters."), 422, field="body"
        )
    return body


def do_merge(actor: Actor, duplicate: Case, original: Case, *, version=None, now=None) -> Case:
    """Mark ``duplicate`` as the same request as ``original``: it is closed and points there;
    its citizen keeps getting the original's notices. Opposite merges at once: the second is
    refused (each write is conditional on the other case not being merged)."""
    _require_staff(actor, duplicate)
    authorise(actor, original)
    if duplicate.pk == original.pk or original.agency_id != duplicate.agency_id:
        raise ActionError(
            "invalid", _("Choose another request to merge into."), 422, field="original"
        )
    if original.duplicate_of_id:
        raise ActionError(
            "invalid",
            _("%(ref)s was itself merged into another request: merge into that one.")
            % {"ref": original.reference},
            422,
            field="original",
        )
    now = now or timezone.now()
    expected = duplicate.version if version is None else version
    previous = duplicate.status
    with transaction.atomic():
        changes = _moved_status(duplicate, Status.CLOSED, now)
        changes.update(duplicate_of=original, next_check_at=None)
        # Two conditional writes, always in id order, so that opposite merges at once wait
        # for each other instead of deadlocking; the second then finds a case already merged.
        writes = {
            duplicate.pk: lambda: Case.objects.filter(
                pk=duplicate.pk, version=expected, duplicate_of__isnull=True
            ).update(version=F("version") + 1, updated_at=now, **changes),
            # The original must not have been merged meanwhile (into this one, say). A write,
            # not a read, so that on SQLite it waits for a merge running at the same time; its
            # version is kept: an agent editing the original is not disturbed.
            original.pk: lambda: Case.objects.filter(
                pk=original.pk, duplicate_of__isnull=True
            ).update(updated_at=now),
        }
        done = {pk: writes[pk]() for pk in sorted(writes, key=str)}
        merged, still_original = done[duplicate.pk], done[original.pk]
        if not merged or not still_original:
            raise conflict()
        for name, value in changes.items():
            setattr(duplicate, name, value)
        duplicate.version = expected + 1
        record_event(
            "case.merged",
            duplicate,
            actor=actor,
            data={"into": str(original.pk), "from": previous, "channel": duplicate.channel},
            office=duplicate.office,
            service=duplicate.service,
            at=now,
        )
        _tell_citizen(duplicate, "case.status_changed", include_duplicates=False)
    return duplicate


def do_link(actor: Actor, case: Case, other: Case) -> None:
    _require_staff(actor, case)
    authorise(actor, other)
    if case.pk == other.pk:
        raise ActionError("invalid", _("Choose another request to link."), 422, field="other")
    with transaction.atomic():
        for one, two in ((case, other), (other, case)):
            CaseLink.objects.get_or_create(case=one, other=two)
        record_event(
            "case.linked",
            case,
            actor=actor,
            data={"other": str(other.pk)},
            office=case.office,
            service=case.service,
        )


# -- the citizen -------------------------------------------------------------------------------


def do_citizen_reply(
    actor: Actor, case: Case, body: str, *, files=(), now=None, channel: str = Channel.WEB
) -> Message:
    """The citizen answers: a case waiting for them goes back to work (its clocks resume); a
    resolved one reopens within the service's reopening window; a closed one is over. For a
    merged duplicate these apply to the original; the message stays on the duplicate.
    ``channel``: how the answer came (the tracking page, or ``email``)."""
    authorise(actor, case)
    if actor.kind != ActorKind.CITIZEN and actor.kind != ActorKind.SYSTEM:
        raise Http404
    body = _body(body)
    now = now or timezone.now()
    case_settings = settings_for(case.service)
    target = case.duplicate_of if case.duplicate_of_id else case
    if target.status == Status.CLOSED:
        raise ActionError("closed", _("This request is closed. To ask again, open a new request."))
    if (
        target.status == Status.RESOLVED
        and target.resolved_at
        and (now - target.resolved_at > timedelta(days=case_settings.reopen_days))
    ):
        raise ActionError("closed", _("This request is closed. To ask again, open a new request."))
    cleaned = clean_files(case_settings, files)
    changes: dict = {}
    if target.status in (Status.WAITING, Status.RESOLVED):
        changes.update(_moved_status(target, Status.IN_PROGRESS, now))
    with transaction.atomic():
        previous = target.status
        _write(target, None, now, **_with_clocks(target, changes, now))
        # The words stay on the citizen's own request: after a merge, the original's citizen
        # must not read another person's message (agents see both on the original's page).
        message = Message.objects.create(
            case=case,
            kind=MessageKind.CITIZEN,
            body=body,
            language=case.language,
            channel=channel,
            created_at=now,
        )
        _store_files(case, cleaned, message=message, from_citizen=True)
        record_event(
            "case.citizen_replied",
            target,
            actor=actor,
            data={
                "message": str(message.id),
                "reopened": previous == Status.RESOLVED,
                "channel": target.channel,
                "files": len(cleaned),
                "from_case": str(case.pk),
            },
            office=target.office,
            service=target.service,
            at=now,
        )
    return message


# -- jobs --------------------------------------------------------------------------------------


def do_check_clocks(now=None, limit: int = 500) -> int:
    """Raise the warnings (75 % of the target) and breaches that time alone brought about."""
    now = now or timezone.now()
    due = list(
        Case.objects.filter(next_check_at__lte=now, status__in=OPEN_STATUSES)
        .select_related("office__agency", "service")
        .prefetch_related("service__standards")
        .order_by("next_check_at")[:limit]
    )
    calendars: dict = {}  # each office's calendar read once a round, not once a case
    for case in due:
        before = {"response": case.response_state, "resolution": case.resolution_state}
        if case.office_id not in calendars:
            calendars[case.office_id] = case.office.calendar()
        calendar = calendars[case.office_id]
        changes = clocks.refresh(case, now, calendar)
        with transaction.atomic():
            written = Case.objects.filter(pk=case.pk, version=case.version).update(**changes)
            if not written:
                continue  # someone changed it meanwhile: their write refreshed the clocks
            for clock in ("response", "resolution"):
                state = changes[f"{clock}_state"]
                if state != before[clock] and state in ("warning", "breached"):
                    record_event(
                        f"case.clock_{state}",
                        case,
                        actor=Actor.system(),
                        data={"clock": clock, "due_at": changes[f"{clock}_due_at"].isoformat()},
                        office=case.office,
                        service=case.service,
                        at=now,
                    )
    return len(due)


def do_recompute_due(office_ids, reason: str, now=None) -> int:
    """The office calendar changed (a closure, a holiday, new hours): every open case timed by
    it gets new due times, and each move is recorded with its reason."""
    now = now or timezone.now()
    moved = 0
    open_cases = Case.objects.filter(office_id__in=office_ids, status__in=OPEN_STATUSES)
    calendars: dict = {}
    with_standards = open_cases.select_related("office__agency", "service").prefetch_related(
        "service__standards"
    )
    for case in with_standards.iterator(chunk_size=200):
        if case.office_id not in calendars:
            calendars[case.office_id] = case.office.calendar()
        calendar = calendars[case.office_id]
        before = (case.response_due_at, case.resolution_due_at)
        changes = clocks.refresh(case, now, calendar)
        after = (changes["response_due_at"], changes["resolution_due_at"])
        if before == after:
            continue
        with transaction.atomic():
            if not Case.objects.filter(pk=case.pk, version=case.version).update(**changes):
                continue
            record_event(
                "case.due_moved",
                case,
                actor=Actor.system(),
                data={
                    "reason": reason,
                    "from": [m.isoformat() if m else None for m in before],
                    "to": [m.isoformat() if m else None for m in after],
                },
                office=case.office,
                service=case.service,
                at=now,
            )
            moved += 1
    return moved


def do_close_resolved(now=None, limit: int = 500) -> int:
    """Close the resolved requests nobody reopened within the service's window."""
    now = now or timezone.now()
    closed = 0
    resolved = Case.objects.filter(status=Status.RESOLVED).select_related("service", "office")
    for case in resolved.order_by("resolved_at")[:limit]:
        window = timedelta(days=settings_for(case.service).reopen_days)
        if case.resolved_at is None or now - case.resolved_at <= window:
            continue
        with transaction.atomic():
            changes = _moved_status(case, Status.CLOSED, now)
            written = Case.objects.filter(
                pk=case.pk, version=case.version, status=Status.RESOLVED
            ).update(version=F("version") + 1, updated_at=now, **changes)
            if written:  # a citizen's reply racing it wins: the case was reopened
                record_event(
                    "case.closed",
                    case,
                    actor=Actor.system(),
                    data={
                        "from": Status.RESOLVED,
                        "to": Status.CLOSED,
                        "automatic": True,
                        "channel": case.channel,
                    },
                    office=case.office,
                    service=case.service,
                    at=now,
                )
                closed += 1
    return closed


def do_forget_expired(now=None, limit: int = 500) -> int:
    """Retention: a closed case older than its service's retention period loses every personal
    detail (text, contact, place, answers, messages, files); the anonymous facts stay for
    statistics (service, office, channel, dates, clocks)."""
    now = now or timezone.now()
    forgotten = 0
    closed = Case.objects.filter(status=Status.CLOSED, anonymised_at__isnull=True)
    for case in closed.select_related("service").order_by("closed_at")[:limit]:
        if case.closed_at is None or now - case.closed_at < timedelta(
            days=case.service.retention_days
        ):
            continue
        with transaction.atomic():
            Attachment.objects.filter(case=case).delete()
            case.inbound_mail.update(message_id="", sender_digest="")
            Message.objects.filter(case=case).update(body="")
            Case.objects.filter(pk=case.pk).update(
                description="",
                contact_name="",
                contact_email="",
                contact_phone="",
                address="",
                latitude=None,
                longitude=None,
                fields={},
                anonymised_at=now,
            )
            record_event(
                "case.anonymised",
                case,
                actor=Actor.system(),
                office=case.office_id,
                service=case.service,
                at=now,
            )
            forgotten += 1
    return forgotten


# -- notices -----------------------------------------------------------------------------------


def _reach(case: Case) -> tuple[str, str] | None:
    if case.contact_email:
        return "email", case.contact_email
    if case.contact_phone:
        return "sms", case.contact_phone
    return None


def _tell_citizen(case: Case, key: str, *, message=None, include_duplicates=True) -> None:
    """Queue a notice to the case's citizen and, for an original, to each duplicate's citizen
    (each with their own tracking link and in their own language)."""
    people = [case]
    if include_duplicates:
        people += list(case.duplicates.exclude(anonymised_at__isnull=False))
    for person in people:
        reach = _reach(person)
        if reach is None:
            continue
        language = person.language
        with translation.override(language):
            values = {
                "reference": person.reference,
                "service": case.service.name_in(language),
                "status": str(Status(case.status).label),
                "link": tracking_url(person, language),
                "due": dates.day(
                    timezone.localtime(case.resolution_due_at, case.office.zone), language
                )
                if case.resolution_due_at
                else "",
                "message": message.body if message is not None else "",
            }
        suffix = message.pk if message is not None else f"{case.status}:{case.version}"
        notify_beside(
            key=key,
            channel=reach[0],
            recipient=reach[1],
            language=language,
            values=values,
            idempotency_key=f"case:{person.pk}:{key}:{suffix}",
            agency=case.office.agency,
            reason=(key, str(person.pk)),
            **(_threading(person) if reach[0] == "email" else {}),
        )


def _threading(case: Case) -> dict:
    """An email about a request: one conversation in the citizen's mail program (its thread
    and the citizen's own last message), and answers go to the signed reply address when the
    agency receives mail (cases/mailthread.py). A piece the outbox would refuse (an odd
    Message-ID, an address too long) is left out rather than fail the notice."""
    receiving = mailthread.receiving_address(case)
    cited = list(
        case.inbound_mail.exclude(message_id="")
        .order_by("-received_at")
        .values_list("message_id", flat=True)[:1]
    )
    threading: dict = {"thread": mailthread.thread_of(case)}
    if receiving and _accepted(reply_to=mailthread.reply_address(case, receiving)):
        threading["reply_to"] = mailthread.reply_address(case, receiving)
    if cited and _accepted(references=[f"<{cited[0]}>"]):
        threading["references"] = [f"<{cited[0]}>"]
    return threading


def _accepted(reply_to: str = "", references: list[str] | None = None) -> bool:
    try:
        check_threading("", reply_to, references or [])
    except ValueError:
        return False
    return True
