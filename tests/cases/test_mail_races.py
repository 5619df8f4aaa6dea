"""Two deliveries of the same message at the same moment (a retry racing the first attempt,
two MX routes, two IMAP pollers), with real threads, each its own database connection, on
SQLite and PostgreSQL: one request, one acknowledgement, and every delivery told its reference."""

import threading

from accueil.cases.mail_actions import do_receive_mail
from accueil.cases.models import Case, InboundMail, Message
from accueil.core.actors import Actor
from accueil.notify.models import Message as Outgoing
from tests.cases.mail import message, receiving_address
from tests.queues.test_races import run_in_threads

DELIVERIES = 4


def deliver_at_once(raw: bytes) -> list:
    barrier = threading.Barrier(DELIVERIES)

    def deliver(_index, got):
        barrier.wait()
        got.append(do_receive_mail(Actor.system(), raw))

    return [outcome for got in run_in_threads(DELIVERIES, deliver) for outcome in got]


def test_the_same_message_delivered_at_once_makes_one_request(committed_world):
    receiving_address(committed_world)
    for round_ in range(3):
        outcomes = deliver_at_once(message(message_id=f"<race-{round_}@example.org>"))
        assert sorted(o.outcome for o in outcomes) == ["duplicate"] * (DELIVERIES - 1) + ["opened"]
        assert len({o.reference for o in outcomes}) == 1
    assert Case.objects.count() == 3 and InboundMail.objects.count() == 3
    assert Outgoing.objects.filter(template="case.received").count() == 3


def test_the_same_reply_delivered_at_once_is_added_once(committed_world):
    from accueil.cases import mailthread

    receiving_address(committed_world)
    opened = do_receive_mail(Actor.system(), message())
    case = Case.objects.get(reference=opened.reference)
    raw = message("Une précision.", to=mailthread.reply_address(case, "requetes@ville.example"))
    outcomes = deliver_at_once(raw)
    assert sorted(o.outcome for o in outcomes) == ["duplicate"] * (DELIVERIES - 1) + ["replied"]
    assert Message.objects.filter(case=case, kind="citizen").count() == 1
