from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone


def test_worker_round_removes_expired_sessions(db, capsys):
    fresh = SessionStore()
    fresh.create()
    stale = SessionStore()
    stale.create()
    Session.objects.filter(session_key=stale.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )
    call_command("worker", "--once")
    assert "'sessions': 1" in capsys.readouterr().out
    assert list(Session.objects.values_list("session_key", flat=True)) == [fresh.session_key]
