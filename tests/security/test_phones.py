"""One phone normaliser everywhere: check-in, campaigns and opt-outs agree on what a number is."""

import json
from pathlib import Path

import pytest

from accueil.core.contact import clean_phone
from accueil.core.worker import drain_outbox
from accueil.notify.campaigns import run_imports
from accueil.notify.models import Message, OptOut, Status
from accueil.notify.outbox import enqueue
from accueil.notify.templates_text import load_files
from accueil.queues.models import Visit
from tests.notify.test_campaigns import in_days, upload
from tests.notify.test_sms import provider, signed_post  # noqa: F401 - the fixture

CORPUS = json.loads((Path(__file__).parent / "corpus" / "phones.json").read_text("utf-8"))
WRITTEN = ["613-555-0111", "(613) 555-0111", "+1 613 555 0111", "1-613-555-0111"]


@pytest.mark.parametrize("text", [t for t in CORPUS["refused"] if t and len(t) <= 40])
def test_the_api_refuses_what_is_not_a_number_naming_the_phone_field(client, personas, text):
    response = client.post(
        f"/api/v1/offices/{personas.office.id}/visits",
        {"service": str(personas.service.id), "phone": text},
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert response.status_code == 400, text
    assert [d["field"] for d in response.json()["error"]["details"]] == ["phone"]
    assert not Visit.objects.exists()


@pytest.mark.parametrize("text", WRITTEN)
def test_check_in_keeps_every_written_form_as_one_number(client, personas, text):
    response = client.post(
        f"/api/v1/offices/{personas.office.id}/visits",
        {"service": str(personas.service.id), "phone": text},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert Visit.objects.get().phone == "+16135550111"


def test_the_error_example_matches_what_it_asks_for():
    with pytest.raises(Exception) as error:
        clean_phone("call me")
    assert "digits only" not in str(error.value.messages[0])
    assert error.value.messages[0] == (
        "Écrivez le numéro de téléphone avec des chiffres, des espaces ou des tirets, "
        "par exemple 514 555-0100."
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("555-01", "Ce numéro de téléphone est trop court\u00a0: donnez les 10 chiffres"),
        ("+00000000", "Ce numéro ne peut pas recevoir de messages."),
    ],
)
def test_each_refusal_says_why_in_french(text, message):
    with pytest.raises(Exception) as error:
        clean_phone(text)
    assert error.value.messages[0].startswith(message)


def test_a_campaign_accepts_the_numbers_check_in_accepts(client, personas):
    load_files()
    rows = [
        [f"P{i}", text, "sms", "fr", "permis", in_days(60)] for i, text in enumerate(WRITTEN)
    ] + [["Z", "+00000000", "sms", "fr", "permis", in_days(60)]]
    campaign = upload(client, rows)
    while run_imports():
        pass
    campaign.refresh_from_db()
    assert campaign.accepted_rows == len(WRITTEN)
    assert [(r["line"], r["reason"]) for r in campaign.rejections] == [(6, "invalid_phone")]
    assert set(Message.objects.values_list("recipient", flat=True)) == {"+16135550111"}


@pytest.mark.parametrize("stop_from", WRITTEN)
@pytest.mark.parametrize("later", ["+16135550111", "613 555 0111", "(613) 555-0111"])
def test_a_stop_from_one_written_form_stops_sends_to_another(db, stop_from, later):
    OptOut.record("sms", stop_from, source="SMS STOP")
    assert OptOut.applies("sms", later)


def test_a_stop_through_the_provider_drops_the_next_reminder(db, provider, client):  # noqa: F811
    signed_post(client, "/notify/sms/inbound", {"From": "613-555-0111", "Body": "STOP"})
    message = enqueue(
        channel="sms", recipient=clean_phone("(613) 555-0111"), idempotency_key="r1", body="Bonjour"
    )
    drain_outbox()
    message.refresh_from_db()
    assert message.status == Status.DROPPED and provider.sent == []
