"""The two standard forms, as data: the A-11 post-transaction form and the 7-driver form.

After OMB Circular A-11 section 280 (the US federal customer-experience standard, used by GSA
Touchpoints): the A-11 form asks one required trust question, then what went well and what did
not go well over six drivers, then a comment; the 7-driver form asks 5-point agreement on each
driver. The wording is ours, in plain French and English. ``{agency}`` is the agency's name,
filled in when the form is created for it (an administrator may reword it afterwards).
"""

from typing import Any

# (code, French, English) — the drivers a citizen ticks in "what went well / did not go well".
DRIVERS: list[tuple[str, str, str]] = [
    ("effectiveness", "J’ai obtenu ce dont j’avais besoin", "I got what I needed"),
    ("ease", "C’était facile", "It was easy"),
    ("efficiency", "C’était rapide", "It was quick"),
    ("transparency", "On m’a bien expliqué les étapes", "The steps were clearly explained"),
    ("humanity", "On m’a traité avec respect", "I was treated with respect"),
    ("helpfulness", "Le personnel m’a aidé", "The staff helped me"),
]

TRUST_FR = "Je fais confiance à {agency} pour bien servir la population."
TRUST_EN = "I trust {agency} to serve the public well."


# The same drivers, as what did not go well.
DRIVERS_BADLY: list[tuple[str, str, str]] = [
    ("effectiveness", "Je n’ai pas obtenu ce dont j’avais besoin", "I did not get what I needed"),
    ("ease", "C’était compliqué", "It was complicated"),
    ("efficiency", "C’était trop long", "It took too long"),
    ("transparency", "Les étapes étaient mal expliquées", "The steps were not clearly explained"),
    ("humanity", "On ne m’a pas traité avec respect", "I was not treated with respect"),
    ("helpfulness", "Le personnel ne m’a pas aidé", "The staff did not help me"),
]


def _choices(drivers: list[tuple[str, str, str]]) -> list[dict[str, str]]:
    return [{"code": code, "label_fr": fr, "label_en": en} for code, fr, en in drivers]


def a11_questions(agency_fr: str, agency_en: str) -> list[dict[str, Any]]:
    return [
        {
            "code": "trust",
            "kind": "trust_thumbs",
            "driver": "trust",
            "required": True,
            "label_fr": TRUST_FR.format(agency=agency_fr),
            "label_en": TRUST_EN.format(agency=agency_en),
        },
        {
            "code": "went_well",
            "kind": "choices",
            "label_fr": "Qu’est-ce qui s’est bien passé ?",
            "label_en": "What went well?",
            "choices": _choices(DRIVERS),
        },
        {
            "code": "went_badly",
            "kind": "choices",
            "label_fr": "Qu’est-ce qui ne s’est pas bien passé ?",
            "label_en": "What did not go well?",
            "choices": _choices(DRIVERS_BADLY),
        },
        {
            "code": "comment",
            "kind": "comment",
            "label_fr": "Voulez-vous nous en dire plus ?",
            "label_en": "Do you want to tell us more?",
        },
    ]


def drivers_questions(agency_fr: str, agency_en: str) -> list[dict[str, Any]]:
    statements = [
        ("satisfaction", "Je suis satisfait du service reçu.", "I am satisfied with the service."),
        (
            "trust",
            TRUST_FR.format(agency=agency_fr),
            TRUST_EN.format(agency=agency_en),
        ),
        ("effectiveness", "J’ai obtenu ce dont j’avais besoin.", "I got what I needed."),
        ("ease", "C’était facile.", "It was easy."),
        ("efficiency", "Cela a pris un temps raisonnable.", "It took a fair amount of time."),
        (
            "transparency",
            "J’ai été traité de façon juste et on m’a bien expliqué les étapes.",
            "I was treated fairly and the steps were clearly explained.",
        ),
        ("helpfulness", "Le personnel m’a aidé.", "The staff helped me."),
    ]
    questions: list[dict[str, Any]] = [
        {
            "code": code,
            "kind": "scale5",
            "driver": code,
            "required": code == "satisfaction",
            "label_fr": fr,
            "label_en": en,
        }
        for code, fr, en in statements
    ]
    questions.append(
        {
            "code": "comment",
            "kind": "comment",
            "label_fr": "Voulez-vous nous en dire plus ?",
            "label_en": "Do you want to tell us more?",
        }
    )
    return questions


TITLES = {
    "a11": ("Votre avis sur notre service", "Your opinion of our service"),
    "drivers": (
        "Votre avis sur notre service, en détail",
        "Your opinion of our service, in detail",
    ),
}
QUESTIONS = {"a11": a11_questions, "drivers": drivers_questions}
