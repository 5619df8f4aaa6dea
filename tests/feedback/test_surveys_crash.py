"""Done-when 1 of issue 13: completing a visit and resolving a case each sends one invitation
through the outbox — with real worker processes killed with SIGKILL while they invite and
send, a real SMTP server receiving, on SQLite and PostgreSQL."""

import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accueil.cases.actions import do_change_status, do_open_case
from accueil.cases.intake import Intake
from accueil.core.actors import PUBLIC, Actor
from accueil.feedback.models import Invitation
from accueil.notify.models import Message, Status
from tests.feedback.surveys_world import served_visit
from tests.servers import database_url

VISITS = 120
CASES = 80
KILLS = 5


def start_worker(smtp_port: int, tmp_path) -> subprocess.Popen:
    """A real ``accueil worker``: the consumers and the outbox, as in production."""
    local = timezone.now().astimezone(timezone.get_fixed_timezone(-300))
    quiet = f"{(local + timedelta(hours=3)):%H:%M}-{(local + timedelta(hours=4)):%H:%M}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCUEIL_", "EMAIL_"))}
    env.update(
        {
            "DATABASE_URL": database_url(),
            "ACCUEIL_ENV": "test",
            "ACCUEIL_DATA_DIR": str(tmp_path),
            "ACCUEIL_QUIET_HOURS": quiet,  # far from now in every Canadian zone we use
            "ACCUEIL_OUTBOX_LEASE_SECONDS": "2",
            "ACCUEIL_OUTBOX_BATCH": "20",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
        }
    )
    return subprocess.Popen(
        [sys.executable, "-m", "accueil.cli", "worker", "--poll", "0.05"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def invitations_sent() -> int:
    return Message.objects.filter(template="feedback.invitation", status=Status.SENT).count()


def progress() -> int:
    return Invitation.objects.count() + invitations_sent()


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_workers_killed_while_inviting_lose_no_invitation_and_send_none_twice(
    committed_world, smtp_server, tmp_path
):
    world = committed_world
    visits = [
        served_visit(world, email=f"visitor{n}@example.org", language="fr" if n % 2 else "en")
        for n in range(VISITS)
    ]
    staff = Actor.staff(world.agent)
    cases = []
    for n in range(CASES):
        intake = Intake(description="Permis de piscine.", language="fr", email=f"c{n}@example.org")
        case = do_open_case(PUBLIC, service=world.service, channel="web", intake=intake)
        cases.append(do_change_status(staff, case, "resolved"))
    expected = VISITS + CASES

    seed = random.randrange(2**32)
    chance = random.Random(seed)
    workers = [start_worker(smtp_server.port, tmp_path) for _ in range(2)]  # rivals
    kills = 0
    try:
        seen = []
        while kills < KILLS:
            if kills < 2:
                # Early: while the consumer makes its first batches of invitations (a worker
                # takes about a second to start).
                time.sleep(chance.uniform(0.8, 2.0))
            else:
                # Later: once sending is under way, mid-batch.
                before = progress()
                wait_for(lambda before=before: progress() > before, 60, "progress")
                time.sleep(chance.uniform(0, 0.3))
            seen.append(Invitation.objects.count())
            victim = chance.randrange(len(workers))
            workers[victim].send_signal(signal.SIGKILL)
            workers[victim].wait(timeout=10)
            kills += 1
            workers[victim] = start_worker(smtp_server.port, tmp_path)
        assert invitations_sent() < expected, f"finished before {KILLS} kills (seed {seed})"
        wait_for(lambda: invitations_sent() == expected, 240, "every invitation sent")
        time.sleep(1)  # anything made or sent twice would show now
    finally:
        for worker in workers:
            worker.kill()
            worker.wait(timeout=10)

    # One invitation per visit and per case, none lost.
    invited = set(Invitation.objects.values_list("subject_type", "subject_id"))
    assert invited == {("visit", v.id) for v in visits} | {("case", c.id) for c in cases}
    assert Invitation.objects.count() == expected
    rows = Message.objects.filter(template="feedback.invitation")
    assert rows.count() == expected and invitations_sent() == expected
    # Each reached the SMTP server, with its own survey link.
    received = [m for m in smtp_server.messages if "/survey/" in m.get_body().get_content()]
    ids = [m["Message-ID"] for m in received]
    assert set(ids) == {m.message_id for m in rows}, f"seed {seed}"
    # SMTP cannot take a message back: a kill after the server accepted one and before its row
    # was marked resends it with the same Message-ID, which the receiving side sees as one
    # message (as tests/notify/test_crash.py). At most one such message per kill.
    duplicates = len(ids) - len(set(ids))
    assert duplicates <= kills, f"{duplicates} resent for {kills} kills (seed {seed})"
    print(
        f"\nsurvey crash test ({connection.vendor}): {kills} kills, {duplicates} resent, "
        f"invitations made at each kill {seen} of {expected}, seed {seed}"
    )
