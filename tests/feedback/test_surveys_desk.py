"""At the desk: the console's QR card for the last visitor, the short code, the counter
tablet that offers the survey and goes back to its welcome screen; the admin's 15 questions."""

import json
from datetime import timedelta

from django.utils import timezone

from accueil.core.capabilities import secret_for
from accueil.feedback.actions import do_ensure_standard_surveys, do_invite
from accueil.feedback.models import Invitation, Response, SurveySettings
from tests.factories import TEST_PASSWORD
from tests.feedback.surveys_world import served_visit


def sign_in(client, user):
    client.post("/fr/login/", {"username": user.username, "password": TEST_PASSWORD})


def invited(world, **details):
    visit = served_visit(world, **details)
    return do_invite("visit", visit, agent_id=world.agent.id, at=visit.ended_at)


def tablet_url(world, language="fr", secret=None):
    secret = secret or secret_for("counter", world.desk.id)
    return f"/{language}/counter/{world.desk.id}/{secret}/"


def test_the_console_shows_the_last_visitors_qr_code_and_short_code(client, world):
    invitation = invited(world)
    sign_in(client, world.agent)
    html = client.get("/fr/console/").content.decode()
    assert "Sondage pour la dernière personne servie" in html
    assert '<div class="qr" role="img"' in html
    code = invitation.short_code
    assert f"{code[:5]}-{code[5:]}" in html
    assert secret_for("counter", world.desk.id) in html  # the tablet's address, for staff


def test_the_console_card_goes_once_the_visitor_has_answered(client, world):
    invitation = invited(world)
    sign_in(client, world.agent)
    client.post(f"/fr/survey/{invitation.id}/{invitation.secret}/", {"trust": "1"})
    client.post(f"/fr/survey/{invitation.id}/{invitation.secret}/", {"skip": "1"})
    html = client.get("/fr/console/").content.decode()
    assert '<div class="qr"' not in html and invitation.short_code[:5] not in html


def test_the_short_code_opens_the_survey_however_it_is_typed(client, world):
    invitation = invited(world)
    code = invitation.short_code
    typed = f" {code[:5].lower()} - {code[5:]} ".replace("0", "o").replace("1", "l")
    found = client.post("/fr/s/", {"code": typed})
    assert found.status_code == 302
    assert found["Location"] == f"/fr/survey/{invitation.id}/{invitation.secret}/"
    assert client.get("/en/s/", {"code": code})["Location"].startswith("/en/survey/")
    wrong = client.post("/fr/s/", {"code": "ZZZZZZZZZZ"})
    assert wrong.status_code == 404 and "Nous n’avons pas trouvé ce code" in wrong.content.decode()
    assert client.get("/fr/s/").status_code == 200


def test_guessing_short_codes_is_rate_limited(client, world, settings):
    settings.SURVEY_RATE = "3/3600"
    invitation = invited(world)
    for _ in range(3):
        client.post("/fr/s/", {"code": "ZZZZZZZZZZ"})
    slowed = client.post("/fr/s/", {"code": invitation.short_code})
    assert slowed.status_code == 429  # even the right code waits


def test_the_tablet_welcomes_then_offers_the_last_visit_survey_then_resets(client, world):
    welcome = client.get(tablet_url(world))
    assert welcome.status_code == 200 and "Bienvenue" in welcome.content.decode()
    assert 'data-reload-after="5"' in welcome.content.decode()
    invitation = invited(world)
    survey = client.get(tablet_url(world)).content.decode()
    assert "Je fais confiance à Ville de Lévis" in survey
    assert f'name="invitation" value="{invitation.id}"' in survey
    assert invitation.secret not in survey  # the tablet holds the desk's power, not a link
    tapped = client.post(tablet_url(world), {"invitation": str(invitation.id), "trust": "1"})
    assert tapped.status_code == 302
    assert "Étape 2 sur 2" in client.get(tablet_url(world)).content.decode()
    thanks = client.post(tablet_url(world), {"invitation": str(invitation.id), "skip": "1"})
    assert thanks.status_code == 200 and "Merci de vos réponses" in thanks.content.decode()
    assert 'data-reload-after="8"' in thanks.content.decode()
    assert Response.objects.get().completed_at is not None
    assert "Bienvenue" in client.get(tablet_url(world)).content.decode()  # ready for the next


def test_the_tablet_forgets_a_visit_after_a_few_minutes(client, world):
    invitation = invited(world)
    Invitation.objects.filter(id=invitation.id).update(
        created_at=timezone.now() - timedelta(minutes=4)
    )
    assert "Bienvenue" in client.get(tablet_url(world)).content.decode()
    late = client.post(tablet_url(world), {"invitation": str(invitation.id), "trust": "0"})
    assert late.status_code == 302 and Response.objects.count() == 0


def test_the_tablet_answers_only_its_desks_current_invitation(client, world):
    invitation = invited(world)
    other = Invitation.objects.filter(id=invitation.id)
    refused = client.post(tablet_url(world), {"invitation": "not-this-one", "trust": "0"})
    assert refused.status_code == 302 and Response.objects.count() == 0
    assert other.get().responded_at is None


def test_the_tablet_needs_its_secret(client, world):
    assert client.get(tablet_url(world, secret="B" * 22)).status_code == 404
    assert client.get(f"/fr/counter/{world.office.id}/{'B' * 22}/").status_code == 404


def test_a_service_without_the_tablet_keeps_it_on_its_welcome_screen(client, world):
    SurveySettings.objects.create(agency=world.agency, service=world.service, channels=["qr"])
    invited(world)
    assert "Bienvenue" in client.get(tablet_url(world)).content.decode()


def test_the_tablet_speaks_english(client, world):
    invited(world)
    html = client.get(tablet_url(world, "en")).content.decode()
    assert "I trust City of Lévis to serve the public well." in html


def test_a_survey_has_at_most_15_questions_in_the_admin(client, world):
    survey = do_ensure_standard_surveys(world.agency)["a11"]
    sign_in(client, world.admin)
    url = f"/fr/admin/feedback/survey/{survey.id}/change/"
    page = client.get(url)
    assert page.status_code == 200
    existing = list(survey.questions.all())
    data = {
        "title_fr": survey.title_fr,
        "title_en": survey.title_en,
        "kind": survey.kind,
        "active": "on",
        "questions-TOTAL_FORMS": str(16),
        "questions-INITIAL_FORMS": str(len(existing)),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    for index in range(16):
        question = existing[index] if index < len(existing) else None
        prefix = f"questions-{index}-"
        data.update(
            {
                prefix + "id": str(question.id) if question else "",
                prefix + "survey": str(survey.id),
                prefix + "position": str(index),
                prefix + "code": question.code if question else f"extra{index}",
                prefix + "kind": question.kind if question else "comment",
                prefix + "label_fr": question.label_fr if question else f"Question {index}",
                prefix + "label_en": question.label_en if question else f"Question {index}",
                prefix + "driver": question.driver if question else "",
                prefix + "choices": json.dumps(question.choices) if question else "[]",
            }
        )
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Un sondage compte au plus 15" in refused.content.decode()
    assert survey.questions.count() == len(existing)
    data["questions-TOTAL_FORMS"] = "15"
    accepted = client.post(url, data)
    assert accepted.status_code == 302, accepted.content.decode()[:2000]
    assert survey.questions.count() == 15
