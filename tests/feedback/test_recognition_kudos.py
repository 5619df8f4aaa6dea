"""Compliments: from the citizen to whoever served them (never to someone a form names), to the
agent's page and inbox, and onto the team's wall only with the agent's consent and a
supervisor's check."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from accueil.accounts.models import Role
from accueil.core.actions import ActionError
from accueil.core.actors import Actor
from accueil.core.models import Event
from accueil.feedback import recognition
from accueil.feedback import recognition_actions as actions
from accueil.feedback.models import Invitation, Kudos, WallStatus
from accueil.notify.models import Message
from tests.factories import UserFactory
from tests.feedback.recognition_helpers import (
    answer,
    case_invitation,
    sign_in,
    visit_invitation,
)

pytestmark = pytest.mark.django_db


def thanks_url(invitation, secret=None):
    return f"/fr/survey/{invitation.id}/{secret or invitation.secret}/thanks-agent/"


def thank(invitation, message="Merci pour votre patience !"):
    return actions.do_thank_agent(Actor.citizen("survey", invitation.id), invitation, message)


# -- the citizen's compliment reaches the right agent ---------------------------------------------


def test_a_citizen_thanks_the_agent_who_served_their_visit_without_naming_them(client, personas):
    invitation = visit_invitation(personas, personas.owner)
    page = client.get(thanks_url(invitation))
    assert page.status_code == 200
    assert "owner" not in page.content.decode().lower()  # nobody's name on the citizen's page
    response = client.post(thanks_url(invitation), {"message": "Merci, très clair !"})
    assert response.status_code == 302
    kudos = Kudos.objects.get()
    assert kudos.agent == personas.owner
    assert (kudos.office, kudos.service) == (personas.office, personas.service)
    assert client.get(thanks_url(invitation)).status_code == 200  # "passed on"


def test_a_compliment_cannot_be_attached_to_an_agent_who_did_not_serve(client, personas):
    invitation = visit_invitation(personas, personas.owner)
    forged = {
        "message": "Bravo",
        "agent": str(personas.colleague.pk),
        "agent_id": str(personas.colleague.pk),
        "invitation": str(visit_invitation(personas, personas.colleague).pk),
    }
    assert client.post(thanks_url(invitation), forged).status_code == 302
    assert list(Kudos.objects.values_list("agent", flat=True)) == [personas.owner.pk]
    assert not Kudos.objects.filter(agent=personas.colleague).exists()


def test_a_request_compliment_goes_to_the_agent_who_held_it(personas):
    invitation = case_invitation(personas, personas.colleague)
    assert thank(invitation).agent == personas.colleague


def test_a_wrong_secret_is_not_found_and_changes_nothing(client, personas):
    invitation = visit_invitation(personas, personas.owner)
    other = visit_invitation(personas, personas.owner)
    wrong = thanks_url(invitation, secret=other.secret)
    assert client.get(wrong).status_code == 404
    assert client.post(wrong, {"message": "Bravo"}).status_code == 404
    with pytest.raises(Http404):
        actions.do_thank_agent(Actor.citizen("survey", other.id), invitation, "Bravo")
    assert not Kudos.objects.exists()


def test_one_compliment_per_invitation(client, personas):
    invitation = visit_invitation(personas, personas.owner)
    thank(invitation)
    second = client.post(thanks_url(invitation), {"message": "Encore merci"})
    assert second.status_code == 409
    with pytest.raises(ActionError) as refused:
        thank(invitation)
    assert refused.value.code == "already_thanked"
    assert Kudos.objects.count() == 1


def test_an_empty_or_overlong_message_is_refused(client, personas):
    invitation = visit_invitation(personas, personas.owner)
    assert client.post(thanks_url(invitation), {"message": "   "}).status_code == 400
    assert client.post(thanks_url(invitation), {"message": "x" * 1001}).status_code == 400
    assert not Kudos.objects.exists()


def test_without_a_known_agent_the_thanks_explain_themselves(client, personas):
    invitation = visit_invitation(personas, personas.owner)
    Invitation.objects.filter(pk=invitation.pk).update(agent=None)
    invitation.refresh_from_db()
    page = client.get(thanks_url(invitation))
    assert page.status_code == 409
    assert "Nous ne savons pas" in page.content.decode()
    assert client.post(thanks_url(invitation), {"message": "Merci"}).status_code == 409
    assert not Kudos.objects.exists()


def test_the_thank_you_page_of_the_survey_offers_the_thanks(client, personas):
    invitation = visit_invitation(personas, personas.owner)
    answer(invitation, trust=1)
    page = client.get(f"/fr/survey/{invitation.id}/{invitation.secret}/thanks/").content.decode()
    assert thanks_url(invitation) in page
    assert "{#" not in page and "#}" not in page


# -- the wow --------------------------------------------------------------------------------------


def test_a_top_score_with_a_compliment_is_a_wow_and_a_low_one_is_not(personas):
    trusted = visit_invitation(personas, personas.owner)
    answer(trusted, trust=1)
    doubtful = visit_invitation(personas, personas.owner)
    answer(doubtful, trust=0)
    silent = visit_invitation(personas, personas.owner)
    assert thank(trusted).wow is True
    assert thank(doubtful).wow is False
    assert thank(silent).wow is False  # no score at all
    assert recognition.own_wows(Actor.staff(personas.owner)) == {"month": 1, "all": 1}


# -- it reaches the agent -------------------------------------------------------------------------


def test_the_agent_is_told_by_email_and_sees_it_new_on_their_page(client, personas):
    personas.owner.email = "owner@example.ca"
    personas.owner.save()
    kudos = thank(visit_invitation(personas, personas.owner), "Merci <b>Léa</b> !")
    message = Message.objects.get(idempotency_key=f"kudos:{kudos.id}")
    assert message.recipient == "owner@example.ca"
    assert "/fr/staff/me/feedback/" in message.body
    assert "Léa" not in message.body  # the compliment itself stays in Accueil
    sign_in(client, personas.owner)
    page = client.get("/fr/staff/me/feedback/").content.decode()
    assert "Merci &lt;b&gt;Léa&lt;/b&gt; !" in page
    assert "1 nouveau compliment" in page
    assert "nouveau compliment" not in client.get("/fr/staff/me/feedback/").content.decode()
    assert Event.objects.filter(verb="kudos.read").count() == 1


def test_an_agent_without_email_gets_no_email(personas):
    personas.owner.email = ""
    personas.owner.save()
    thank(visit_invitation(personas, personas.owner))
    assert not Message.objects.filter(template="feedback.kudos").exists()


def test_an_agent_sees_only_their_own_compliments(client, personas):
    thank(visit_invitation(personas, personas.colleague), "Pour le collègue")
    sign_in(client, personas.owner)
    assert "Pour le collègue" not in client.get("/fr/staff/me/feedback/").content.decode()


# -- colleagues -----------------------------------------------------------------------------------


def test_agents_thank_a_colleague_of_their_agency_but_not_themselves(client, personas):
    sign_in(client, personas.owner)
    url = "/fr/staff/thank-a-colleague/"
    assert client.get(url).status_code == 200
    for recipient in (personas.owner, personas.stranger):
        response = client.post(url, {"recipient": str(recipient.pk), "message": "Merci"})
        assert response.status_code == 400
    assert not Kudos.objects.exists()
    response = client.post(url, {"recipient": str(personas.colleague.pk), "message": "Merci !"})
    assert response.status_code == 302
    kudos = Kudos.objects.get()
    assert (kudos.agent, kudos.sender, kudos.source) == (
        personas.colleague,
        personas.owner,
        "colleague",
    )
    assert kudos.wow is False


# -- the wall -------------------------------------------------------------------------------------


def test_the_wall_needs_the_agents_consent_and_a_supervisors_check(client, personas):
    personas.owner.first_name, personas.owner.last_name = "Léa", "Tremblay"
    personas.owner.save()
    invitation = visit_invitation(personas, personas.owner)
    answer(invitation, trust=1)
    kudos = thank(invitation, "Un accueil formidable")
    sign_in(client, personas.supervisor)
    assert "Un accueil formidable" not in client.get("/fr/staff/wall/review/").content.decode()
    # Not offered yet: the supervisor cannot put it on the wall.
    client.post(f"/fr/staff/wall/review/{kudos.id}/", {"decision": "approve"})
    assert Kudos.objects.get().wall_status == WallStatus.PRIVATE

    client.post("/fr/logout/")
    sign_in(client, personas.owner)
    assert client.post(f"/fr/staff/me/feedback/{kudos.id}/wall/").status_code == 302
    assert Kudos.objects.get().wall_status == WallStatus.PENDING
    assert "Un accueil formidable" not in client.get("/fr/staff/wall/").content.decode()

    client.post("/fr/logout/")
    sign_in(client, personas.supervisor)
    assert "Un accueil formidable" in client.get("/fr/staff/wall/review/").content.decode()
    response = client.post(f"/fr/staff/wall/review/{kudos.id}/", {"decision": "approve"})
    assert response.status_code == 302
    kudos.refresh_from_db()
    assert (kudos.wall_status, kudos.reviewed_by) == (WallStatus.APPROVED, personas.supervisor)

    client.post("/fr/logout/")
    sign_in(client, personas.colleague)
    wall = client.get("/fr/staff/wall/").content.decode()
    assert "Un accueil formidable" in wall
    assert "Léa" in wall and "Tremblay" not in wall  # first name only
    assert '<p class="wow-count"><strong>1</strong>' in wall
    tv = client.get("/fr/staff/wall/?layout=tv").content.decode()
    assert "wall-tv" in tv and "Un accueil formidable" in tv


def test_a_declined_compliment_stays_off_the_wall(personas):
    kudos = thank(visit_invitation(personas, personas.owner), "Refusé")
    actions.do_offer_to_wall(Actor.staff(personas.owner), kudos)
    supervisor = Actor.staff(personas.supervisor)
    actions.do_review_kudos(
        supervisor, actions.access_kudos_for_review(supervisor, kudos.id), approve=False
    )
    assert Kudos.objects.get().wall_status == WallStatus.DECLINED
    assert not recognition.wall(Actor.staff(personas.colleague))["kudos"]


def test_the_agent_takes_a_compliment_back_from_the_wall(personas):
    kudos = thank(visit_invitation(personas, personas.owner))
    owner, supervisor = Actor.staff(personas.owner), Actor.staff(personas.supervisor)
    actions.do_offer_to_wall(owner, kudos)
    actions.do_review_kudos(supervisor, kudos, approve=True)
    actions.do_keep_private(owner, actions.access_own_kudos(owner, kudos.id))
    assert Kudos.objects.get().wall_status == WallStatus.PRIVATE
    assert not recognition.wall(owner)["kudos"]


def test_only_the_agent_thanked_may_offer_it_and_only_supervisors_of_its_office_check_it(
    client, personas
):
    kudos = thank(visit_invitation(personas, personas.owner))
    sign_in(client, personas.colleague)
    assert client.post(f"/fr/staff/me/feedback/{kudos.id}/wall/").status_code == 404
    assert Kudos.objects.get().wall_status == WallStatus.PRIVATE
    actions.do_offer_to_wall(Actor.staff(personas.owner), kudos)
    elsewhere = UserFactory(
        agency=personas.agency, role=Role.SUPERVISOR, offices=[personas.other_office]
    )
    for outsider in (elsewhere, personas.stranger_admin):
        with pytest.raises(Http404):
            actions.access_kudos_for_review(Actor.staff(outsider), kudos.id)
    with pytest.raises(Http404):
        actions.access_kudos_for_review(Actor.staff(personas.colleague), kudos.id)
    assert Kudos.objects.get().wall_status == WallStatus.PENDING


def test_a_supervisor_cannot_approve_a_compliment_made_to_them(personas):
    kudos = actions.do_thank_colleague(
        Actor.staff(personas.owner), personas.supervisor.pk, "Merci chef"
    )
    supervisor = Actor.staff(personas.supervisor)
    actions.do_offer_to_wall(supervisor, kudos)
    with pytest.raises(ActionError) as refused:
        actions.do_review_kudos(supervisor, kudos, approve=True)
    assert refused.value.code == "own_kudos"
    assert Kudos.objects.get().wall_status == WallStatus.PENDING


def test_two_reviews_of_one_compliment_cannot_both_win(personas):
    kudos = thank(visit_invitation(personas, personas.owner))
    actions.do_offer_to_wall(Actor.staff(personas.owner), kudos)
    first = Kudos.objects.get()
    second = Kudos.objects.get()
    actions.do_review_kudos(Actor.staff(personas.supervisor), first, approve=True)
    with pytest.raises(ActionError) as refused:
        actions.do_review_kudos(Actor.staff(personas.admin), second, approve=False)
    assert refused.value.code == "kudos_changed"
    assert Kudos.objects.get().wall_status == WallStatus.APPROVED


def test_the_wall_counts_this_months_wows_of_the_agency_only(personas):
    for trust in (1, 1, 0):
        invitation = visit_invitation(personas, personas.owner)
        answer(invitation, trust=trust)
        thank(invitation)
    old = Kudos.objects.filter(wow=True).first()
    Kudos.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    assert recognition.wall(Actor.staff(personas.colleague))["wow_count"] == 1
    assert recognition.wall(Actor.staff(personas.stranger))["wow_count"] == 0


# -- the agent's own results ----------------------------------------------------------------------


def test_an_agents_monthly_trust_is_their_own_and_shown_from_five_answers(personas):
    for trust in (1, 1, 1, 0, 1):
        answer(visit_invitation(personas, personas.owner), trust=trust)
    for trust in (0, 0):
        answer(visit_invitation(personas, personas.colleague), trust=trust)
    (month,) = recognition.trust_by_month(Actor.staff(personas.owner))
    assert (month.answers, month.positive, month.share, month.shown) == (5, 4, 80, True)
    (few,) = recognition.trust_by_month(Actor.staff(personas.colleague))
    assert few.answers == 2 and not few.shown


# -- hostile input and rate limits ----------------------------------------------------------------

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "{{ request.user }} {% debug %} ${7*7}",
]


def test_compliments_are_inert_on_every_page_that_shows_them(client, personas):
    for payload in PAYLOADS:
        kudos = thank(visit_invitation(personas, personas.owner), payload)
        actions.do_offer_to_wall(Actor.staff(personas.owner), kudos)
    sign_in(client, personas.supervisor)
    review = client.get("/fr/staff/wall/review/").content.decode()
    for kudos in Kudos.objects.all():
        actions.do_review_kudos(Actor.staff(personas.supervisor), kudos, approve=True)
    client.post("/fr/logout/")
    sign_in(client, personas.owner)
    pages = [
        review,
        client.get("/fr/staff/me/feedback/").content.decode(),
        client.get("/fr/staff/wall/").content.decode(),
    ]
    for page in pages:
        assert "<img src=x" not in page and "<svg onload" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
        assert "{{ request.user }} {% debug %} ${7*7}" in page  # literal, never rendered


def test_thanks_are_rate_limited_per_address(client, personas, settings):
    settings.SURVEY_RATE = "1/3600"
    first, second = (visit_invitation(personas, personas.owner) for _ in range(2))
    assert client.post(thanks_url(first), {"message": "Merci"}).status_code == 302
    refused = client.post(thanks_url(second), {"message": "Merci"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert Kudos.objects.count() == 1


def test_the_staff_home_tells_the_agent_of_new_compliments(client, personas):
    thank(visit_invitation(personas, personas.owner))
    sign_in(client, personas.owner)
    assert "1 nouveau compliment à lire" in client.get("/fr/staff/").content.decode()
    client.get("/fr/staff/me/feedback/")
    assert "compliment à lire" not in client.get("/fr/staff/").content.decode()
    client.post("/fr/logout/")
    sign_in(client, personas.colleague)
    assert "compliment à lire" not in client.get("/fr/staff/").content.decode()
