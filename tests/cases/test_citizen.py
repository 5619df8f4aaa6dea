"""The citizen's side of requests, through the pages: choosing a service, the request form with
every kind of question, files, the rate limit, tracking with the secret, replies and reopening,
merged duplicates, XSS payloads, and the acknowledgement email's link over a real SMTP server."""

import io
import json
import re
from datetime import timedelta
from pathlib import Path

import html5lib
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from accueil.cases import actions
from accueil.cases.models import Attachment, Case, CaseField, Message, Status
from accueil.core.actors import PUBLIC, Actor
from accueil.notify.outbox import run_batch
from tests.cases.conftest import intake
from tests.notify.conftest import smtp_server  # noqa: F401 - the real SMTP server fixture
from tests.security.corpus.files import jpeg_with_gps, read

XSS = json.loads((Path(__file__).parents[1] / "security/corpus/xss.json").read_text())["payloads"]
FORM = "/fr/requests/voirie/"


@pytest.fixture
def questions(world):
    """One question of each kind beside the world's required choice ``size``."""
    kinds = [
        ("street", "text", "Rue", "Street", False),
        ("details", "long_text", "Détails", "Details", False),
        ("count", "number", "Combien ?", "How many?", False),
        ("seen_on", "date", "Vu le", "Seen on", False),
        ("danger", "yes_no", "Est-ce dangereux ?", "Is it dangerous?", False),
        ("photo", "file", "Photo", "Photo", False),
        ("place", "location", "Où ?", "Where?", True),
    ]
    for position, (code, kind, fr, en, required) in enumerate(kinds, start=1):
        CaseField.objects.create(
            service=world.service,
            code=code,
            kind=kind,
            label_fr=fr,
            label_en=en,
            required=required,
            position=position,
        )
    return world


def answers(**overrides):
    data = {
        "description": "Un nid-de-poule profond devant l’école.",
        "q_size": "large",
        "q_place": "12, rue Principale",
        "name": "Léa Roy",
        "email": "lea@example.org",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def send(client, data, path=FORM, **extra):
    return client.post(path, data, **extra)


def page_text(response) -> str:
    return response.content.decode()


def only_case() -> Case:
    return Case.objects.get()


def tracking_path(case: Case, language="fr") -> str:
    return f"/{language}/track/{case.reference}/{case.tracking_secret}/"


# -- choosing a service ------------------------------------------------------------------------


def test_the_services_page_lists_online_services_with_their_standards_and_form_links(client, world):
    from tests.factories import ServiceFactory

    ServiceFactory(agency=world.agency, channels=["in_person"], name_fr="Guichet seulement")
    page = page_text(client.get("/fr/requests/"))
    assert 'href="/fr/requests/voirie/"' in page
    assert "Guichet seulement" not in page
    with translation.override("fr"):
        published = [str(s.describe()) for s in world.service.standards.all()]
    assert len(published) == 2 and all(sentence in page for sentence in published)
    home = page_text(client.get("/fr/"))
    assert 'href="/fr/requests/"' in home and "Faire une demande" in home


def test_a_service_not_offered_online_has_no_form(client, world):
    world.service.channels = ["in_person"]
    world.service.save()
    assert client.get(FORM).status_code == 404


# -- the form ----------------------------------------------------------------------------------


def test_the_form_shows_each_kind_of_question_and_the_accepted_files(client, questions):
    page = page_text(client.get(FORM))
    for name in ("q_street", "q_details", "q_count", "q_seen_on", "q_photo", "q_place"):
        assert f'name="{name}"' in page
    assert 'type="date"' in page and 'inputmode="decimal"' in page
    assert 'name="q_danger" value="yes"' in page and 'name="q_size" value="large"' in page
    assert 'name="q_place_lat"' in page and 'name="q_place_lng"' in page
    assert ".jpg, .pdf, .png" in page and "10\u00a0Mo chacun" in page  # sizes in words
    english = page_text(client.get("/en/requests/voirie/"))
    assert "How many? (optional)" in english and "Where?" in english


def test_a_complete_request_opens_a_case_with_every_answer_and_shows_its_tracking_page(
    client, questions
):
    data = answers(
        q_street="rue Principale",
        q_details="Large de 50 cm.\nProfond.",
        q_count="3,5",
        q_seen_on="2026-11-30",
        q_danger="yes",
        q_place_lat="45,5017",
        q_place_lng="-73.5673",
        phone="514 555-0199",
    )
    response = send(client, data)
    assert response.status_code == 302
    case = only_case()
    assert response["Location"] == tracking_path(case)
    assert case.channel == "web" and case.language == "fr"
    assert case.fields == {
        "size": "large",
        "street": "rue Principale",
        "details": "Large de 50 cm.\nProfond.",
        "count": "3.5",
        "seen_on": "2026-11-30",
        "danger": True,
        "place": "12, rue Principale",
    }
    assert case.address == "12, rue Principale"
    assert str(case.latitude) == "45.501700" and str(case.longitude) == "-73.567300"
    assert case.contact_phone == "+15145550199"
    page = page_text(client.get(response["Location"]))
    assert "Gardez cette page" in page and case.reference in page
    assert "Réponse prévue d’ici le" in page
    # The confirmation is shown once; the page itself stays.
    again = page_text(client.get(response["Location"]))
    assert "Gardez cette page" not in again and case.reference in again


def test_the_english_form_opens_an_english_case(client, world):
    response = send(client, answers(), path="/en/requests/voirie/")
    assert response.status_code == 302
    assert only_case().language == "en"
    assert response["Location"].startswith("/en/track/")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"description": "  "}, "description", "Décrivez votre demande."),
        ({"description": "x" * 10_001}, "description", "moins de 10"),
        ({"q_size": None}, "q_size", "Répondez à cette question."),
        ({"q_size": "huge"}, "q_size", "Choisissez une des réponses proposées."),
        ({"q_count": "beaucoup"}, "q_count", "Donnez un nombre"),
        ({"q_seen_on": "30/11/2026"}, "q_seen_on", "Donnez une date"),
        ({"q_danger": "peut-être"}, "q_danger", "Répondez par oui ou par non."),
        ({"q_street": "x" * 301}, "q_street", "moins de 300"),
        ({"q_place": "", "q_place_lat": "", "q_place_lng": ""}, "q_place", "Répondez"),
        ({"q_place_lat": "91", "q_place_lng": "10"}, "q_place_lat", "pas sur la Terre"),
        ({"q_place_lat": "nord", "q_place_lng": "10"}, "q_place_lat", "45.5017"),
        ({"q_place_lat": "45.5"}, "q_place_lng", "la latitude et la longitude"),
        ({"email": "lea@"}, "email", "courriel"),
        ({"phone": "123"}, "phone", "téléphone"),
    ],
)
def test_a_wrong_answer_is_refused_beside_its_field_and_in_the_summary_keeping_the_rest(
    client, questions, change, field, message
):
    data = answers(**{"q_street": "rue Principale", "q_details": "Gardé tel quel", **change})
    response = send(client, data)
    assert response.status_code == 400
    assert not Case.objects.exists()
    page = page_text(response)
    summary = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert f'href="#id_{field}"' in summary
    assert message in summary
    assert page.count(message) >= 2  # in the summary and beside the field
    assert "Gardé tel quel</textarea>" in page  # what was typed is kept


def test_coordinates_alone_answer_a_place_question(client, questions):
    response = send(client, answers(q_place="", q_place_lat="45.5", q_place_lng="-73.5"))
    assert response.status_code == 302
    case = only_case()
    assert case.address == "" and case.fields["place"] == "45.500000, -73.500000"


def test_contact_is_optional(client, world):
    response = send(client, answers(name="", email=""))
    assert response.status_code == 302
    assert only_case().contact_email == ""


# -- files -------------------------------------------------------------------------------------


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_photo_is_accepted_with_its_gps_position_removed(client, questions):
    photo = upload("trou.jpg", jpeg_with_gps(), "image/jpeg")
    response = send(client, {**answers(), "q_photo": photo})
    assert response.status_code == 302
    stored = Attachment.objects.get()
    assert stored.from_citizen and stored.public and stored.kind == "jpeg"
    exif = Image.open(io.BytesIO(bytes(stored.data))).getexif()
    assert not exif.get_ifd(0x8825)  # no GPS block left
    assert b"SERIAL-12345" not in bytes(stored.data)
    # The citizen gets it back from their tracking page, as an attachment.
    page = page_text(client.get(response["Location"]))
    link = re.search(r'href="([^"]+/files/[0-9a-f-]{36}/)"', page).group(1)
    download = client.get(link)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("dessin.svg", read("svg_with_script.svg"), "jamais accepté"),
        ("page.pdf", read("html_renamed.pdf"), "jamais accepté"),
        ("report.pdf.html", read("report.pdf.html"), "jamais accepté"),
    ],
)
def test_a_scriptable_file_is_refused_with_the_clear_message(client, world, name, content, message):
    response = send(client, {**answers(), "files": upload(name, content)})
    assert response.status_code == 400
    page = page_text(response)
    assert message in page and name in page
    assert 'href="#id_files"' in page
    assert "Choisissez de nouveau vos fichiers" in page
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_a_file_whose_name_does_not_match_its_content_is_refused(client, world):
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, "PNG")
    response = send(client, {**answers(), "files": upload("photo.pdf", png.getvalue())})
    assert response.status_code == 400
    assert "se termine par .pdf" in page_text(response)
    assert not Case.objects.exists()


def test_several_files_are_kept(client, world):
    files = [upload(f"p{n}.jpg", jpeg_with_gps(), "image/jpeg") for n in range(2)]
    assert send(client, {**answers(), "files": files}).status_code == 302
    assert Attachment.objects.count() == 2


# -- rate limit --------------------------------------------------------------------------------


def test_too_many_requests_from_one_address_get_a_429_page_keeping_the_text(
    client, world, settings
):
    settings.CASE_RATE = "2/3600"
    for _ in range(2):
        assert send(client, answers()).status_code == 302
    refused = send(client, answers(description="Troisième demande"))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    page = page_text(refused)
    assert "Trop de demandes" in page and "Troisième demande" in page
    assert Case.objects.count() == 2
    # Another address is not held back.
    assert send(client, answers(), REMOTE_ADDR="10.9.8.7").status_code == 302


# -- tracking ----------------------------------------------------------------------------------


def open_case(world, **overrides):
    return actions.do_open_case(
        PUBLIC, service=world.service, channel="web", intake=intake(**overrides)
    )


def test_tracking_needs_the_right_secret_and_a_wrong_one_looks_like_an_unknown_reference(
    client, world
):
    case = open_case(world)
    assert client.get(tracking_path(case)).status_code == 200
    other = open_case(world)
    wrong_secret = client.get(f"/fr/track/{case.reference}/{other.tracking_secret}/")
    unknown = client.get(f"/fr/track/R-2026-AAAAAA/{case.tracking_secret}/")
    assert wrong_secret.status_code == unknown.status_code == 404

    def main(response):  # the page names its own address (language link): compare the rest
        return page_text(response).split("<main", 1)[1]

    assert main(wrong_secret) == main(unknown)
    # The reference alone opens nothing: the "find" page only explains.
    find = page_text(client.get("/fr/track/"))
    assert "lien de suivi" in find and "<form" not in find.split("<main", 1)[1]
    assert client.get(f"/fr/track/{case.reference}/").status_code == 404


def test_the_tracking_page_is_not_cached_and_its_address_goes_to_no_other_site(client, world):
    case = open_case(world)
    response = client.get(tracking_path(case))
    assert response["Cache-Control"] == "no-store, private"
    # Not no-referrer: browsers would then send "Origin: null" with the reply form, and the
    # CSRF check would refuse it (tests/browser/test_request_walk.py replies for real).
    assert response["Referrer-Policy"] == "same-origin"
    assert '<meta name="referrer" content="same-origin">' in page_text(response)
    assert client.post(f"{tracking_path(case)}reply/", {"body": "x"}).status_code == 302


def test_the_timeline_shows_each_status_with_dates_in_the_offices_zone(client, world):
    case = open_case(world)
    agent = Actor.staff(case.assignee)
    actions.do_change_status(agent, case, Status.ACKNOWLEDGED)
    actions.do_change_status(agent, case, Status.WAITING)
    page = page_text(client.get(tracking_path(case)))
    timeline = page.split('class="timeline"', 1)[1].split("</ol>", 1)[0]
    assert [label in timeline for label in ("Reçue", "Prise en compte", "En attente")]
    assert timeline.count("<li") == 3
    local = timezone.localtime(case.opened_at, world.office.zone)
    assert f"{local.hour}\u00a0h" in timeline
    assert 'aria-current="step"' in timeline.rsplit("<li", 1)[1]
    assert "délai est suspendu" in page  # waiting: the clock is paused


def test_internal_notes_and_agent_names_are_never_shown(client, world):
    case = open_case(world)
    agent = Actor.staff(case.assignee)
    actions.do_add_note(agent, case, "Note interne : voisin difficile", files=[])
    actions.do_reply(agent, case, "Nous irons voir demain.")
    page = page_text(client.get(tracking_path(case)))
    assert "Nous irons voir demain." in page
    assert "voisin difficile" not in page
    assert case.assignee.username not in page
    if case.assignee.first_name:
        assert case.assignee.first_name not in page


def test_a_note_file_cannot_be_downloaded_by_the_citizen(client, world):
    case = open_case(world)
    agent = Actor.staff(case.assignee)
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, "PNG")
    actions.do_add_note(agent, case, "Plan", files=[upload("plan.png", png.getvalue())])
    hidden = Attachment.objects.get()
    assert not hidden.public
    path = f"{tracking_path(case)}files/{hidden.id}/"
    assert client.get(path).status_code == 404
    other = open_case(world)
    mine = f"/fr/track/{other.reference}/{other.tracking_secret}/files/{hidden.id}/"
    assert client.get(mine).status_code == 404


def test_the_citizen_replies_with_a_file_and_the_agent_sees_it(client, world):
    case = open_case(world)
    agent = Actor.staff(case.assignee)
    actions.do_reply(agent, case, "Pouvez-vous envoyer une photo ?")
    actions.do_change_status(agent, case, Status.WAITING)
    photo = upload("vue.jpg", jpeg_with_gps(), "image/jpeg")
    response = client.post(
        f"{tracking_path(case)}reply/", {"body": "Voici la photo.", "files": photo}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    message = Message.objects.get(kind="citizen")
    assert message.body == "Voici la photo." and message.attachments.count() == 1
    page = page_text(client.get(response["Location"].split("#")[0]))
    assert "Voici la photo." in page and "vue.jpg" in page and "Vous avez écrit" in page


def test_an_empty_reply_is_shown_again_with_the_problem(client, world):
    case = open_case(world)
    response = client.post(f"{tracking_path(case)}reply/", {"body": "  "})
    assert response.status_code == 400
    assert "Écrivez d’abord un message." in page_text(response)
    assert not Message.objects.exists()


def test_a_reply_to_a_resolved_request_reopens_it_within_the_window_only(client, world):
    case = open_case(world)
    agent = Actor.staff(case.assignee)
    actions.do_change_status(agent, case, Status.RESOLVED)
    page = page_text(client.get(tracking_path(case)))
    assert "sera rouverte" in page or "ouverte de nouveau" in page
    assert client.post(f"{tracking_path(case)}reply/", {"body": "Pas réparé."}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    actions.do_change_status(agent, case, Status.RESOLVED)
    Case.objects.filter(pk=case.pk).update(resolved_at=timezone.now() - timedelta(days=15))
    late = page_text(client.get(tracking_path(case)))
    assert 'name="body"' not in late and "faites une nouvelle demande" in late
    refused = client.post(f"{tracking_path(case)}reply/", {"body": "Encore."})
    assert refused.status_code == 400
    assert "Cette demande est fermée" in page_text(refused)


def test_a_closed_request_takes_no_reply(client, world):
    case = open_case(world)
    agent = Actor.staff(case.assignee)
    actions.do_change_status(agent, case, Status.RESOLVED)
    actions.do_change_status(agent, case, Status.CLOSED)
    page = page_text(client.get(tracking_path(case)))
    assert 'name="body"' not in page
    assert client.post(f"{tracking_path(case)}reply/", {"body": "Allô"}).status_code == 400
    assert not Message.objects.filter(kind="citizen").exists()


def test_a_merged_duplicate_shows_the_originals_progress_and_replies_only(client, world):
    original = open_case(world, description="Premier signalement", email="a@example.org")
    duplicate = open_case(world, description="Deuxième signalement", email="b@example.org")
    citizen = actions.citizen_of_case(original.reference, original.tracking_secret)
    actions.do_citizen_reply(citizen, original, "Mon voisin Paul au 555-0100 a vu aussi.")
    agent = Actor.staff(world.agents[0])
    actions.do_merge(agent, duplicate, original)
    actions.do_reply(agent, original, "L’équipe passe jeudi.")
    actions.do_change_status(agent, original, Status.IN_PROGRESS)
    page = page_text(client.get(tracking_path(duplicate)))
    assert "regroupée avec une demande semblable" in page
    assert "L’équipe passe jeudi." in page
    assert "En cours" in page.split('class="status-now', 1)[1][:120]
    assert "Premier signalement" not in page and "Paul" not in page
    assert "Deuxième signalement" in page


def test_a_wrong_secret_cannot_reply_or_download(client, world):
    case = open_case(world)
    other = open_case(world)
    path = f"/fr/track/{case.reference}/{other.tracking_secret}/reply/"
    assert client.post(path, {"body": "Intrus"}).status_code == 404
    assert not Message.objects.exists()


# -- hostile text ------------------------------------------------------------------------------

DANGEROUS_TAGS = {"script", "iframe", "base", "object", "embed", "svg"}


def assert_inert(html: str) -> None:
    document = html5lib.parse(html, namespaceHTMLElements=False)
    for element in document.iter():
        tag = str(element.tag).lower()
        if tag == "script" and (element.get("src") or "").startswith("/static/"):
            assert not (element.text or "").strip()
            continue  # the site's own scripts (htmx)
        assert tag not in DANGEROUS_TAGS, f"<{tag}> rendered"
        if tag == "meta":
            assert element.get("http-equiv") is None
        for attribute, value in element.attrib.items():
            assert not attribute.lower().startswith("on"), f"{attribute} on <{tag}>"
            if attribute in ("href", "src", "action"):
                assert not value.strip().lower().startswith("javascript:"), value
        if tag == "img":
            assert element.get("src") != "x"


@pytest.mark.parametrize("payload", XSS)
def test_hostile_text_in_every_field_is_inert_and_literal_on_the_tracking_page(
    client, questions, payload
):
    data = answers(
        description=payload,
        name=payload,
        q_street=payload,
        q_details=payload,
        q_place=payload,
    )
    response = send(client, data)
    assert response.status_code == 302, page_text(response)[:3000]
    case = only_case()
    actions.do_reply(Actor.staff(case.assignee), case, payload)
    client.post(f"{tracking_path(case)}reply/", {"body": payload})
    page = page_text(client.get(tracking_path(case)))
    assert_inert(page)
    if "{" in payload:
        assert payload in page.replace("&#x27;", "'").replace("&quot;", '"')


# -- the email's link --------------------------------------------------------------------------


def test_the_acknowledgement_email_carries_a_tracking_link_that_works(
    client,
    world,
    smtp_server,  # noqa: F811
):
    response = send(client, answers(email="lea@example.org"))
    assert response.status_code == 302
    run_batch()
    [mail] = [m for m in smtp_server.messages if m["To"] == "lea@example.org"]
    case = only_case()
    assert case.reference in mail["Subject"]
    link = re.search(r"https?://\S+/track/\S+/", mail.get_content()).group(0)
    path = "/" + link.split("/", 3)[3]
    assert path == tracking_path(case)
    page = client.get(path)
    assert page.status_code == 200 and case.reference in page_text(page)
    # And the citizen can answer from there.
    assert client.post(f"{path}reply/", {"body": "Merci !"}).status_code == 302
    assert Message.objects.filter(case=case, kind="citizen").exists()


def test_the_form_and_the_reply_refuse_a_post_without_the_csrf_token(world):
    from tests.pagecheck import CheckingClient

    case = open_case(world)
    strict = CheckingClient(enforce_csrf_checks=True)
    assert send(strict, answers()).status_code == 403
    assert strict.post(f"{tracking_path(case)}reply/", {"body": "x"}).status_code == 403
    assert Case.objects.count() == 1 and not Message.objects.exists()


def test_a_refused_file_in_a_reply_keeps_the_text_and_says_why(client, world):
    case = open_case(world)
    svg = upload("plan.svg", read("svg_with_script.svg"))
    response = client.post(f"{tracking_path(case)}reply/", {"body": "Mon texte", "files": svg})
    assert response.status_code == 400
    page = page_text(response)
    assert "jamais accepté" in page and 'href="#id_files"' in page
    assert "Mon texte</textarea>" in page
    assert not Message.objects.exists() and not Attachment.objects.exists()
