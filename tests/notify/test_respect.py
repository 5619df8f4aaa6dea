"""Opt-out, quiet hours, rate limits, stale reasons and retention, each proven on real sends."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from accueil.core.housekeeping import run_housekeeping
from accueil.core.worker import drain_outbox
from accueil.notify.checks import still_wanted
from accueil.notify.models import Message, OptOut, Status
from accueil.notify.outbox import enqueue
from accueil.notify.unsubscribe import token_for

TORONTO = ZoneInfo("America/Toronto")


def email(key, recipient="camille@example.ca", **extra):
    return enqueue(
        channel="email",
        recipient=recipient,
        idempotency_key=key,
        subject="Rappel",
        body="Votre permis expire bientôt.",
        **extra,
    )


def window_around_now(inside: bool) -> str:
    local = timezone.now().astimezone(TORONTO)
    start = local - timedelta(hours=1) if inside else local + timedelta(hours=2)
    end = local + timedelta(hours=1) if inside else local + timedelta(hours=3)
    return f"{start:%H:%M}-{end:%H:%M}"


def test_an_opted_out_address_receives_nothing(db, smtp_server):
    OptOut.record("email", " Camille@Example.ca ", source="test")
    message = email("o1")
    drain_outbox()
    message.refresh_from_db()
    assert message.status == Status.DROPPED and message.error_code == "opted_out"
    assert smtp_server.messages == []
    assert "camille" not in OptOut.objects.get().address_digest  # no address kept


def test_proactive_messages_wait_out_quiet_hours_in_the_office_zone(db, smtp_server, settings):
    settings.QUIET_HOURS = window_around_now(inside=True)
    reminder = email("q1", proactive=True, time_zone="America/Toronto")
    answer = email("q2", recipient="other@example.ca")  # not proactive: goes now
    drain_outbox()
    reminder.refresh_from_db()
    assert reminder.status == Status.QUEUED and reminder.error_code == "quiet_hours"
    assert reminder.attempts == 0
    assert reminder.next_attempt_at > timezone.now()
    assert [m["To"] for m in smtp_server.messages] == [answer.recipient]
    settings.QUIET_HOURS = window_around_now(inside=False)
    Message.objects.filter(pk=reminder.pk).update(next_attempt_at=timezone.now())
    drain_outbox()
    reminder.refresh_from_db()
    assert reminder.status == Status.SENT


def test_no_storm_one_address_gets_a_limited_number_an_hour(db, smtp_server, settings):
    settings.OUTBOX_PER_RECIPIENT_PER_HOUR = 3
    for i in range(5):
        email(f"r{i}")
    drain_outbox()
    statuses = sorted(Message.objects.values_list("status", flat=True))
    assert statuses.count(Status.SENT) == 3
    assert statuses.count(Status.QUEUED) == 2
    assert len(smtp_server.messages) == 3
    assert set(
        Message.objects.filter(status=Status.QUEUED).values_list("error_code", flat=True)
    ) == {"rate_limit"}


def test_a_message_whose_reason_has_gone_is_dropped_at_send_time(db, smtp_server):
    served = {"v-served"}

    @still_wanted.register("test.visit")
    def visit_still_waiting(visit_id):
        return visit_id not in served

    stale = email("s1", reason=("test.visit", "v-served"))
    fresh = email("s2", recipient="b@example.ca", reason=("test.visit", "v-waiting"))
    drain_outbox()
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == Status.DROPPED and stale.error_code == "no_longer_needed"
    assert fresh.status == Status.SENT


def test_proactive_email_carries_a_one_click_unsubscribe_that_works(db, smtp_server, client):
    email("u1", proactive=True, language="en")
    drain_outbox()
    received = smtp_server.messages[0]
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = received["List-Unsubscribe"].strip("<>")
    path = link.split("http://127.0.0.1:8000", 1)[1]
    assert path.startswith("/en/unsubscribe/")
    assert "Stop the reminders" in client.get(path).content.decode()
    assert not OptOut.applies("email", "camille@example.ca")
    response = client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert OptOut.applies("email", "camille@example.ca")


def test_a_forged_unsubscribe_link_is_refused(db, client):
    token = token_for("email", "camille@example.ca")
    assert client.get(f"/fr/unsubscribe/{token[:-2]}xx/").status_code == 404
    assert client.post(f"/fr/unsubscribe/{token[:-2]}xx/").status_code == 404
    assert not OptOut.objects.exists()


def test_message_bodies_are_erased_after_the_retention_period(db, settings):
    settings.OUTBOX_BODY_RETENTION_DAYS = 7
    old = email("b1")
    recent = email("b2", recipient="x@example.ca")
    now = timezone.now()
    Message.objects.filter(pk=old.pk).update(status=Status.SENT, sent_at=now - timedelta(days=8))
    Message.objects.filter(pk=recent.pk).update(status=Status.SENT, sent_at=now - timedelta(days=6))
    assert run_housekeeping()["message_bodies"] == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.body, old.subject) == ("", "") and old.status == Status.SENT
    assert recent.body


def test_quiet_hours_window_is_checked_at_start_up(tmp_path):
    from tests.test_configuration import accueil

    result = accueil(
        "manage",
        "check",
        env_overrides={"ACCUEIL_DATA_DIR": str(tmp_path), "ACCUEIL_QUIET_HOURS": "9pm-8am"},
    )
    assert result.returncode != 0 and "ACCUEIL_QUIET_HOURS" in result.stderr
