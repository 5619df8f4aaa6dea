"""A claim is re-checked in the database right before the provider call, and held for the send.

Without it, the only check was this worker's clock against the lease it read at claim time: a
send that began just before the lease ran out could be taken back and sent again by another
worker while it was still going on, and a worker whose clock lags behind the others' could send
a row another worker had already taken back.
"""

from datetime import timedelta

from django.utils import timezone

from accueil.notify.models import Message, Status
from accueil.notify.outbox import claim, deliver, enqueue, recover_expired_leases


class RecordingChannel:
    """Counts what reaches the provider; ``during_send`` runs while a send is in progress."""

    def __init__(self, during_send=None):
        self.sent = []
        self.during_send = during_send

    def send(self, message):
        self.sent.append(message.idempotency_key)
        if self.during_send is not None:
            action, self.during_send = self.during_send, None
            action()
        return f"id-{len(self.sent)}"

    def close(self):
        pass


def later(seconds):
    return timezone.now() + timedelta(seconds=seconds)


def test_a_send_that_starts_just_before_the_lease_ends_is_not_taken_back_meanwhile(db, settings):
    settings.OUTBOX_LEASE_SECONDS = 60
    enqueue(channel="email", recipient="a@example.ca", idempotency_key="edge", body="b")
    [mine] = claim()
    # Worker A reaches the send half a second before its lease ends …
    mine.lease_until = later(0.5)
    Message.objects.filter(pk=mine.pk).update(lease_until=mine.lease_until)
    channel = RecordingChannel()

    def worker_b_a_second_later():
        # … and the send takes a while: worker B looks for lapsed leases meanwhile.
        recover_expired_leases(now=later(1))
        for theirs in claim(now=later(1)):
            deliver(theirs, channel)

    channel.during_send = worker_b_a_second_later
    assert deliver(mine, channel) == Status.SENT
    assert channel.sent == ["edge"]  # once: B found nothing to take back
    assert Message.objects.get().status == Status.SENT


def test_a_worker_whose_clock_lags_does_not_send_a_row_taken_back_by_another(db, settings):
    settings.OUTBOX_LEASE_SECONDS = 60
    enqueue(channel="email", recipient="a@example.ca", idempotency_key="skew", body="b")
    [mine] = claim()
    # Worker B's clock is two minutes ahead: to B, A's lease has lapsed; it takes the row back.
    assert recover_expired_leases(now=later(120)) == 1
    [theirs] = claim(now=later(120))
    assert theirs.claim_token != mine.claim_token
    channel = RecordingChannel()
    # A still believes its lease runs (its clock says so): the database says otherwise.
    assert deliver(mine, channel) == Status.SENDING
    assert channel.sent == []
    assert deliver(theirs, channel) == Status.SENT
    assert channel.sent == ["skew"]


def test_the_lease_is_renewed_for_the_send_and_cleared_after(db, settings):
    settings.OUTBOX_LEASE_SECONDS = 60
    enqueue(channel="email", recipient="a@example.ca", idempotency_key="renew", body="b")
    [mine] = claim()
    Message.objects.filter(pk=mine.pk).update(lease_until=later(5))
    mine.lease_until = later(5)
    seen = {}

    def look():
        seen["lease_until"] = Message.objects.get().lease_until

    deliver(mine, RecordingChannel(during_send=look))
    assert seen["lease_until"] >= later(55)  # a whole lease for the provider call
    row = Message.objects.get()
    assert row.status == Status.SENT and row.lease_until is None and row.claim_token is None
