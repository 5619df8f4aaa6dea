"""An agency administrator cannot open the platform's internals to their webhooks: only the
operator's setting opens private networks, and link-local and metadata addresses never open."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accueil.core.worker import drain_outbox
from accueil.lib.netguard import (
    BlockedDestination,
    check_allow_list,
    check_permitted,
    check_url,
)
from accueil.notify.models import Message, Status, WebhookEndpoint
from accueil.notify.outbox import enqueue
from tests.factories import AgencyFactory
from tests.test_configuration import accueil

CORPUS = json.loads(
    (Path(__file__).parent / "corpus" / "webhook_allow_lists.json").read_text("utf-8")
)
EVERYTHING = ["0.0.0.0/0", "::/0"]  # no valid setting says this; the worst an operator could


def resolves_to(*addresses):
    return lambda host, port: list(addresses)


def endpoint(allowed, url="https://hooks.example.ca/in"):
    return WebhookEndpoint(agency=AgencyFactory(), name="x", url=url, allowed_networks=allowed)


@pytest.mark.parametrize("entry", CORPUS["hostile"])
def test_without_the_operators_setting_no_private_network_can_be_opened(db, settings, entry):
    settings.WEBHOOK_PRIVATE_NETWORKS = []
    with pytest.raises(ValidationError) as error:
        endpoint(entry).full_clean()
    assert "allowed_networks" in error.value.message_dict
    with pytest.raises(BlockedDestination):
        check_allow_list([entry], [])


@pytest.mark.parametrize("entry", CORPUS["never"])
def test_link_local_and_metadata_are_refused_even_when_the_operator_opens_everything(
    db, settings, entry
):
    settings.WEBHOOK_PRIVATE_NETWORKS = EVERYTHING
    with pytest.raises(ValidationError) as error:
        endpoint(entry).full_clean()
    assert error.value.error_dict["allowed_networks"][0].code == "never"


@pytest.mark.parametrize("address", CORPUS["never_addresses"])
def test_at_send_time_link_local_and_metadata_are_refused_whatever_both_lists_say(address):
    with pytest.raises(BlockedDestination) as error:
        check_url(
            "https://innocent.example.ca/hook",
            allow=EVERYTHING,
            permitted=EVERYTHING,
            resolver=resolves_to(address),
        )
    assert error.value.code == "never"


@pytest.mark.parametrize("entry", CORPUS["never"])
def test_the_operators_setting_cannot_open_them_either(entry):
    with pytest.raises(BlockedDestination):
        check_permitted([entry])


def test_a_setting_that_includes_metadata_stops_start_up(tmp_path):
    result = accueil(
        "manage",
        "check",
        env_overrides={
            "ACCUEIL_DATA_DIR": str(tmp_path),
            "ACCUEIL_WEBHOOK_PRIVATE_NETWORKS": "10.0.0.0/8,169.254.0.0/16",
        },
    )
    assert result.returncode != 0
    assert "ACCUEIL_WEBHOOK_PRIVATE_NETWORKS" in result.stderr


@pytest.mark.parametrize("entry", CORPUS["malformed"])
def test_malformed_entries_are_refused(db, settings, entry):
    settings.WEBHOOK_PRIVATE_NETWORKS = ["10.0.0.0/8"]
    with pytest.raises(ValidationError) as error:
        endpoint(entry).full_clean()
    assert error.value.error_dict["allowed_networks"][0].code == "network_syntax"


def test_an_entry_inside_an_operator_network_is_accepted_and_one_outside_is_not(db, settings):
    settings.WEBHOOK_PRIVATE_NETWORKS = ["10.20.0.0/16", "fd12:3456::/48"]
    assert check_allow_list(
        ["10.20.3.0/24", "fd12:3456:0:1::/64"], settings.WEBHOOK_PRIVATE_NETWORKS
    )
    for outside in ("10.21.0.0/24", "10.0.0.0/8", "fd12::/16"):
        with pytest.raises(ValidationError) as error:
            endpoint(outside).full_clean()
        assert error.value.error_dict["allowed_networks"][0].code == "not_permitted"


def test_at_send_time_an_address_must_be_in_both_lists():
    def reach(allow, permitted):
        return check_url(
            "http://intranet.ville.example/",
            allow=allow,
            permitted=permitted,
            resolver=resolves_to("10.20.3.4"),
        )

    assert reach(["10.20.3.0/24"], ["10.20.0.0/16"])[2] == "10.20.3.4"
    for allow, permitted in (
        (["10.20.3.0/24"], []),  # the operator withdrew the network since it was saved
        (["0.0.0.0/0"], []),  # an allow-list written past the form
        ([], ["10.20.0.0/16"]),
        (["10.20.3.0/24"], ["10.30.0.0/16"]),
    ):
        with pytest.raises(BlockedDestination):
            reach(allow, permitted)


def test_a_webhook_written_past_the_form_is_refused_when_sent(db, settings):
    settings.WEBHOOK_PRIVATE_NETWORKS = EVERYTHING
    hook = endpoint("0.0.0.0/0", url="http://169.254.169.254/latest/meta-data/")
    WebhookEndpoint.objects.bulk_create([hook])  # no clean(): as if edited in the database
    message = enqueue(channel="webhook", recipient=str(hook.id), idempotency_key="w1", body="{}")
    drain_outbox()
    message.refresh_from_db()
    assert message.status == Status.FAILED and "blocked destination" in message.error
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    ("url", "english", "french"),
    [
        (
            "https://user:secret@hooks.example.ca/",
            "This address cannot receive notices: a user name or password in the address is not "
            "allowed.",
            "Cette adresse ne peut pas recevoir d’avis\u00a0: un nom d’utilisateur ou un mot de "
            "passe dans l’adresse n’est pas permis.",
        ),
        (
            "http://169.254.169.254/latest/meta-data/",
            "This address cannot receive notices: it leads to a link-local or cloud metadata "
            "address, which is never allowed.",
            "Cette adresse ne peut pas recevoir d’avis\u00a0: elle mène à une adresse "
            "link-local ou de métadonnées infonuagiques, jamais permise.",
        ),
        (
            "http://127.0.0.1/hook",
            "This address cannot receive notices: it leads to a private or local address that "
            "the networks allowed below do not open.",
            "Cette adresse ne peut pas recevoir d’avis\u00a0: elle mène à une adresse privée "
            "ou locale que les réseaux permis ci-dessous n’ouvrent pas.",
        ),
    ],
)
def test_the_refusal_says_why_in_the_readers_language(db, settings, url, english, french):
    settings.WEBHOOK_PRIVATE_NETWORKS = []
    with pytest.raises(ValidationError) as error:
        endpoint("", url=url).full_clean()
    for language, expected in (("en", english), ("fr", french)):
        with translation.override(language):  # said in the language of whoever reads it
            [message] = error.value.message_dict["url"]
        assert "%(" not in message
        assert message == expected
