"""Opening a request from an Open311 application, and keeping its media when allowed.

``do_submit`` is the cases app's own ``do_open_case`` (same cleaners, routing, clocks and
acknowledgement, channel ``app``, the application as actor) plus this app's row beside the
case, in one transaction: a crash between the two leaves neither. A retry with the same
``Idempotency-Key`` from the same application gets the first request back.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accueil.cases.actions import do_add_note, do_open_case
from accueil.cases.intake import Intake
from accueil.catalog.models import Channel
from accueil.core.actions import ActionError
from accueil.core.actors import Actor, ActorKind
from accueil.core.events import record_event
from accueil.lib import netguard
from accueil.open311.models import Media, Submission


def do_submit(
    app,
    *,
    service,
    intake: Intake,
    jurisdiction: str = "",
    media_url: str = "",
    account_id: str = "",
    device_id: str = "",
    idempotency_key: str | None = None,
    fingerprint: str = "",
    now=None,
) -> Submission:
    actor: Actor = app.actor()
    if actor.kind != ActorKind.CLIENT_APP or service.agency_id != app.agency_id:
        raise ActionError(
            "forbidden", _("This key does not open requests for this jurisdiction."), 403
        )
    now = now or timezone.now()
    with transaction.atomic():
        case = do_open_case(
            actor,
            service=service,
            channel=Channel.APP,
            intake=intake,
            now=now,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
        )
        earlier = Submission.objects.filter(case=case).first()
        if earlier is not None:  # an idempotent retry: the first request, unchanged
            return earlier
        media = Media.NONE
        if media_url:
            media = Media.PENDING if settings.OPEN311_FETCH_MEDIA else Media.LINK
        submission = Submission.objects.create(
            case=case,
            client_app=app,
            jurisdiction=jurisdiction,
            account_id=account_id,
            device_id=device_id,
            media_url=media_url,
            media=media,
            created_at=now,
        )
        record_event(
            "open311.submitted",
            case,
            actor=actor,
            office=case.office,
            service=service,
            data={"app": str(app.pk), "media": media},
            at=now,
        )
    return submission


def do_keep_media(limit: int = 20) -> int:
    """The worker's job, only when ``OPEN311_FETCH_MEDIA`` is on: fetch each pending
    ``media_url`` through the SSRF guard and keep it as a staff-only attachment of its
    request, by the same file rules as any upload (a system note carries it). A refusal is
    recorded on the submission; the link stays either way. Two workers may fetch the same
    link; only the one whose conditional update wins keeps it."""
    if not settings.OPEN311_FETCH_MEDIA:
        return 0
    pending = Submission.objects.filter(media=Media.PENDING).select_related("case__service")
    done = 0
    for submission in pending.order_by("created_at")[:limit]:
        outcome, note, upload = _fetch(submission.media_url)
        with transaction.atomic():
            claimed = Submission.objects.filter(pk=submission.pk, media=Media.PENDING).update(
                media=outcome, media_note=note
            )
            if not claimed:
                continue
            if upload is not None:
                try:
                    do_add_note(
                        Actor.system(),
                        submission.case,
                        _("Media the application linked to, kept when the request came in."),
                        files=[upload],
                    )
                except ActionError as refused:  # the file rules said no: keep the link only
                    Submission.objects.filter(pk=submission.pk).update(
                        media=Media.REFUSED, media_note=refused.code[:100]
                    )
            record_event(
                "open311.media_fetched",
                submission.case,
                actor=Actor.system(),
                office=submission.case.office_id,
                service=submission.case.service,
                data={"outcome": outcome, "note": note},
            )
        done += 1
    return done


def _fetch(url: str):
    """``(outcome, note, upload or None)``: never raises for what the network does."""
    try:
        status, content_type, body = netguard.get(
            url,
            max_bytes=settings.UPLOAD_MAX_BYTES,
            permitted=settings.WEBHOOK_PRIVATE_NETWORKS,
            allow=settings.OPEN311_MEDIA_PRIVATE_NETWORKS,
        )
    except netguard.BlockedDestination as blocked:
        return Media.REFUSED, f"blocked:{blocked.code}", None
    except netguard.TooLarge:
        return Media.REFUSED, "too_large", None
    except OSError:
        return Media.REFUSED, "unreachable", None
    if status != 200:
        return Media.REFUSED, f"status:{status}", None
    name = urlsplit(url).path.rsplit("/", 1)[-1][:100] or "media"
    return Media.FETCHED, "", SimpleUploadedFile(name, body, content_type=content_type[:100])


def do_forget_submissions(events) -> None:
    """The event consumer of ``case.anonymised``: retention erased a request's personal data,
    so what the application told us about its reporter goes too (account and device ids, the
    media link). Idempotent: a replayed batch clears what is already clear."""
    case_ids = [event.object_id for event in events if event.object_type == "cases.case"]
    kept = Submission.objects.filter(case_id__in=case_ids).exclude(
        account_id="", device_id="", media_url=""
    )
    for submission in kept.select_related("case"):
        with transaction.atomic():
            Submission.objects.filter(pk=submission.pk).update(
                account_id="", device_id="", media_url="", media=Media.NONE, media_note=""
            )
            record_event(
                "open311.forgotten",
                submission.case,
                actor=Actor.system(),
                office=submission.case.office_id,
                service=submission.case.service_id,
            )
