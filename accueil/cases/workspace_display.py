"""How the workspace words a case for an agent: clock states, statuses, timeline entries and
the answers to the service's questions, in the agent's language.

A clock's state is never told by colour alone (WCAG 1.4.1): each has a word and a symbol, and
the badge's colour only repeats them.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accueil.cases.models import Case, CaseField, FieldKind, MessageKind, Status

CLOCK_STATES = {
    "running": (_("On time"), "●"),
    "warning": (_("Due soon"), "▲"),
    "breached": (_("Late"), "✖"),
    "paused": (_("Paused"), "❚❚"),
    "met": (_("Met"), "✔"),
    "missed": (_("Missed"), "✖"),
}

# The citizen reads "Waiting for your answer"; the agent is waiting for the citizen.
STAFF_STATUS = {
    Status.NEW: pgettext_lazy("request status", "New"),
    Status.ACKNOWLEDGED: pgettext_lazy("request status", "Acknowledged"),
    Status.IN_PROGRESS: pgettext_lazy("request status", "In progress"),
    Status.WAITING: pgettext_lazy("request status", "Waiting for the citizen"),
    Status.RESOLVED: pgettext_lazy("request status", "Resolved"),
    Status.CLOSED: pgettext_lazy("request status", "Closed"),
}

EVENTS = {
    "case.opened": _("Request received"),
    "case.acknowledged": _("Marked acknowledged"),
    "case.in_progress": _("Marked in progress"),
    "case.waiting": _("Waiting for the citizen (clocks paused)"),
    "case.resolved": _("Marked resolved"),
    "case.closed": _("Closed"),
    "case.new": _("Marked new"),
    "case.assigned": _("Assigned"),
    "case.merged": _("Merged into another request"),
    "case.linked": _("Linked to another request"),
    "case.clock_warning": _("Service standard: due soon"),
    "case.clock_breached": _("Service standard: late"),
    "case.due_moved": _("Due time moved"),
    "case.anonymised": _("Personal details removed (retention)"),
}
# These events are shown as their message (the text matters more than the event).
MESSAGE_EVENTS = {"case.replied", "case.noted", "case.citizen_replied"}

MESSAGE_KINDS = {
    MessageKind.REPLY: _("Reply to the citizen"),
    MessageKind.CITIZEN: _("From the citizen"),
    MessageKind.NOTE: _("Internal note"),
}


@dataclass(frozen=True)
class Clock:
    name: str
    due_at: datetime | None
    state: str

    @property
    def word(self) -> str:
        return str(CLOCK_STATES.get(self.state, ("", ""))[0])

    @property
    def symbol(self) -> str:
        return CLOCK_STATES.get(self.state, ("", ""))[1]


def clocks(case: Case) -> list[Clock]:
    return [
        Clock(str(_("First response")), case.response_due_at, case.response_state),
        Clock(str(_("Resolution")), case.resolution_due_at, case.resolution_state),
    ]


URGENCY = {"breached": 3, "warning": 2, "running": 1, "paused": 1}


def active_clock(case: Case) -> Clock:
    """The clock that matters now: of the ones still running (first response until somebody
    answered, resolution until resolved), the more urgent; the response one on a tie."""
    response, resolution = clocks(case)
    if case.first_response_at is not None or response.state not in URGENCY:
        return resolution
    if URGENCY.get(resolution.state, 0) > URGENCY[response.state]:
        return resolution
    return response


def staff_status(status: str) -> str:
    return str(STAFF_STATUS.get(status, status))  # type: ignore[call-overload]


def answer_text(question: CaseField, value, language: str) -> str:
    if value is None or value == "":
        return ""
    if question.kind == FieldKind.CHOICE:
        return question.choice_label(str(value), language)
    if question.kind == FieldKind.YES_NO:
        return str(_("Yes") if value is True else _("No"))
    return str(value)


def answers(case: Case, questions: list[CaseField], language: str) -> list[tuple[str, str]]:
    """(question, answer) in the form's order; answers to removed questions are kept too."""
    shown = []
    given = dict(case.fields or {})
    for question in questions:
        if question.code in given:
            shown.append(
                (
                    question.label(language),
                    answer_text(question, given.pop(question.code), language),
                )
            )
    shown += [(code, str(value)) for code, value in given.items()]
    return shown
