from django.utils import timezone

from accueil.core.events import events_for
from accueil.notify.models import Message, Status, Template
from accueil.notify.outbox import enqueue
from accueil.notify.templates_text import load_files
from tests.factories import TEST_PASSWORD


def sign_in(client, username):
    client.post("/fr/login/", {"username": username, "password": TEST_PASSWORD})


def failed_message(agency, key="m1", recipient="camille.tremblay@example.ca"):
    message = enqueue(
        channel="email",
        recipient=recipient,
        idempotency_key=key,
        subject="Rappel",
        body="x",
        agency=agency,
    )
    Message.objects.filter(pk=message.pk).update(status=Status.FAILED, error="SMTP 550", attempts=3)
    return message


def test_supervisors_see_their_agencys_failures_with_masked_addresses(client, personas):
    failed_message(personas.agency)
    failed_message(personas.other_agency, key="theirs", recipient="secret@other.example")
    sign_in(client, "supervisor")
    page = client.get("/fr/staff/outbox/?status=failed").content.decode()
    assert "SMTP 550" in page and "c•••@example.ca" in page
    assert "camille.tremblay" not in page and "other.example" not in page


def test_resend_puts_a_failed_message_back_in_the_queue_and_records_it(client, personas):
    message = failed_message(personas.agency)
    sign_in(client, "supervisor")
    response = client.post(f"/fr/staff/outbox/{message.id}/resend/")
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == Status.QUEUED and message.attempts == 0 and message.error == ""
    assert message.next_attempt_at <= timezone.now()
    assert events_for(message).get().actor == personas.supervisor


def test_a_sent_message_is_not_resent(client, personas):
    message = failed_message(personas.agency)
    Message.objects.filter(pk=message.pk).update(status=Status.SENT)
    sign_in(client, "supervisor")
    client.post(f"/fr/staff/outbox/{message.id}/resend/")
    message.refresh_from_db()
    assert message.status == Status.SENT and not events_for(message).exists()


def test_agents_and_strangers_cannot_use_the_outbox(client, personas):
    message = failed_message(personas.agency)
    sign_in(client, "owner")
    assert client.get("/fr/staff/outbox/").status_code == 403
    client.post("/fr/logout/")
    sign_in(client, "stranger-boss")
    assert client.post(f"/fr/staff/outbox/{message.id}/resend/").status_code == 404


def test_editing_a_default_makes_the_agencys_own_version_with_a_preview(client, personas):
    load_files()
    default = Template.objects.get(agency=None, key="visit.called", channel="sms", language="fr")
    sign_in(client, "boss")
    url = f"/fr/staff/templates/{default.id}/"
    preview = client.post(
        url, {"body": "((office)) : billet ((ticket)), guichet ((desk)).", "preview": ""}
    )
    page = preview.content.decode()
    assert "Centre Est : billet A-042, guichet 4." in page and "1 segment" in page
    assert not Template.objects.filter(agency=personas.agency).exists()
    client.post(url, {"body": "((office)) : billet ((ticket)), guichet ((desk)).", "save": ""})
    own = Template.objects.get(agency=personas.agency)
    assert own.body.startswith("((office)) : billet")
    default.refresh_from_db()
    assert default.body != own.body  # the default is untouched
    assert events_for(own).get().verb == "template.updated"


def test_unknown_placeholders_are_refused_in_french(client, personas):
    load_files()
    default = Template.objects.get(agency=None, key="visit.called", channel="sms", language="fr")
    sign_in(client, "boss")
    response = client.post(
        f"/fr/staff/templates/{default.id}/", {"body": "Bonjour ((prenom))", "save": ""}
    )
    assert response.status_code == 400
    assert "Espace réservé inconnu" in response.content.decode()
    assert not Template.objects.filter(agency=personas.agency).exists()


def test_another_agencys_template_is_not_reachable(client, personas):
    theirs = Template.objects.create(
        agency=personas.other_agency,
        key="visit.called",
        channel="sms",
        language="fr",
        body="((ticket))",
    )
    sign_in(client, "boss")
    assert client.get(f"/fr/staff/templates/{theirs.id}/").status_code == 404
