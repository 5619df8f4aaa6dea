"""The citizen's survey pages: two taps, one response per invitation, a closed survey that
explains itself, 404 for a wrong secret, French and English, rate limit and CSRF."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accueil.feedback.actions import do_ensure_standard_surveys, do_invite
from accueil.feedback.models import Answer, Invitation, Response, SurveySettings
from tests.feedback.surveys_world import served_visit


@pytest.fixture
def invitation(world):
    visit = served_visit(world, language="fr")
    return do_invite("visit", visit, agent_id=world.agent.id, at=visit.ended_at)


def url(invitation, language="fr", secret=None, page=""):
    return f"/{language}/survey/{invitation.id}/{secret or invitation.secret}/{page}"


def test_the_trust_question_is_answered_by_one_tap_then_the_rest_by_a_second(client, invitation):
    page = client.get(url(invitation))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Je fais confiance à Ville de Lévis" in html
    assert '<button type="submit" name="trust" value="1"' in html  # the tap is the answer
    assert page["Cache-Control"] == "no-store, private"
    assert page["Referrer-Policy"] == "same-origin"

    tapped = client.post(url(invitation), {"trust": "1"})  # tap 1
    assert tapped.status_code == 302 and tapped["Location"] == url(invitation)
    response = Response.objects.get(invitation=invitation)
    assert response.completed_at is None and response.agent_id == invitation.agent_id
    assert Answer.objects.get(response=response).value_int == 1

    rest = client.get(url(invitation)).content.decode()
    assert "Qu’est-ce qui s’est bien passé" in rest and 'name="went_well"' in rest
    sent = client.post(  # tap 2
        url(invitation),
        {"went_well": ["ease", "humanity", "made-up"], "comment": "Très bon accueil."},
    )
    assert sent.status_code == 302 and sent["Location"] == url(invitation, page="thanks/")
    response.refresh_from_db()
    assert response.completed_at is not None and response.comment == "Très bon accueil."
    went_well = Answer.objects.get(response=response, question__code="went_well")
    assert went_well.choices == ["ease", "humanity"]
    thanks = client.get(url(invitation, page="thanks/"))
    assert thanks.status_code == 200 and "Merci" in thanks.content.decode()
    assert "{#" not in thanks.content.decode() and "{%" not in thanks.content.decode()
    invitation.refresh_from_db()
    assert invitation.responded_at == response.submitted_at


def test_the_second_screen_can_be_skipped(client, invitation):
    client.post(url(invitation), {"trust": "0"})
    skipped = client.post(url(invitation), {"skip": "1", "comment": "ignored"})
    assert skipped.status_code == 302
    response = Response.objects.get()
    assert response.completed_at is not None and response.comment == ""
    assert response.answers.count() == 1


def test_a_second_response_is_refused_with_a_clear_page_and_changes_nothing(client, invitation):
    client.post(url(invitation), {"trust": "1"})
    client.post(url(invitation), {"comment": "Premier envoi."})
    again = client.post(url(invitation), {"trust": "0", "comment": "Deuxième envoi."})
    assert again.status_code == 409
    assert "Vous avez déjà répondu à ce sondage" in again.content.decode()
    response = Response.objects.get()
    assert response.comment == "Premier envoi."
    assert response.answers.get(question__code="trust").value_int == 1
    assert client.get(url(invitation)).status_code == 200  # the page says so, calmly


def test_two_first_taps_make_one_response(client, invitation):
    client.post(url(invitation), {"trust": "1"})
    second = Client().post(url(invitation), {"trust": "0"})  # another phone, the same link
    assert second.status_code == 302  # it lands on the second screen, not a new response
    assert Response.objects.count() == 1
    assert Answer.objects.get(question__code="trust").value_int == 1


def test_an_expired_invitation_explains_itself(client, invitation):
    Invitation.objects.filter(id=invitation.id).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    for page in (client.get(url(invitation)), client.post(url(invitation), {"trust": "1"})):
        assert page.status_code == 410
        html = page.content.decode()
        assert "Ce sondage est fermé" in html
        assert "Il n’y a aucun problème" in html
    assert Response.objects.count() == 0


def test_a_wrong_secret_or_an_unknown_invitation_is_not_found(client, invitation):
    wrong = "A" * 22
    assert client.get(url(invitation, secret=wrong)).status_code == 404
    assert client.post(url(invitation, secret=wrong), {"trust": "1"}).status_code == 404
    assert client.get(url(invitation, secret="short")).status_code == 404
    other = f"/fr/survey/00000000-0000-0000-0000-000000000000/{invitation.secret}/"
    assert client.get(other).status_code == 404
    assert Response.objects.count() == 0


def test_the_thanks_page_before_any_answer_goes_back_to_the_survey(client, invitation):
    page = client.get(url(invitation, page="thanks/"))
    assert page.status_code == 302 and page["Location"] == url(invitation)


def test_the_survey_speaks_english_on_the_english_address(client, invitation):
    html = client.get(url(invitation, "en")).content.decode()
    assert "I trust City of Lévis to serve the public well." in html
    assert "Yes, I agree" in html and "Step 1 of 2" in html
    client.post(url(invitation, "en"), {"trust": "1"})
    assert "What went well?" in client.get(url(invitation, "en")).content.decode()
    assert Response.objects.get().language == "en"


def test_a_missing_required_answer_is_explained(client, invitation):
    page = client.post(url(invitation), {"comment": "Rien coché."})
    assert page.status_code == 422
    assert "Veuillez répondre à cette question." in page.content.decode()
    assert Response.objects.count() == 0


def test_a_bad_value_is_refused_not_a_server_error(client, invitation):
    page = client.post(url(invitation), {"trust": "7"})
    assert page.status_code == 422 and Response.objects.count() == 0


def test_the_seven_driver_form_starts_with_a_one_tap_scale(client, world):
    drivers = do_ensure_standard_surveys(world.agency)["drivers"]
    SurveySettings.objects.create(agency=world.agency, service=world.service, survey=drivers)
    visit = served_visit(world)
    invitation = do_invite("visit", visit, at=visit.ended_at)
    html = client.get(url(invitation, "en")).content.decode()
    assert "I am satisfied with the service." in html
    assert html.count('name="satisfaction"') == 5
    client.post(url(invitation, "en"), {"satisfaction": "5"})
    client.post(url(invitation, "en"), {"ease": "4", "trust": "5"})
    response = Response.objects.get()
    values = dict(response.answers.values_list("question__code", "value_int"))
    assert values == {"satisfaction": 5, "ease": 4, "trust": 5}


def test_answers_are_rate_limited(client, invitation, settings):
    settings.SURVEY_RATE = "2/3600"
    client.post(url(invitation), {"trust": "1"})
    client.post(url(invitation), {"skip": "1"})
    slowed = client.post(url(invitation), {"trust": "1"})
    assert slowed.status_code == 429 and "Veuillez patienter" in slowed.content.decode()


def test_a_post_without_the_csrf_token_is_refused(invitation):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(url(invitation), {"trust": "1"}).status_code == 403
    assert Response.objects.count() == 0


def test_the_page_holds_no_other_secret(client, world, invitation):
    """Only this invitation's secret appears: not the visit's, not another invitation's."""
    from accueil.core.capabilities import secret_for

    html = client.get(url(invitation)).content.decode()
    assert secret_for("visit", invitation.subject_id) not in html
    assert str(invitation.subject_id) not in html


def test_a_thumb_up_asks_what_went_well_and_a_thumb_down_what_did_not(client, world):
    up, down = (invited_visit(world) for _ in range(2))
    client.post(url(up), {"trust": "1"})
    client.post(url(down), {"trust": "0"})
    after_up = client.get(url(up)).content.decode()
    after_down = client.get(url(down)).content.decode()
    assert 'name="went_well"' in after_up and 'name="went_badly"' not in after_up
    assert 'name="went_badly"' in after_down and 'name="went_well"' not in after_down
    assert "C’était compliqué" in after_down
    # A box of the list not shown is not recorded either.
    client.post(url(down), {"went_well": ["ease"], "went_badly": ["efficiency"]})
    answers = Response.objects.get(invitation=down).answers
    assert list(answers.filter(question__code="went_badly").values_list("choices", flat=True)) == [
        ["efficiency"]
    ]
    assert not answers.filter(question__code="went_well").exists()


def invited_visit(world):
    visit = served_visit(world)
    return do_invite("visit", visit, agent_id=world.agent.id, at=visit.ended_at)


def test_only_the_invitations_holder_may_answer_and_a_refusal_changes_nothing(world, invitation):
    from django.http import Http404

    from accueil.core.actors import Actor
    from accueil.feedback.actions import citizen, do_answer

    other = invited_visit(world)
    for actor in (
        Actor.staff(world.agent),  # who served: never answers for the citizen
        Actor.staff(world.admin),
        Actor.staff(world.stranger),
        citizen(other),  # holds another invitation
        Actor.public(),
    ):
        with pytest.raises(Http404):
            do_answer(invitation, {"trust": "1"}, final=True, actor=actor)
    invitation.refresh_from_db()
    assert invitation.responded_at is None and Response.objects.count() == 0
