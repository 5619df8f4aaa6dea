"""Data for recognition's tests, made through the real actions: a visit served by an agent, a
request resolved by its assignee, their survey invitations and answers."""

from accueil.core.actors import Actor
from accueil.feedback.actions import do_answer, do_invite
from accueil.queues.actions import do_call_next, do_check_in, do_complete, do_open_desk
from tests.factories import TEST_PASSWORD


def sign_in(client, user):
    client.post("/fr/login/", {"username": user.username, "password": TEST_PASSWORD})


def served_visit(personas, agent):
    """A visit checked in, called and completed by ``agent`` at the persona's desk."""
    do_check_in(personas.office, personas.service)
    staff = Actor.staff(agent)
    do_open_desk(personas.desk, agent, [personas.service], actor=staff)
    visit = do_call_next(personas.desk, actor=staff)
    return do_complete(visit, actor=staff)


def visit_invitation(personas, agent):
    """The survey invitation of a visit ``agent`` served (what the consumer makes)."""
    visit = served_visit(personas, agent)
    invitation = do_invite("visit", visit, agent_id=visit.agent_id)
    assert invitation is not None and invitation.agent_id == agent.pk
    return invitation


def case_invitation(personas, assignee):
    """The survey invitation of a request resolved while ``assignee`` held it."""
    from tests.test_authorization import _case_for

    case = _case_for(personas.service, personas.office, assignee, "Un trottoir à réparer")
    invitation = do_invite("case", case, agent_id=case.assignee_id)
    assert invitation is not None
    return invitation


def answer(invitation, trust: int):
    """Answer the A-11 form's required trust question (thumbs: 1 up, 0 down), then finish."""
    question = invitation.survey.questions.order_by("position").first()
    return do_answer(invitation, {question.code: str(trust)}, final=True)
