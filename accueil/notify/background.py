"""The notify app's background work, registered with core's worker (core/jobs.py)."""

from datetime import timedelta

from django.conf import settings

from accueil.core.jobs import housekeeping, jobs
from accueil.notify.campaigns import run_imports
from accueil.notify.models import Message
from accueil.notify.outbox import run_batch


@jobs.register("outbox")
def send_due_messages() -> int:
    return run_batch(settings.OUTBOX_BATCH)


@jobs.register("campaigns")
def import_campaigns() -> int:
    return run_imports()


@housekeeping.register
def erase_old_message_bodies(now) -> dict[str, int]:
    """What a message said is kept only for a short while; that it was sent stays."""
    cutoff = now - timedelta(days=settings.OUTBOX_BODY_RETENTION_DAYS)
    erased = (
        Message.objects.filter(sent_at__lt=cutoff)
        .exclude(body="", subject="")
        .update(body="", subject="")
    )
    return {"message_bodies": erased}
