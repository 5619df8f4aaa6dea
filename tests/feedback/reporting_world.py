"""A small agency with a month of surveys, built through the real actions, for the reporting
tests. Every figure the tests expect is worked out by hand in ``EXPECTED_NOVEMBER`` below.

November 2026, reporting zone America/Toronto (the project's TIME_ZONE):

- Permis at Est, in person: 4 visits served, 4 invited (no contact: QR at the desk), 3 answered
  — thumbs up (ticked ease, efficiency, with a comment), thumbs up (ease; served on
  30 November and answered on 2 December: it counts for November, when the person was asked),
  thumbs down (did not go well: efficiency, humanity).
- Permis at Est, online: 2 requests resolved, 2 invited by email, 2 answered — thumbs up
  (effectiveness, helpfulness) and thumbs up (nothing ticked).
- Permis at Ouest, in person: 2 visits served, 2 invited, 1 answered — thumbs down (efficiency).
- Taxes at Est, in person: 3 visits served, nobody invited (sampling rate 0 %).
- Parcs at Ouest, in person: 3 visits served, 3 invited to the 7-driver form, 3 answered —
  satisfaction 5, 4 and 2; trust 3 on the first only.
- Outside November: a Permis visit at Est ended on 31 October at 23:30 in Toronto (already
  1 November in UTC), invited the same minute, never answered.
- Another agency: one visit, invited and answered — never in this agency's figures.
"""

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.utils import translation

from accueil.cases.actions import do_change_status, do_open_case
from accueil.cases.intake import Intake
from accueil.cases.models import CaseSettings
from accueil.core.actors import PUBLIC, Actor
from accueil.feedback.actions import do_answer, do_ensure_standard_surveys, do_invite
from accueil.feedback.models import Response, ResponseTheme, Subject, SurveySettings
from accueil.feedback.reporting_actions import do_install_default_themes
from accueil.notify.templates_text import load_files
from accueil.queues.actions import do_call_next, do_check_in, do_complete, do_open_desk
from tests.factories import AgencyFactory, DeskFactory, OfficeFactory, ServiceFactory, UserFactory

TORONTO = ZoneInfo("America/Toronto")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=TORONTO)


NOV = local(2026, 11, 10, 10, 0)

# (service, office, channel) → served, offered, respondents, {question code: {answer: count}}
EXPECTED_NOVEMBER_A11 = {
    ("Permis", "Est", "in_person"): (
        4, 4, 3,
        {"trust": {"1": 2, "0": 1}, "went_well": {"ease": 2, "efficiency": 1},
         "went_badly": {"efficiency": 1, "humanity": 1}},
    ),
    ("Permis", "Est", "web"): (
        2, 2, 2,
        {"trust": {"1": 2}, "went_well": {"effectiveness": 1, "helpfulness": 1}, "went_badly": {}},
    ),
    ("Permis", "Ouest", "in_person"): (
        2, 2, 1, {"trust": {"0": 1}, "went_well": {}, "went_badly": {"efficiency": 1}},
    ),
    ("Taxes", "Est", "in_person"): (3, 0, 0, {"trust": {}, "went_well": {}, "went_badly": {}}),
    ("Parcs", "Ouest", "in_person"): (3, 0, 0, {"trust": {}, "went_well": {}, "went_badly": {}}),
}  # fmt: skip


def make_world():
    load_files()
    agency = AgencyFactory(name_fr="Ville de Lévis", name_en="City of Lévis")
    est = OfficeFactory(agency=agency, name_fr="Est", name_en="Est", time_zone="America/Toronto")
    ouest = OfficeFactory(
        agency=agency, name_fr="Ouest", name_en="Ouest", time_zone="America/Toronto"
    )
    permis = ServiceFactory(
        agency=agency,
        offices=[est, ouest],
        channels=["web", "in_person"],
        name_fr="Permis",
        name_en="Permis",
    )
    taxes = ServiceFactory(agency=agency, offices=[est], name_fr="Taxes", name_en="Taxes")
    parcs = ServiceFactory(agency=agency, offices=[ouest], name_fr="Parcs", name_en="Parcs")
    CaseSettings.objects.create(service=permis, office=est)
    desk_est = DeskFactory(office=est, label="1")
    desk_est.services.set([permis, taxes])
    desk_ouest = DeskFactory(office=ouest, label="2")
    desk_ouest.services.set([permis, parcs])
    agent = UserFactory(agency=agency, username="ana", offices=[est, ouest])
    surveys = do_ensure_standard_surveys(agency)
    SurveySettings.objects.create(agency=agency, service=taxes, sampling_rate=0)
    SurveySettings.objects.create(agency=agency, service=parcs, survey=surveys["drivers"])
    do_open_desk(desk_est, agent, [], now=local(2026, 10, 31, 8, 0))
    agent_ouest = UserFactory(agency=agency, username="noe", offices=[ouest])
    do_open_desk(desk_ouest, agent_ouest, [], now=local(2026, 10, 31, 8, 0))
    world = SimpleNamespace(
        agency=agency,
        est=est,
        ouest=ouest,
        permis=permis,
        taxes=taxes,
        parcs=parcs,
        desks={est.pk: desk_est, ouest.pk: desk_ouest},
        agent=agent,
        agents={est.pk: agent, ouest.pk: agent_ouest},
        a11=surveys["a11"],
        drivers=surveys["drivers"],
        supervisor=UserFactory(agency=agency, username="sup", role="supervisor"),
        supervisor_est=UserFactory(
            agency=agency, username="sup-est", role="supervisor", offices=[est]
        ),
        colleague=UserFactory(agency=agency, username="bo", offices=[est]),
        admin=UserFactory(agency=agency, username="boss", role="admin"),
    )
    build_november(world)
    world.stranger = build_other_agency()
    return world


def make_themed_world():
    """The world with the agency's default comment themes installed."""
    world = make_world()
    do_install_default_themes(world.agency)
    return world


def comment(text):
    return Response.objects.get(comment__contains=text)


def themes_of(response):
    return sorted(
        ResponseTheme.objects.filter(response=response).values_list("theme__code", flat=True)
    )


def serve(world, office, service, at, **details):
    """A visit checked in, called and completed at ``at``; its invitation, made the same
    minute (the consumer would make it when it reads the event)."""
    visit = do_check_in(office, service, now=at, **details)
    called = do_call_next(world.desks[office.pk], now=at)
    assert called is not None and called.id == visit.id
    visit = do_complete(called, now=at)
    agent = world.agents[office.pk]
    invitation = do_invite(Subject.VISIT, visit, agent_id=agent.pk, at=at, now=at)
    return visit, invitation


def resolve(world, email, at):
    intake = Intake(description="Une question sur mon permis.", language="fr", email=email)
    case = do_open_case(PUBLIC, service=world.permis, channel="web", intake=intake, now=at)
    case = do_change_status(Actor.staff(world.agent), case, "resolved", now=at)
    return case, do_invite(Subject.CASE, case, agent_id=world.agent.pk, at=at, now=at)


def answer(invitation, at, language="fr", **values):
    """The citizen's answers, on the survey page in ``language`` (the response keeps it)."""
    with translation.override(language):
        return do_answer(invitation, values, final=True, now=at)


def build_november(world):
    est, ouest, permis = world.est, world.ouest, world.permis
    # Permis, Est, in person: 4 served and invited, 3 answered.
    times = [NOV, local(2026, 11, 30, 16, 0), NOV, NOV]
    invitations = [serve(world, est, permis, at)[1] for at in times]
    answer(
        invitations[0],
        NOV,
        trust="1",
        went_well=["ease", "efficiency"],
        comment="Accueil chaleureux, mais j'ai attendu 40 minutes. Appelez-moi au 418 555 0199.",
    )
    answer(invitations[1], local(2026, 12, 2, 9, 0), trust="1", went_well=["ease"])
    answer(invitations[2], NOV, trust="0", went_badly=["efficiency", "humanity"])
    # Permis, Est, online: 2 requests resolved, both answered.
    _case, first = resolve(world, "lea@example.org", NOV)
    _case, second = resolve(world, "max@example.org", NOV)
    answer(first, NOV, trust="1", went_well=["effectiveness", "helpfulness"])
    answer(second, NOV, trust="1")
    # Permis, Ouest, in person: 2 served, 1 answered.
    ouest_invitations = [serve(world, ouest, permis, NOV)[1] for _ in range(2)]
    answer(
        ouest_invitations[0],
        NOV,
        trust="0",
        went_badly=["efficiency"],
        comment='=HYPERLINK("https://evil.example","clic") trop long, personnel impoli',
    )
    # Taxes, Est: 3 served, sampling 0 %: nobody invited.
    for _ in range(3):
        assert serve(world, est, world.taxes, NOV)[1] is None
    # Parcs, Ouest, the 7-driver form: 3 served, 3 answered.
    parcs = [serve(world, ouest, world.parcs, NOV)[1] for _ in range(3)]
    answer(
        parcs[0],
        NOV,
        language="en",
        satisfaction="5",
        trust="3",
        comment="Very friendly staff, thank you!",
    )
    answer(parcs[1], NOV, satisfaction="4")
    answer(parcs[2], NOV, satisfaction="2")
    # 31 October, 23:30 in Toronto: October, though it is already November in UTC.
    serve(world, est, permis, local(2026, 10, 31, 23, 30))


def build_other_agency():
    agency = AgencyFactory()
    office = OfficeFactory(agency=agency)
    service = ServiceFactory(agency=agency, offices=[office], name_fr="Permis", name_en="Permis")
    desk = DeskFactory(office=office, label="9")
    desk.services.set([service])
    agent = UserFactory(agency=agency, username="stranger", offices=[office])
    do_open_desk(desk, agent, [], now=NOV)
    visit = do_check_in(office, service, now=NOV)
    visit = do_complete(do_call_next(desk, now=NOV), now=NOV)
    invitation = do_invite(Subject.VISIT, visit, agent_id=agent.pk, at=NOV, now=NOV)
    answer(invitation, NOV, trust="0", comment="Rien à signaler")
    return SimpleNamespace(
        agency=agency,
        office=office,
        supervisor=UserFactory(agency=agency, username="stranger-sup", role="supervisor"),
    )
