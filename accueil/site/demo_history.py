"""The demo agency's past: weeks of visits, requests and survey answers before today.

Every chart needs history to show something, and history is what a real office would have
left: so it is written the way a real office writes it, through the actions, with ``now=`` in
the past. Visits come from the office simulator (queues/simulate.py) following each office's
own opening hours — walk-ins with morning and lunch peaks, appointments (some missed),
no-shows, people who give up, transfers — with the wait predicted at check-in, so the
published accuracy of predictions has something to measure. After each day, the people served
are invited to the survey as the ``feedback.invitations`` consumer would have invited them that
evening, and about a third answer (mostly pleased, some not, a few comments). Requests arrive
by web, app, phone, email and at the counter, are answered, some wait for the citizen, most
are resolved on time, some late, a few reopened; the most recent ones are still open.

A seeded generator makes it the same every time. It is written once: a day whose visits
exist is skipped, and the requests are written together or not at all, so running the demo
again (``make run`` does at every start) adds nothing. History requests carry no contact:
nothing is sent to anyone, and requests are therefore not surveyed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from time import monotonic, sleep

from django.db import transaction
from django.utils import timezone, translation

from accueil.accounts.models import User
from accueil.cases import actions as case_actions
from accueil.cases.intake import Intake
from accueil.cases.models import Case, Status
from accueil.catalog.models import Agency, Measure, Office, ThresholdUnit
from accueil.core.actors import Actor
from accueil.core.consumers import behind, consumers, feed
from accueil.core.models import ConsumerCursor, Event
from accueil.feedback.actions import do_answer
from accueil.feedback.background import invite
from accueil.feedback.models import Invitation, QuestionKind
from accueil.queues.models import Visit
from accueil.queues.simulate import Mix, Outcome, simulate_day
from accueil.queues.sweep import mark_missed_appointments
from accueil.queues.waits import forget_profiles

SEED = 2026
DAYS = 28  # calendar days, ending yesterday: four weeks
# Mean arrivals on a full day; the East centre has two desks and a lunch closure.
# Mean service minutes by ticket prefix: building permits take longest.
MINUTES = {"P": 16, "L": 6, "T": 9, "S": 5, "A": 10, "R": 8}
# One walk-in in ten would leave if still waiting 5 to 25 minutes later (few wait that long).
MIXES = {
    "hotel-de-ville": Mix(visits=50, desks=2, minutes=MINUTES, cancel=0.1),
    "centre-est": Mix(visits=30, desks=1, minutes=MINUTES, cancel=0.1),
}
# Who sits at each desk (desk label → username): the demo's agents and their colleagues.
DESK_AGENTS = {
    "hotel-de-ville": {"1": "agent", "2": "demo-camille"},
    "centre-est": {"1": "agent2"},
}
REQUESTS_A_DAY = 7
ANSWERED = 0.35  # of people invited to a survey
PLEASED = 0.82
CHANNELS = [("web", 35), ("app", 12), ("phone", 20), ("email", 15), ("in_person", 18)]

# service slug → (French, English) descriptions a citizen might write.
WORDS = {
    "voirie": [
        ("Nid-de-poule profond devant l’école, rue des Pins.", "Deep pothole by the school."),
        ("Le lampadaire du parc est éteint depuis lundi.", "The park’s street light is out."),
        ("Trottoir soulevé au coin de la rue Laval.", "Broken sidewalk at Laval Street."),
    ],
    "bacs-collecte": [
        ("Mon bac de recyclage a été oublié jeudi.", "My recycling bin was missed Thursday."),
        ("Le couvercle du bac brun est cassé.", "The lid of the brown bin is broken."),
    ],
    "permis-construction": [
        ("Faut-il un permis pour une terrasse ?", "Do I need a permit for a deck?"),
        ("Où en est ma demande de permis de garage ?", "Where is my garage permit?"),
    ],
    "taxes-foncieres": [
        ("Je n’ai pas reçu mon compte de taxes.", "I did not get my tax bill."),
        ("Puis-je payer en plusieurs versements ?", "Can I pay in instalments?"),
    ],
    "licence-animaux": [("Je veux renouveler la licence de mon chien.", "Renew my dog’s licence.")],
    "vignettes-stationnement": [
        ("Ma vignette expire ce mois-ci.", "My parking permit expires this month."),
    ],
    "inscription-loisirs": [
        ("Reste-t-il des places au cours de natation ?", "Any room left in swimming lessons?"),
    ],
}
ANSWERS = {
    "voirie": {"genre": "nid-de-poule", "lieu": "Rue des Pins"},
    "bacs-collecte": {"bac": "recyclage", "lieu": "2500, boulevard de l’Est"},
}
REPLY = {
    "fr": "Bonjour, merci pour votre demande. Nous nous en occupons.",
    "en": "Hello, thank you for your request. We are working on it.",
}
ASK = {
    "fr": "Pouvez-vous nous envoyer une photo ou l’adresse exacte ?",
    "en": "Could you send us a photo or the exact address?",
}
CITIZEN = {"fr": "Voici l’adresse exacte : 42, rue des Pins.", "en": "It is at 42 Pine Street."}
AGAIN = {"fr": "Le problème est revenu.", "en": "The problem is back."}
COMMENTS = {
    True: {
        "fr": ["Accueil très aimable, merci !", "Rapide et clair.", "Service impeccable."],
        "en": ["Very friendly staff, thank you!", "Quick and clear.", "Great service."],
    },
    False: {
        "fr": ["L’attente était trop longue.", "On m’a renvoyé d’un guichet à l’autre."],
        "en": ["The wait was too long.", "I was sent from one desk to another."],
    },
}


@dataclass
class Summary:
    days: int = 0
    visits: int = 0
    served: int = 0
    invitations: int = 0
    responses: int = 0
    requests: int = 0

    def __str__(self) -> str:
        return (
            f"{self.days} office days, {self.visits} visits ({self.served} served), "
            f"{self.invitations} survey invitations, {self.responses} answers, "
            f"{self.requests} requests"
        )


def write_history(
    agency: Agency,
    days: int = DAYS,
    scale: float = 1.0,
    progress: Callable[[str], None] | None = None,
) -> Summary:
    """Write ``days`` calendar days of history ending yesterday (each office's local day);
    ``scale`` multiplies the volumes (tests use less). Feeds the event consumers at the end,
    so rollups and survey invitations exist before the server starts."""
    summary = Summary()
    forget_profiles()
    for office in agency.offices.filter(active=True).order_by("slug"):
        if office.slug not in MIXES:
            continue
        yesterday = timezone.now().astimezone(office.zone).date() - timedelta(days=1)
        mix = MIXES[office.slug]
        mix = Mix(**{**mix.__dict__, "visits": mix.visits * scale})
        agents = desk_agents(office)
        for offset in range(days, 0, -1):
            day = yesterday - timedelta(days=offset - 1)
            if Visit.objects.filter(office=office, day=day).exists():
                continue  # written by an earlier run
            rng = random.Random(f"{SEED}:{office.slug}:{day.isoformat()}")
            evening = partial(survey_day, office, rng=rng, summary=summary)
            result = simulate_day(office, day, rng, agents, mix, after=evening)
            if result.visits:
                summary.days += 1
                summary.visits += result.visits
                summary.served += result.served
                if progress:
                    progress(f"{office.name_fr} {day.isoformat()}: {result.visits} visits")
    summary.requests = write_requests(agency, days, scale)
    if progress:
        progress(f"{summary.requests} requests")
    catch_up(progress)
    return summary


def desk_agents(office: Office) -> dict:
    """Desk label → the agent who served there (the demo's staff and colleagues)."""
    wanted = DESK_AGENTS.get(office.slug, {})
    users = User.objects.in_bulk(wanted.values(), field_name="username")
    return {
        desk.label: users[wanted[desk.label]]
        for desk in office.desks.filter(active=True)
        if wanted.get(desk.label) in users
    }


def _local_day(office: Office, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=office.zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=office.zone)


# -- surveys --------------------------------------------------------------------------------


def survey_day(
    office: Office, day: date, _outcome: Outcome, *, rng: random.Random, summary: Summary
) -> None:
    """That evening, as the worker would have: appointments nobody came to are marked missed,
    and the people served are invited to the survey; some answer within hours."""
    start, end = _local_day(office, day)
    mark_missed_appointments(end)
    completed = list(
        Event.objects.filter(
            verb="visit.completed", office=office, created_at__gte=start, created_at__lt=end
        ).order_by("created_at")
    )
    invite(completed, now=end)
    invitations = Invitation.objects.filter(
        office=office, created_at__gte=start, created_at__lt=end, responded_at__isnull=True
    ).select_related("survey")
    for invitation in invitations.order_by("created_at", "id"):
        summary.invitations += 1
        if rng.random() >= ANSWERED:
            continue
        later = invitation.created_at + timedelta(minutes=rng.uniform(2, 600))
        answered_at = min(later, timezone.now())  # never in the future (a demo made at 1 a.m.)
        with translation.override(invitation.language):
            do_answer(invitation, answers(invitation, rng), final=True, now=answered_at)
        summary.responses += 1


def answers(invitation: Invitation, rng: random.Random) -> dict:
    """One person's answers to the invitation's survey: mostly pleased, some not."""
    pleased = rng.random() < PLEASED
    values: dict = {}
    for question in invitation.survey.questions.all():
        if question.kind == QuestionKind.TRUST_THUMBS:
            values[question.code] = "1" if pleased or rng.random() < 0.3 else "0"
        elif question.kind == QuestionKind.SCALE5:
            high = rng.choice("4555") if pleased else rng.choice("1223")
            values[question.code] = high
        elif question.kind == QuestionKind.CHOICES:
            wanted = question.code == ("went_well" if pleased else "went_badly")
            codes = [code for code, _label in question.choice_list()]
            if wanted and codes:
                values[question.code] = rng.sample(codes, rng.randint(1, min(3, len(codes))))
        elif question.kind == QuestionKind.COMMENT and rng.random() < 0.15:
            language = invitation.language if invitation.language in ("fr", "en") else "fr"
            values[question.code] = rng.choice(COMMENTS[pleased][language])
    return values


# -- requests -------------------------------------------------------------------------------


def write_requests(agency: Agency, days: int, scale: float) -> int:
    """The requests of the past ``days`` and what became of them, all at once (or none)."""
    now = timezone.now()
    if Case.objects.filter(agency=agency, opened_at__lt=now - timedelta(days=5)).exists():
        return 0  # written by an earlier run (the demo's own few requests are more recent)
    rng = random.Random(f"{SEED}:requests")
    services = [s for s in agency.services.filter(active=True).order_by("slug") if s.slug in WORDS]
    staff = {
        user.username: Actor.staff(user)
        for user in User.objects.filter(agency=agency, is_active=True, username__in=STAFF_NAMES)
    }
    zone = agency.offices.order_by("slug").first().zone  # type: ignore[union-attr]
    today = now.astimezone(zone).date()
    horizon = datetime.combine(today, time(0), tzinfo=zone)  # nothing happens after yesterday
    written = 0
    with transaction.atomic():
        for offset in range(days, 0, -1):
            day = today - timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            for _n in range(max(0, round(rng.gauss(REQUESTS_A_DAY, 2) * scale))):
                write_request(rng, services, staff, day, zone, horizon)
                written += 1
    return written


STAFF_NAMES = ("agent", "agent2", "supervisor")


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _w in weighted], weights=[w for _k, w in weighted])[0]


def write_request(rng, services, staff: dict, day: date, zone, horizon: datetime) -> None:
    channel = _pick(rng, CHANNELS)
    offered = [s for s in services if channel in s.channels] or [
        s for s in services if "web" in s.channels
    ]
    if channel not in {c for s in offered for c in s.channels}:
        channel = "web"
    service = rng.choice(offered)
    language = "fr" if rng.random() < 0.7 else "en"
    fr, en = rng.choice(WORDS[service.slug])
    office = case_actions.settings_for(service).office
    # Online at any reasonable hour; a call or a visit during office hours.
    hour = rng.uniform(7, 22) if channel in ("web", "app", "email") else rng.uniform(9, 16)
    opened = datetime.combine(day, time(0), tzinfo=zone) + timedelta(hours=hour)
    recorder = _staff_for(staff, office.slug)
    case = case_actions.do_open_case(
        Actor.public() if channel in ("web", "app") else recorder,
        service=service,
        channel=channel,
        intake=Intake(
            description=fr if language == "fr" else en,
            language=language,
            name=rng.choice(NAMES),
            answers=dict(ANSWERS.get(service.slug, {})),
        ),
        now=opened,
    )
    agent = Actor.staff(case.assignee) if case.assignee_id else recorder
    calendar = office.cached_calendar()

    def after(start: datetime, business_hours: float) -> datetime:
        return calendar.add(start, timedelta(hours=max(business_hours, 0.05)))

    # The first answer: a few business hours, sometimes more than a day.
    replied = after(opened, rng.lognormvariate(math.log(3), 0.9))
    if replied >= horizon:
        return  # still new
    case_actions.do_reply(agent, case, REPLY[language], now=replied)
    fate = rng.random()
    if fate < 0.2:  # settled at first contact
        resolved = replied + timedelta(minutes=rng.uniform(2, 30))
    else:
        moment = replied
        if fate < 0.45:  # more is needed from the citizen: the clock pauses
            asked = replied + timedelta(minutes=5)
            case_actions.do_reply(agent, case, ASK[language], now=asked)
            case_actions.do_change_status(agent, case, Status.WAITING, now=asked)
            answered = asked + timedelta(hours=rng.uniform(4, 96))
            if rng.random() < 0.25 or answered >= horizon:
                return  # still waiting for the citizen
            case_actions.do_citizen_reply(
                Actor.system(), case, CITIZEN[language], now=answered, channel="email"
            )
            moment = answered
        # Resolved against its standard: mostly within, some late.
        days = _resolution_days(service)
        resolved = after(moment, 8 * days * rng.lognormvariate(math.log(0.45), 0.6))
    if resolved >= horizon:
        return  # still being worked on
    case_actions.do_change_status(agent, case, Status.RESOLVED, now=resolved)
    if rng.random() < 0.07:  # the citizen writes back: it reopens, then is resolved again
        again = resolved + timedelta(hours=rng.uniform(6, 48))
        if again < horizon:
            case_actions.do_citizen_reply(
                Actor.system(), case, AGAIN[language], now=again, channel="email"
            )
            settled = after(again, rng.uniform(2, 12))
            if settled < horizon:
                case_actions.do_change_status(agent, case, Status.RESOLVED, now=settled)


def _staff_for(staff: dict, office_slug: str) -> Actor:
    name = {"hotel-de-ville": "agent", "centre-est": "agent2"}.get(office_slug, "supervisor")
    return staff.get(name) or staff["supervisor"]


def _resolution_days(service) -> float:
    for standard in service.standards.all():
        if standard.measure == Measure.RESOLUTION and standard.unit == ThresholdUnit.BUSINESS_DAYS:
            return float(standard.threshold)
    return 5.0


NAMES = ["Léa Roy", "Sam Patel", "Marc Gagnon", "Jo Smith", "Nadia Haddad", "Luc Côté"]


# -- consumers ------------------------------------------------------------------------------


def catch_up(progress: Callable[[str], None] | None = None, patience: float = 30) -> int:
    """Feed every event consumer until none is behind: the rollups and the invitations exist
    before the server starts, as if its worker had been running all along.

    On PostgreSQL a consumer reads only events older than every transaction still running on
    the server (core/consumers.py): one held open elsewhere holds it back a moment, so this
    waits for it (up to ``patience`` seconds; the worker reads the rest later). A consumer
    whose handler failed is left to the worker's retries."""
    read = 0
    for consumer in consumers:
        deadline = monotonic() + patience
        while True:
            done = feed(consumer)
            read += done
            if done:
                continue
            failed = ConsumerCursor.objects.filter(name=consumer.name).exclude(last_error="")
            if not behind(consumer) or failed.exists() or monotonic() > deadline:
                break
            sleep(0.2)
    if progress:
        progress(f"{read} events read by the consumers")
    return read
