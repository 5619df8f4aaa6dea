"""Why a message failed or waits, and what it is, in the reader's language."""

from accueil.notify.models import Message, Status
from accueil.notify.outbox import enqueue, run_batch
from tests.factories import TEST_PASSWORD


def sign_in(client, username):
    client.post("/fr/login/", {"username": username, "password": TEST_PASSWORD})


def sms(agency, key, template="visit.called"):
    return enqueue(
        channel="sms",
        recipient="+16135550111",
        idempotency_key=key,
        body="x",
        agency=agency,
        template=template,
    )


def test_a_failure_is_stored_as_a_code_and_shown_translated(client, personas, settings):
    settings.SMS_API_URL = ""
    message = sms(personas.agency, "no-sms")
    run_batch()
    message.refresh_from_db()
    assert message.error_code == "sms_not_configured"
    assert "SMS is not configured" in message.error  # the technical detail stays

    sign_in(client, "supervisor")
    french = client.get("/fr/staff/outbox/").content.decode()
    assert "Les textos ne sont pas configurés sur ce serveur" in french
    assert "SMS is not configured" not in french
    assert "Votre tour\u00a0: présentez-vous au guichet" in french
    assert "visit.called" not in french
    english = client.get("/en/staff/outbox/").content.decode()
    assert "SMS is not configured on this server" in english
    assert "Your turn: go to the desk" in english


def test_rows_written_before_codes_are_still_read_in_french(client, personas):
    old = sms(personas.agency, "old", template="visit.turn_near")
    Message.objects.filter(pk=old.pk).update(status=Status.DROPPED, error="no longer needed")
    older = sms(personas.agency, "older")
    Message.objects.filter(pk=older.pk).update(
        status=Status.QUEUED, error="SMS is not configured (SMS_API_URL)"
    )
    sign_in(client, "supervisor")
    page = client.get("/fr/staff/outbox/").content.decode()
    assert "Plus utile au moment de l’envoi." in page
    assert "Les textos ne sont pas configurés" in page
    assert "no longer needed" not in page and "SMS is not configured" not in page
    assert "Votre tour approche" in page


def test_a_detail_is_kept_inside_the_translated_sentence(personas):
    from django.utils import translation

    message = sms(personas.agency, "refused")
    Message.objects.filter(pk=message.pk).update(
        status=Status.FAILED,
        error="gave up: HTTP 503 provider error 30003",
        error_code="provider_error",
    )
    message.refresh_from_db()
    with translation.override("fr"):
        assert message.reason == (
            "Le fournisseur de textos a refusé le message (HTTP 503 provider error 30003)."
        )
    with translation.override("en"):
        assert message.type_label == "Your turn: go to the desk"


def test_an_unnamed_type_shows_its_key(personas):
    message = sms(personas.agency, "new-kind", template="something.new")
    assert message.type_label == "something.new"


def test_the_admin_lists_types_and_reasons_in_french(client, personas, django_user_model):
    message = sms(personas.agency, "admin-row")
    Message.objects.filter(pk=message.pk).update(status=Status.DROPPED, error_code="opted_out")
    sign_in(client, "boss")
    page = client.get("/fr/admin/notify/message/").content.decode()
    assert "Votre tour\u00a0: présentez-vous au guichet" in page
    assert "La personne a demandé à ne plus recevoir de messages ici." in page
