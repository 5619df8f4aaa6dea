"""The bilingual demo agency "Ville de Démo / Demo City". Safe to run again: it updates in place."""

from datetime import date

from django.db import transaction

from accueil.accounts.models import Role, User
from accueil.cases.demo import create_case_demo
from accueil.cases.models import CaseField
from accueil.catalog.models import (
    Agency,
    Category,
    Desk,
    Holiday,
    Office,
    Service,
    ServiceStandard,
)
from accueil.feedback.demo import create_feedback_demo
from accueil.feedback.recognition_demo import create_recognition_demo
from accueil.lib.businesstime import parse_weekly
from accueil.notify.templates_text import load_files

DEMO_PASSWORD = "accueil-demo-2026"  # noqa: S105 - printed on purpose; refused in production

OFFICES = [
    {
        "slug": "hotel-de-ville",
        "name_fr": "Hôtel de ville",
        "name_en": "City Hall",
        "address": "100, rue Principale, Démoville (Ontario)  K1A 0A1",
        "hours": "mon-wed 08:30-16:30; thu 08:30-19:00; fri 08:30-16:30",
        "desks": ["1", "2", "3", "4"],
    },
    {
        "slug": "centre-est",
        "name_fr": "Centre de services Est",
        "name_en": "East Service Centre",
        "address": "2500, boulevard de l’Est, Démoville (Ontario)  K1B 2B2",
        "hours": "mon-fri 09:00-12:00,13:00-17:00; sat 09:00-12:00",
        "desks": ["1", "2"],
    },
]

CATEGORIES = [
    ("permis", "Permis et licences", "Permits and licences"),
    ("taxes", "Taxes et paiements", "Taxes and payments"),
    ("environnement", "Environnement et collectes", "Environment and collection"),
    ("citoyens", "Services aux citoyens", "Citizen services"),
]

# slug, category, prefix, names, description, bring, eligibility, fees, duration, channels,
# offices, standards (measure, threshold, unit, target)
SERVICES = [
    {
        "slug": "permis-construction",
        "category": "permis",
        "ticket_prefix": "P",
        "name_fr": "Permis de construction et de rénovation",
        "name_en": "Building and renovation permits",
        "description_fr": "Demandez un permis avant de construire, d’agrandir ou de rénover.",
        "description_en": "Apply for a permit before you build, extend or renovate.",
        "what_to_bring_fr": "Plans des travaux, certificat de localisation, pièce d’identité.",
        "what_to_bring_en": "Plans of the work, location certificate, photo ID.",
        "eligibility_fr": "Propriétaires et entrepreneurs mandatés.",
        "eligibility_en": "Owners and the contractors they authorise.",
        "fees_fr": "À partir de 75 $, selon la valeur des travaux.",
        "fees_en": "From $75, depending on the value of the work.",
        "duration_fr": "Décision en 10 jours ouvrables en général.",
        "duration_en": "Decision usually within 10 business days.",
        "channels": ["in_person", "web", "email"],
        "offices": ["hotel-de-ville"],
        "standards": [("wait", 15, "minutes", 80), ("resolution", 10, "business_days", 90)],
    },
    {
        "slug": "licence-animaux",
        "category": "permis",
        "ticket_prefix": "L",
        "name_fr": "Licence pour chien ou chat",
        "name_en": "Dog and cat licences",
        "description_fr": "Obtenez ou renouvelez la licence annuelle de votre animal.",
        "description_en": "Get or renew your pet’s yearly licence.",
        "what_to_bring_fr": "Preuve de vaccination contre la rage.",
        "what_to_bring_en": "Proof of rabies vaccination.",
        "eligibility_fr": "Résidents de Démoville.",
        "eligibility_en": "Residents of Demo City.",
        "fees_fr": "25 $ par an ; 10 $ si l’animal est stérilisé.",
        "fees_en": "$25 a year; $10 if the animal is spayed or neutered.",
        "duration_fr": "Sur place, en 10 minutes.",
        "duration_en": "On the spot, in 10 minutes.",
        "channels": ["in_person", "web"],
        "offices": ["hotel-de-ville", "centre-est"],
        "standards": [("wait", 10, "minutes", 80)],
    },
    {
        "slug": "taxes-foncieres",
        "category": "taxes",
        "ticket_prefix": "T",
        "name_fr": "Taxes foncières : paiements et questions",
        "name_en": "Property tax payments and questions",
        "description_fr": "Payez votre compte de taxes ou posez une question sur votre évaluation.",
        "description_en": "Pay your tax bill or ask about your assessment.",
        "what_to_bring_fr": "Votre compte de taxes ou son numéro de matricule.",
        "what_to_bring_en": "Your tax bill or its roll number.",
        "eligibility_fr": "Propriétaires et leurs représentants.",
        "eligibility_en": "Owners and their representatives.",
        "fees_fr": "Aucuns frais.",
        "fees_en": "No fee.",
        "duration_fr": "Réponse écrite en 2 jours ouvrables.",
        "duration_en": "Written answer within 2 business days.",
        "channels": ["in_person", "web", "phone", "email", "mail"],
        "offices": ["hotel-de-ville", "centre-est"],
        "standards": [("wait", 10, "minutes", 80), ("response", 2, "business_days", 90)],
    },
    {
        "slug": "vignettes-stationnement",
        "category": "permis",
        "ticket_prefix": "S",
        "name_fr": "Vignettes de stationnement résidentiel",
        "name_en": "Residential parking permits",
        "description_fr": "Stationnez dans votre rue pendant les heures réglementées.",
        "description_en": "Park on your street during restricted hours.",
        "what_to_bring_fr": "Certificat d’immatriculation et preuve d’adresse.",
        "what_to_bring_en": "Vehicle registration and proof of address.",
        "eligibility_fr": "Résidents des zones de stationnement réglementé.",
        "eligibility_en": "Residents of restricted parking zones.",
        "fees_fr": "60 $ par an.",
        "fees_en": "$60 a year.",
        "duration_fr": "Sur place.",
        "duration_en": "On the spot.",
        "channels": ["in_person", "web"],
        "offices": ["hotel-de-ville", "centre-est"],
        "standards": [("wait", 15, "minutes", 80)],
    },
    {
        "slug": "bacs-collecte",
        "category": "environnement",
        "ticket_prefix": "C",
        "name_fr": "Bacs de recyclage et de compost",
        "name_en": "Recycling and compost bins",
        "description_fr": "Commandez, réparez ou remplacez un bac de collecte.",
        "description_en": "Order, repair or replace a collection bin.",
        "what_to_bring_fr": "Votre adresse.",
        "what_to_bring_en": "Your address.",
        "eligibility_fr": "Toutes les adresses desservies par la collecte municipale.",
        "eligibility_en": "Every address served by municipal collection.",
        "fees_fr": "Gratuit.",
        "fees_en": "Free.",
        "duration_fr": "Livraison en 5 jours ouvrables.",
        "duration_en": "Delivered within 5 business days.",
        "channels": ["web", "phone", "app"],
        "offices": ["centre-est"],
        "standards": [("resolution", 5, "business_days", 90)],
    },
    {
        "slug": "voirie",
        "category": "environnement",
        "ticket_prefix": "V",
        "name_fr": "Nids-de-poule et trottoirs",
        "name_en": "Potholes and sidewalks",
        "description_fr": "Signalez un nid-de-poule, un trottoir abîmé ou un lampadaire éteint.",
        "description_en": "Report a pothole, a broken sidewalk or a street light that is out.",
        "what_to_bring_fr": "L’adresse, et une photo si vous le pouvez.",
        "what_to_bring_en": "The address, and a photo if you can.",
        "eligibility_fr": "Tout le monde.",
        "eligibility_en": "Anyone.",
        "fees_fr": "Gratuit.",
        "fees_en": "Free.",
        "duration_fr": "Réponse en 1 jour ouvrable, réparation en 10 jours ouvrables.",
        "duration_en": "An answer within 1 business day, repaired within 10 business days.",
        "channels": ["web", "phone", "app"],
        "offices": ["hotel-de-ville"],
        "standards": [
            ("response", 1, "business_days", 90),
            ("resolution", 10, "business_days", 80),
        ],
    },
    {
        "slug": "assermentation",
        "category": "citoyens",
        "ticket_prefix": "A",
        "name_fr": "Assermentation et copies certifiées",
        "name_en": "Commissioner of oaths and certified copies",
        "description_fr": "Faites assermenter une déclaration ou certifier la copie d’un document.",
        "description_en": "Have a statement sworn or a copy of a document certified.",
        "what_to_bring_fr": "Le document original et une pièce d’identité avec photo.",
        "what_to_bring_en": "The original document and photo ID.",
        "eligibility_fr": "Tout le monde.",
        "eligibility_en": "Anyone.",
        "fees_fr": "15 $ par document.",
        "fees_en": "$15 per document.",
        "duration_fr": "Sur place, en 15 minutes.",
        "duration_en": "On the spot, in 15 minutes.",
        "channels": ["in_person"],
        "offices": ["hotel-de-ville", "centre-est"],
        "standards": [("wait", 20, "minutes", 80)],
    },
    {
        "slug": "inscription-loisirs",
        "category": "citoyens",
        "ticket_prefix": "R",
        "name_fr": "Inscriptions aux activités de loisirs",
        "name_en": "Recreation program registration",
        "description_fr": "Inscrivez-vous aux cours, camps de jour et activités sportives.",
        "description_en": "Register for classes, day camps and sports.",
        "what_to_bring_fr": "Carte citoyenne ou preuve de résidence.",
        "what_to_bring_en": "Resident card or proof of address.",
        "eligibility_fr": "Priorité aux résidents.",
        "eligibility_en": "Residents first.",
        "fees_fr": "Selon l’activité.",
        "fees_en": "Depends on the activity.",
        "duration_fr": "Confirmation immédiate.",
        "duration_en": "Confirmed at once.",
        "channels": ["in_person", "web", "phone"],
        "offices": ["centre-est"],
        "standards": [("wait", 10, "minutes", 80), ("response", 1, "business_days", 90)],
    },
]

# The questions of the demo's request form for bins (code, kind, French, English, required,
# choices): one of most kinds, so the public form shows what a service can ask.
BIN_QUESTIONS = [
    (
        "bac",
        "choice",
        "Quel bac\u00a0?",
        "Which bin?",
        True,
        [
            {"value": "recyclage", "fr": "Recyclage (bleu)", "en": "Recycling (blue)"},
            {"value": "compost", "fr": "Compost (brun)", "en": "Compost (brown)"},
            {"value": "ordures", "fr": "Ordures (noir)", "en": "Garbage (black)"},
        ],
    ),
    ("casse", "yes_no", "Le bac est-il brisé\u00a0?", "Is the bin broken?", False, []),
    ("lieu", "location", "Adresse de collecte", "Collection address", True, []),
    ("depuis", "date", "Depuis quand\u00a0?", "Since when?", False, []),
    ("photo", "file", "Photo du bac", "Photo of the bin", False, []),
]

HOLIDAYS = [
    (date(2026, 1, 1), "Jour de l’An", "New Year’s Day"),
    (date(2026, 2, 16), "Jour de la Famille", "Family Day"),
    (date(2026, 4, 3), "Vendredi saint", "Good Friday"),
    (date(2026, 5, 18), "Fête de la Reine", "Victoria Day"),
    (date(2026, 7, 1), "Fête du Canada", "Canada Day"),
    (date(2026, 8, 3), "Congé civique", "Civic Holiday"),
    (date(2026, 9, 7), "Fête du Travail", "Labour Day"),
    (date(2026, 10, 12), "Action de grâce", "Thanksgiving"),
    (date(2026, 12, 25), "Noël", "Christmas Day"),
    (date(2026, 12, 28), "Lendemain de Noël (observé)", "Boxing Day (observed)"),
    (date(2027, 1, 1), "Jour de l’An", "New Year’s Day"),
]

STAFF = [
    ("admin", Role.ADMIN, "Alix", "Administratrice", []),
    ("supervisor", Role.SUPERVISOR, "Samir", "Superviseur", []),
    ("agent", Role.AGENT, "Amélie", "Agente", ["hotel-de-ville"]),
    ("agent2", Role.AGENT, "Bruno", "Agent", ["centre-est"]),
]
# Colleagues who served at the other desks in the demo's history (demo_history.py): accounts
# nobody signs in to (inactive, no password), so the reports by agent show names, not ids.
COLLEAGUES = [
    ("demo-camille", "Camille", "Tremblay", "hotel-de-ville"),
]


@transaction.atomic
def create_demo() -> Agency:
    agency, _ = Agency.objects.update_or_create(
        slug="demo", defaults={"name_fr": "Ville de Démo", "name_en": "Demo City"}
    )
    offices = {}
    for spec in OFFICES:
        office, _ = Office.objects.update_or_create(
            agency=agency,
            slug=spec["slug"],
            defaults={
                "name_fr": spec["name_fr"],
                "name_en": spec["name_en"],
                "address": spec["address"],
                "time_zone": "America/Toronto",
            },
        )
        office.set_weekly_hours(parse_weekly(spec["hours"]))
        offices[spec["slug"]] = office
    categories = {}
    for position, (slug, name_fr, name_en) in enumerate(CATEGORIES):
        categories[slug], _ = Category.objects.update_or_create(
            agency=agency,
            slug=slug,
            defaults={"name_fr": name_fr, "name_en": name_en, "position": position},
        )
    services = {}
    bookable = {"permis-construction": 30, "assermentation": 15}  # minutes per appointment
    for spec in SERVICES:
        fields = {
            k: v for k, v in spec.items() if k not in {"slug", "category", "offices", "standards"}
        }
        service, _ = Service.objects.update_or_create(
            agency=agency,
            slug=spec["slug"],
            defaults={
                **fields,
                "category": categories[spec["category"]],
                "appointment_minutes": bookable.get(spec["slug"], 0),
            },
        )
        service.offices.set([offices[slug] for slug in spec["offices"]])
        service.standards.all().delete()
        ServiceStandard.objects.bulk_create(
            ServiceStandard(service=service, measure=m, threshold=t, unit=u, target_percent=p)
            for m, t, u, p in spec["standards"]
        )
        services[spec["slug"]] = service
    for position, (code, kind, label_fr, label_en, required, choices) in enumerate(BIN_QUESTIONS):
        CaseField.objects.update_or_create(
            service=services["bacs-collecte"],
            code=code,
            defaults={
                "kind": kind,
                "label_fr": label_fr,
                "label_en": label_en,
                "required": required,
                "choices": choices,
                "position": position,
            },
        )
    for spec in OFFICES:
        office = offices[spec["slug"]]
        offered = list(office.services.all())
        for label in spec["desks"]:
            desk, _ = Desk.objects.get_or_create(office=office, label=label)
            desk.services.set(offered)
    for day, name_fr, name_en in HOLIDAYS:
        Holiday.objects.update_or_create(
            agency=agency, office=None, date=day, defaults={"name_fr": name_fr, "name_en": name_en}
        )
    load_files()  # the default wording of messages, FR and EN
    for username, role, first, last, office_slugs in STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"agency": agency, "role": role, "first_name": first, "last_name": last},
        )
        user.agency, user.role, user.is_active = agency, role, True
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.offices.set([offices[slug] for slug in office_slugs])
    for username, first, last, office_slug in COLLEAGUES:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"agency": agency, "role": Role.AGENT, "first_name": first, "last_name": last},
        )
        user.is_active = False
        user.set_unusable_password()
        user.save()
        user.offices.set([offices[office_slug]])
    create_case_demo(agency, services, offices)
    create_feedback_demo(agency, services)
    create_recognition_demo(agency)
    return agency
