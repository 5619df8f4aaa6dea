"""Our emails about a request make one conversation in the citizen's mail program, proven
over a real SMTP server (aiosmtpd): what arrives carries Reply-To, In-Reply-To and References;
the citizen's answer to that very message comes back onto the same request."""

from accueil.cases import actions
from accueil.cases.mail_actions import do_receive_mail
from accueil.cases.models import Case, Message, Status
from accueil.core.actors import Actor
from accueil.notify.outbox import run_batch
from tests.cases.mail import message, receiving_address, reply_to
from tests.notify.conftest import smtp_server  # noqa: F401 - the real SMTP server fixture

CITIZEN_ID = "<CAJ3x+first@mail.example.org>"
SECOND_ID = "<CAJ3x+second@mail.example.org>"


def arrived(smtp, count: int):
    run_batch()
    mine = [m for m in smtp.messages if m["To"] == "lea@example.org"]
    assert len(mine) == count, [m["Subject"] for m in mine]
    return mine[-1]


def test_every_email_about_a_request_is_one_thread_and_answers_come_back_to_it(
    world,
    smtp_server,  # noqa: F811
):
    receiving_address(world)
    opened = do_receive_mail(Actor.system(), message(message_id=CITIZEN_ID))
    case = Case.objects.get(reference=opened.reference)
    agent = Actor.staff(case.assignee)
    ack = arrived(smtp_server, 1)
    actions.do_reply(agent, case, "Une équipe passera jeudi.")
    answer = arrived(smtp_server, 2)
    actions.do_change_status(agent, case, Status.WAITING)
    notice = arrived(smtp_server, 3)
    roots = set()
    for sent in (ack, answer, notice):
        assert case.reference in sent["Subject"]
        assert sent["In-Reply-To"] == CITIZEN_ID
        references = sent["References"].split()
        assert references[-1] == CITIZEN_ID
        roots.add(references[0])
        assert case.reference.lower() in sent["Message-ID"]
        assert sent["Reply-To"].startswith(f"requetes+{case.reference.lower()}.")
        assert sent["Reply-To"].endswith("@ville.example")
    assert len(roots) == 1  # the same thread root in every message
    # The citizen answers the agent's email, quoting it: it lands on the request, trimmed.
    raw = reply_to(
        answer, "Jeudi me convient.", quote="Une équipe passera jeudi.", message_id=SECOND_ID
    )
    back = do_receive_mail(Actor.system(), raw)
    assert back.outcome == "replied" and back.reference == case.reference
    assert Message.objects.get(case=case, kind="citizen").body == "Jeudi me convient."
    # And our next email answers the citizen's newest message.
    case.refresh_from_db()
    actions.do_reply(agent, case, "Parfait, à jeudi.")
    latest = arrived(smtp_server, 4)  # the citizen's answer itself sends nothing back
    assert latest["In-Reply-To"] == SECOND_ID


def test_without_a_receiving_address_emails_are_threaded_but_have_no_reply_to(
    world,
    smtp_server,  # noqa: F811
):
    case = actions.do_open_case(
        Actor.system(),
        service=world.service,
        channel="web",
        intake=actions.Intake(description="Un trou.", language="fr", email="lea@example.org"),
    )
    ack = arrived(smtp_server, 1)
    assert ack["Reply-To"] is None
    assert case.reference.lower() in ack["References"]
