"""Invitations after a completed visit or a resolved request: once each, sampled the same way
on every replay, no more than one per person per cooldown, too-late events skipped, and the
notice queued in the outbox in the person's language, respecting opt-outs and quiet hours."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from accueil.cases.actions import do_assign, do_change_status, do_open_case
from accueil.cases.intake import Intake
from accueil.core.actors import PUBLIC, Actor
from accueil.core.models import ConsumerCursor
from accueil.feedback.actions import do_invite, sampled
from accueil.feedback.models import Invitation, SurveySettings
from accueil.notify.channels import channel_for
from accueil.notify.hidden import HIDDEN_BODIES
from accueil.notify.models import Message, OptOut, Status
from accueil.notify.outbox import claim, deliver
from accueil.notify.policy import BatchPolicy
from tests.feedback.surveys_world import run_consumer, served_visit

# Committed: on PostgreSQL a consumer reads only events whose transaction has ended.
pytestmark = pytest.mark.django_db(transaction=True)


def open_case(world, **contact):
    contact = contact or {"email": "lea@example.org"}
    intake = Intake(
        description="Une question sur mon permis.", language="en", name="Léa", **contact
    )
    return do_open_case(PUBLIC, service=world.service, channel="web", intake=intake)


def resolve(world, case, agent=None):
    staff = Actor.staff(agent or world.agent)
    if agent is not None:
        case = do_assign(staff, case, assignee=agent)
    return do_change_status(staff, case, "resolved")


def invitation_notices():
    return Message.objects.filter(template="feedback.invitation")


def test_a_completed_visit_gets_one_invitation_by_text_message_in_its_language(world):
    visit = served_visit(world, phone="+1 418 555 0101", language="en")
    run_consumer()
    invitation = Invitation.objects.get()
    assert (invitation.subject_type, invitation.subject_id) == ("visit", visit.id)
    assert invitation.agent == world.agent and invitation.desk == world.desk
    assert invitation.channel == "in_person" and invitation.sent_via == "sms"
    assert invitation.language == "en" and invitation.contact_digest
    assert "555" not in invitation.contact_digest
    notice = invitation_notices().get()
    assert notice.channel == "sms" and notice.language == "en" and notice.proactive
    assert f"/en/survey/{invitation.id}/{invitation.secret}/" in notice.body
    assert "City of Lévis" in notice.body


def test_a_resolved_request_gets_one_invitation_by_email_naming_who_served(world):
    case = open_case(world)
    resolve(world, case, agent=world.colleague)
    run_consumer()
    invitation = Invitation.objects.get()
    assert (invitation.subject_type, invitation.subject_id) == ("case", case.id)
    assert invitation.agent == world.colleague
    assert invitation.channel == "web" and invitation.sent_via == "email"
    notice = invitation_notices().get()
    assert notice.recipient == "lea@example.org" and notice.language == "en"
    assert notice.subject == "City of Lévis: your opinion of our service"


def test_a_replayed_batch_adds_no_invitation_and_no_notice(world):
    served_visit(world, email="a@example.org")
    run_consumer()
    # The worker died after the handler and before the cursor: the batch comes again.
    ConsumerCursor.objects.filter(name="feedback.invitations").update(txid=0, event_id=0)
    assert run_consumer() >= 1
    assert Invitation.objects.count() == 1 and invitation_notices().count() == 1


def test_sampling_is_decided_by_the_subject_and_holds_at_the_rate(world):
    ids = [uuid.UUID(int=n * 7919) for n in range(2000)]
    chosen = sum(sampled(i, 25) for i in ids)
    assert 400 < chosen < 600  # about a quarter
    assert [sampled(i, 25) for i in ids] == [sampled(i, 25) for i in ids]  # the same every time
    assert not any(sampled(i, 0) for i in ids) and all(sampled(i, 100) for i in ids)


def test_a_service_sampled_at_zero_invites_nobody_and_at_half_about_half(world):
    SurveySettings.objects.create(agency=world.agency, service=world.service, sampling_rate=0)
    for n in range(3):
        served_visit(world, email=f"p{n}@example.org")
    run_consumer()
    assert Invitation.objects.count() == 0 and invitation_notices().count() == 0
    SurveySettings.objects.filter(service=world.service).update(sampling_rate=50, cooldown_days=0)
    visits = [served_visit(world, email=f"q{n}@example.org") for n in range(20)]
    run_consumer()
    invited = set(Invitation.objects.values_list("subject_id", flat=True))
    assert invited == {v.id for v in visits if sampled(v.id, 50)}


def test_the_same_person_is_asked_once_within_the_cooldown(world):
    SurveySettings.objects.create(agency=world.agency, service=world.service, cooldown_days=30)
    served_visit(world, email="Lea@Example.org")
    case = open_case(world, email="lea@example.org")  # the same person, written otherwise
    resolve(world, case)
    served_visit(world, email="someone.else@example.org")
    run_consumer()
    assert sorted(invitation_notices().values_list("recipient", flat=True)) == [
        "Lea@Example.org",
        "someone.else@example.org",
    ]
    # After the cooldown, the same person may be asked again.
    Invitation.objects.update(created_at=timezone.now() - timedelta(days=31))
    served_visit(world, email="lea@example.org")
    run_consumer()
    assert invitation_notices().count() == 3


def test_a_visit_without_contact_gets_an_invitation_for_the_desk_and_sends_nothing(world):
    served_visit(world)
    run_consumer()
    invitation = Invitation.objects.get()
    assert invitation.sent_via == "" and invitation.contact_digest == ""
    assert invitation_notices().count() == 0


def test_a_request_without_contact_gets_no_invitation(world):
    case = open_case(world, phone="", email="")
    resolve(world, case)
    run_consumer()
    assert Invitation.objects.count() == 0


def test_ways_of_inviting_are_limited_by_the_service_settings(world):
    SurveySettings.objects.create(
        agency=world.agency, service=world.service, channels=["email", "tablet"]
    )
    served_visit(world, phone="+1 418 555 0101")  # SMS not used: a desk invitation instead
    run_consumer()
    invitation = Invitation.objects.get()
    assert invitation.sent_via == "" and invitation_notices().count() == 0


def test_an_event_older_than_the_expiry_invites_nobody(world):
    """A consumer installed on a database with years of visits must not text those people."""
    SurveySettings.objects.create(agency=world.agency, service=world.service, expiry_days=7)
    visit = served_visit(world, email="old@example.org")
    assert (
        do_invite("visit", visit, at=visit.ended_at, now=visit.ended_at + timedelta(days=8)) is None
    )
    assert Invitation.objects.count() == 0 and invitation_notices().count() == 0


def test_the_invitation_expires_after_the_service_expiry(world):
    SurveySettings.objects.create(agency=world.agency, service=world.service, expiry_days=3)
    visit = served_visit(world, email="a@example.org")
    run_consumer()
    invitation = Invitation.objects.get()
    assert invitation.expires_at == visit.ended_at + timedelta(days=3)
    assert "3" in invitation_notices().get().body


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_notice_is_worded_in_the_persons_language(world, language):
    served_visit(world, email="a@example.org", language=language)
    run_consumer()
    notice = invitation_notices().get()
    if language == "fr":
        assert notice.subject.startswith("Ville de Lévis\u00a0: votre avis")
        assert "/fr/survey/" in notice.body
    else:
        assert notice.subject.startswith("City of Lévis: your opinion")
        assert "/en/survey/" in notice.body


def test_an_opted_out_person_is_not_sent_the_invitation(world):
    OptOut.record("sms", "+1 418 555 0101", source="STOP")
    served_visit(world, phone="+1 418 555 0101")
    run_consumer()
    notice = invitation_notices().get()
    notice.status, notice.claim_token = Status.SENDING, None
    assert BatchPolicy([notice], timezone.now()).decide(notice).reason == "opted_out"


def test_an_invitation_waits_out_quiet_hours(world, settings):
    local = timezone.now().astimezone(world.office.zone)
    start, end = local - timedelta(hours=1), local + timedelta(hours=1)
    settings.QUIET_HOURS = f"{start:%H:%M}-{end:%H:%M}"
    served_visit(world, phone="+1 418 555 0101")
    run_consumer()
    notice = invitation_notices().get()
    decision = BatchPolicy([notice], timezone.now()).decide(notice)
    assert decision.action == "postpone" and decision.reason == "quiet_hours"
    assert notice.time_zone == "America/Montreal"


def test_the_outbox_hides_the_invitations_secret_link_from_staff(world):
    assert "feedback.invitation" in HIDDEN_BODIES


def test_a_sent_invitation_reaches_the_smtp_server(world, smtp_server):
    served_visit(world, email="a@example.org", language="fr")
    run_consumer()
    notice = invitation_notices().get()
    claimed = next(m for m in claim() if m.id == notice.id)
    assert deliver(claimed, channel_for(claimed.channel)) == Status.SENT
    (mail,) = [m for m in smtp_server.messages if m["To"] == "a@example.org"]
    assert Invitation.objects.get().secret in mail.get_content()
