"""Wording lives in reviewed files, one per language, and agencies can write their own."""

import pytest

from accueil.core.worker import drain_outbox
from accueil.notify.actions import notify
from accueil.notify.models import Template
from accueil.notify.templates_text import (
    CONTENT_DIR,
    MissingValue,
    choose,
    fill,
    load_files,
    placeholders,
    read_file,
    render,
)
from tests.factories import AgencyFactory

VALUES = {
    "office": "Hôtel de ville",
    "ticket": "A-042",
    "minutes": 10,
    "desk": "4",
    "name": "Camille",
    "document": "permis",
    "expires_on": "2026-12-31",
    "agency": "Ville de Démo",
}


def test_every_content_file_exists_in_both_languages_with_the_same_placeholders():
    files = {path.name: read_file(path) for path in CONTENT_DIR.glob("*.md")}
    assert len(files) >= 8
    for name, fields in files.items():
        twin = (
            name.replace("_fr.md", "_en.md")
            if name.endswith("_fr.md")
            else name.replace("_en.md", "_fr.md")
        )
        assert twin in files, f"{name} has no {twin}"
        mine = placeholders(fields["body"] + fields.get("subject", ""))
        theirs = placeholders(files[twin]["body"] + files[twin].get("subject", ""))
        assert mine == theirs, name


def test_loading_files_is_idempotent_and_keeps_agency_versions(db):
    agency = AgencyFactory()
    Template.objects.create(
        agency=agency,
        key="visit.called",
        channel="sms",
        language="fr",
        body="Notre texte : ((ticket))",
    )
    assert load_files() == load_files() == len(list(CONTENT_DIR.glob("*.md")))
    assert Template.objects.filter(agency=None).count() == len(list(CONTENT_DIR.glob("*.md")))
    assert Template.objects.get(agency=agency).body == "Notre texte : ((ticket))"


def test_the_agency_version_and_the_persons_language_come_first(db):
    load_files()
    agency = AgencyFactory()
    assert choose("visit.called", "sms", "en").language == "en"
    own = Template.objects.create(
        agency=agency, key="visit.called", channel="sms", language="fr", body="((ticket))"
    )
    assert choose("visit.called", "sms", "fr", agency) == own
    # No English version of its own: the agency's French beats the platform's English.
    assert choose("visit.called", "sms", "en", agency) == own
    with pytest.raises(Template.DoesNotExist):
        choose("nothing.here", "sms", "fr")


def test_a_missing_value_stops_the_message():
    with pytest.raises(MissingValue, match="desk"):
        fill("Guichet ((desk))", {})
    assert fill("(( ticket ))", {"ticket": "A-1"}) == "A-1"
    assert fill("((not a placeholder))", {}) == "((not a placeholder))"


def test_sms_are_measured_and_made_gsm_friendly(db):
    load_files()
    template = choose("visit.turn_near", "sms", "fr")
    plain = render(template, {**VALUES, "office": "Centre Est"})
    assert "’" not in plain.body and plain.segments == 1  # GSM-7 once ’ became '
    assert plain.body.startswith("Centre Est : votre tour approche. Billet A-042")
    # "ô" exists only in UCS-2: the same text then needs two segments, and we know it.
    assert render(template, VALUES).segments == 2


def test_a_value_cannot_inject_a_header_line(db):
    load_files()
    with pytest.raises(ValueError, match="line break"):
        render(
            choose("document.expiring", "email", "en"),
            {**VALUES, "document": "permit\r\nBcc: victim@example.com"},
        )


def test_notify_sends_in_the_persons_language(db, smtp_server):
    load_files()
    notify(
        key="document.expiring",
        channel="email",
        recipient="camille@example.ca",
        language="en",
        values=VALUES,
        idempotency_key="exp:1",
    )
    notify(
        key="document.expiring",
        channel="email",
        recipient="luc@example.ca",
        language="fr",
        values={**VALUES, "name": "Luc"},
        idempotency_key="exp:2",
    )
    drain_outbox()
    subjects = sorted(m["Subject"] for m in smtp_server.messages)
    assert subjects == ["Votre permis expire le 2026-12-31", "Your permis expires on 2026-12-31"]
