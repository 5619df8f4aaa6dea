"""Every stored-XSS payload of the corpus, in every text field of a request, stays inert where
the REST API and the citizen's emails carry it.

The API answers JSON (``application/json``, never sniffed as HTML): a payload is a string in it,
given back exactly as typed. The emails are plain text only (``notify/channels/email.py`` sends
no HTML alternative), so nothing in them is markup to any mail reader; a payload never reaches
a header. File names are cleaned and the download is always an attachment. The pages (the
workspace and the tracking page) are tested by their own suites.
"""

import io
import json
import re
from pathlib import Path

import pytest
from django.core import mail

from accueil.cases.models import Attachment, Case, CaseField
from accueil.notify.outbox import run_batch
from tests.api.test_api import bearer
from tests.cases.conftest import world  # noqa: F401 - the fixture, shared with tests/cases
from tests.security.corpus import files

PAYLOADS = json.loads((Path(__file__).parent / "corpus" / "xss.json").read_text())["payloads"]


@pytest.fixture
def where(world):  # noqa: F811 - the fixture imported above
    CaseField.objects.create(
        service=world.service, code="where", kind="text", label_fr="Où", label_en="Where"
    )
    CaseField.objects.create(
        service=world.service, code="more", kind="long_text", label_fr="Plus", label_en="More"
    )
    return world


def open_with(client, payload):
    return client.post(
        "/api/v1/cases",
        {
            "service": "voirie",
            "description": f"Avant {payload} après",
            "language": "fr",
            "contact": {"name": payload[:200], "email": "lea@example.org"},
            "location": {"address": payload[:300]},
            "fields": {"size": "large", "where": payload[:300], "more": payload},
        },
        content_type="application/json",
    )


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_a_payload_in_every_field_comes_back_as_the_same_string_in_json(client, where, payload):
    opened = open_with(client, payload)
    assert opened.status_code == 201, opened.content
    reference, secret = opened.json()["reference"], opened.json()["secret"]
    agent = bearer(where.agents[0])
    for body in (payload, f"Réponse : {payload}"):
        client.post(
            f"/api/v1/cases/{reference}/reply",
            {"body": body},
            content_type="application/json",
            headers=agent,
        )
    client.post(
        f"/api/v1/cases/{reference}/notes",
        {"body": payload},
        content_type="application/json",
        headers=agent,
    )
    upload = io.BytesIO(files.image("PNG"))
    upload.name = f"{payload}.png"
    sent = client.post(
        f"/api/v1/cases/{reference}/attachments?secret={secret}",
        {"body": payload, "files": [upload]},
    )
    assert sent.status_code == 201, sent.content
    for response in (
        client.get(f"/api/v1/cases/{reference}", headers=agent),
        client.get(f"/api/v1/cases/{reference}", {"secret": secret}),
        client.get(f"/api/v1/cases?q={reference}", headers=agent),
    ):
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response["X-Content-Type-Options"] == "nosniff"
    staff = client.get(f"/api/v1/cases/{reference}", headers=agent).json()
    assert staff["description"] == f"Avant {payload} après"
    assert staff["address"] == payload[:300].strip()
    assert staff["fields"]["more"] == payload
    assert staff["staff"]["contact"]["name"] == payload[:200].strip()
    bodies = [entry["body"] for entry in staff["timeline"] if entry["body"] is not None]
    assert bodies.count(payload) == 3  # the first reply, the note, the citizen's message
    # The file's name is data in JSON; in the download's header it can break out of nothing:
    # the quoted ASCII name has only safe characters and the exact name is percent-encoded.
    [file] = Attachment.objects.filter(case__reference=reference)
    assert "\n" not in file.name and "\x00" not in file.name
    download = client.get(f"/api/v1/cases/{reference}/attachments/{file.id}", {"secret": secret})
    disposition = download["Content-Disposition"]
    assert re.fullmatch(
        r"attachment; filename=\"[A-Za-z0-9 ._()-]+\"; filename\*=UTF-8''[A-Za-z0-9%._~-]+",
        disposition,
    ), disposition
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_the_citizens_emails_are_plain_text_with_the_payload_only_in_the_body(
    client, where, settings, payload
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    opened = open_with(client, payload).json()
    client.post(
        f"/api/v1/cases/{opened['reference']}/reply",
        {"body": f"Bonjour {payload}"},
        content_type="application/json",
        headers=bearer(where.agents[0]),
    )
    while run_batch():
        pass
    assert len(mail.outbox) == 2  # the acknowledgement and the reply
    for email in mail.outbox:
        message = email.message()
        assert message.get_content_type() == "text/plain"
        assert not message.is_multipart() and not getattr(email, "alternatives", None)
        assert payload not in email.subject and "\n" not in email.subject
        for name, value in message.items():
            assert payload not in str(value), name
    [reply] = [email for email in mail.outbox if "Bonjour" in email.body]
    assert f"Bonjour {payload}" in reply.body  # quoted as typed: text, not markup
    assert opened["tracking_url"] in reply.body
    assert Case.objects.count() == 1
