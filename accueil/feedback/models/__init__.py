"""The feedback app's models, one module per area (surveys; reporting and recognition add theirs).

Each module's models are imported here so Django finds them."""

from accueil.feedback.models.recognition import (
    Kudos,
    KudosSource,
    PulseAnswer,
    PulseReceipt,
    WallStatus,
)
from accueil.feedback.models.surveys import (
    MAX_QUESTIONS,
    Answer,
    Driver,
    Invitation,
    Question,
    QuestionKind,
    Response,
    SentVia,
    Subject,
    Survey,
    SurveyKind,
    SurveySettings,
)
from accueil.feedback.models.verbatims import (
    FlagSource,
    ResponseTheme,
    ThemeRule,
    Verbatim,
)

__all__ = [
    "MAX_QUESTIONS",
    "Driver",
    "Answer",
    "Invitation",
    "Question",
    "QuestionKind",
    "Response",
    "SentVia",
    "Subject",
    "Survey",
    "SurveyKind",
    "SurveySettings",
    # Reporting: themes, flags and redaction of comments
    "FlagSource",
    "ResponseTheme",
    "ThemeRule",
    "Verbatim",
    # recognition
    "Kudos",
    "KudosSource",
    "PulseAnswer",
    "PulseReceipt",
    "WallStatus",
]
