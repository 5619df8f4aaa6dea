"""The demo agency's requests: teams, routing, a service's questions, and a few requests at
different stages, all made through the actions (so their events and clocks are real)."""

from datetime import timedelta

from django.utils import timezone

from accueil.accounts.models import User
from accueil.cases import actions
from accueil.cases.intake import Intake
from accueil.cases.models import (
    Case,
    CaseField,
    CaseSettings,
    MailAddress,
    Membership,
    RoutingRule,
    Status,
    Team,
)
from accueil.cases.replies import load_replies
from accueil.core.actors import Actor

TEAMS = [
    ("voirie", "Travaux publics", "Public works", ["agent", "agent2", "supervisor"]),
    ("accueil", "Accueil et permis", "Front desk and permits", ["agent2", "agent"]),
]
MAIL_ADDRESSES = [("requetes@ville-demo.example", "fr"), ("requests@ville-demo.example", "en")]
REQUESTS = [
    # service, language, description, name, answers, what happens next
    (
        "voirie",
        "fr",
        "Gros nid-de-poule devant le 14, rue des Érables. Une roue de vélo s’y est prise.",
        "Léa Roy",
        {"genre": "nid-de-poule", "lieu": "14, rue des Érables"},
        "new",
    ),
    (
        "voirie",
        "en",
        "The street light at the corner of Oak and Main has been out for a week.",
        "Sam Patel",
        {"genre": "lampadaire", "lieu": "Oak St and Main St"},
        "replied",
    ),
    (
        "bacs-collecte",
        "fr",
        "Mon bac de compost est fendu, le couvercle ne ferme plus.",
        "Marc Gagnon",
        {"bac": "compost", "casse": True, "lieu": "2500, boulevard de l’Est"},
        "waiting",
    ),
    (
        "taxes-foncieres",
        "en",
        "I sold my house in June. Why did I get the second tax bill?",
        "Jo Smith",
        {},
        "resolved",
    ),
]


def create_case_demo(agency, services, offices) -> None:
    load_replies()
    teams = {}
    for slug, name_fr, name_en, members in TEAMS:
        team, _ = Team.objects.update_or_create(
            agency=agency, slug=slug, defaults={"name_fr": name_fr, "name_en": name_en}
        )
        for username in members:
            Membership.objects.get_or_create(team=team, user=User.objects.get(username=username))
        teams[slug] = team
    RoutingRule.objects.filter(agency=agency).delete()
    RoutingRule.objects.create(
        agency=agency, position=10, service=services["voirie"], team=teams["voirie"]
    )
    RoutingRule.objects.create(
        agency=agency,
        position=20,
        keywords="bac, compost, recyclage, bin, recycling",
        team=teams["voirie"],
    )
    RoutingRule.objects.create(agency=agency, position=90, team=teams["accueil"])
    voirie = services["voirie"]
    CaseSettings.objects.update_or_create(
        service=voirie,
        defaults={"office": offices["hotel-de-ville"], "attachment_kinds": ["jpeg", "png", "pdf"]},
    )
    CaseField.objects.update_or_create(
        service=voirie,
        code="genre",
        defaults={
            "kind": "choice",
            "label_fr": "De quoi s’agit-il ?",
            "label_en": "What is it about?",
            "required": True,
            "position": 1,
            "choices": [
                {"value": "nid-de-poule", "fr": "Un nid-de-poule", "en": "A pothole"},
                {"value": "trottoir", "fr": "Un trottoir abîmé", "en": "A broken sidewalk"},
                {"value": "lampadaire", "fr": "Un lampadaire éteint", "en": "A street light out"},
            ],
        },
    )
    CaseField.objects.update_or_create(
        service=voirie,
        code="lieu",
        defaults={
            "kind": "location",
            "label_fr": "Où est-ce ?",
            "label_en": "Where is it?",
            "help_fr": "Une adresse ou un coin de rue.",
            "help_en": "An address or a street corner.",
            "position": 2,
        },
    )
    # Email in (docs/email.md): `accueil mail-in --recipient requetes@ville-demo.example`.
    for address, language in MAIL_ADDRESSES:
        MailAddress.objects.update_or_create(
            address=address,
            defaults={"agency": agency, "service": voirie, "language": language, "active": True},
        )
    if Case.objects.filter(agency=agency).exists():
        return  # the demo runs again at every `make run`: its requests are made once
    now = timezone.now()
    agent = Actor.staff(User.objects.get(username="supervisor"))  # reaches every office
    for number, (slug, language, text, name, answers, stage) in enumerate(REQUESTS):
        opened = now - timedelta(days=len(REQUESTS) - number, hours=2)
        case = actions.do_open_case(
            Actor.system(),
            service=services[slug],
            channel="web",
            intake=Intake(
                description=text,
                language=language,
                name=name,
                email=f"demo{number}@example.org",
                answers=answers,
            ),
            now=opened,
        )
        if stage == "new":
            continue
        answer = {
            "fr": "Merci. L’équipe a votre demande. Nous vous écrirons bientôt.",
            "en": "Thank you. We sent your request to the team. We will write to you soon.",
        }[language]
        actions.do_reply(agent, case, answer, now=opened + timedelta(hours=3))
        if stage == "waiting":
            actions.do_change_status(agent, case, Status.WAITING, now=opened + timedelta(hours=4))
        if stage == "resolved":
            actions.do_change_status(agent, case, Status.RESOLVED, now=opened + timedelta(hours=5))
