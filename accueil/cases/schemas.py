"""The shapes of requests (cases) in the REST API: what clients send and what they get back.

Kept apart from ``api.py`` so the operations read as a list of endpoints. Members a schema
does not name are ignored, as everywhere in this API (never applied: ``agency`` on a reply
changes nothing); the answers in ``fields`` are the exception, where an unknown code is
refused, so that an integrator's typo is not silently lost. Every text limit
here is the same as the intake cleaners' (``intake.py``); the cleaners have the last word, the
limits only keep absurd bodies out before any work is done.
"""

from datetime import date
from typing import Any, Literal
from uuid import UUID

from ninja import Field, Schema

from accueil.api.schemas import StandardOut, Translated
from accueil.cases.intake import MAX_DESCRIPTION

StatusName = Literal["new", "acknowledged", "in_progress", "waiting", "resolved", "closed"]
ClockState = Literal["", "running", "warning", "breached", "paused", "met", "missed"]


# -- services ----------------------------------------------------------------------------------


class ChoiceOut(Schema):
    value: str
    fr: str
    en: str


class FormFieldOut(Schema):
    code: str = Field(description="The key of this answer in `fields` when opening a request")
    kind: Literal["text", "long_text", "number", "date", "choice", "yes_no", "file", "location"]
    label: Translated
    help: Translated
    required: bool
    choices: list[ChoiceOut] = Field(description="For `choice`: the values accepted")


class FilesOut(Schema):
    kinds: list[str] = Field(description="Kinds of file accepted: `jpeg`, `png`, `pdf`…")
    max_mb: int = Field(description="Largest file, in megabytes (10⁶ bytes)")


class AgencyRef(Schema):
    slug: str
    name: Translated


class CaseServiceRef(Schema):
    id: UUID
    slug: str
    name: Translated


class CaseServiceOut(Schema):
    id: UUID
    slug: str = Field(description="Unique within its agency only: send `id`, or `slug` and agency")
    agency: AgencyRef
    name: Translated
    category: Translated | None
    channels: list[str]
    takes_requests_online: bool = Field(
        description="True when anyone may open a request (`web` in `channels`)"
    )
    standards: list[StandardOut]
    fields: list[FormFieldOut]
    files: FilesOut


# -- opening a request -------------------------------------------------------------------------


class ContactIn(Schema):
    name: str = Field("", max_length=400)
    email: str = Field("", max_length=400)
    phone: str = Field("", max_length=60)


class LocationIn(Schema):
    lat: float | str | None = Field(None, description="Latitude, decimal degrees")
    long: float | str | None = Field(None, description="Longitude, decimal degrees")
    address: str = Field("", max_length=600)


class CaseIn(Schema):
    service: str = Field(
        max_length=100,
        description="The service's `id` (UUID), or its `slug` with `agency` when two agencies "
        "use the same slug",
    )
    agency: str | None = Field(None, max_length=100, description="The agency's slug")
    description: str = Field(max_length=MAX_DESCRIPTION * 2)
    language: Literal["fr", "en"] | None = Field(
        None, description="The citizen's language; default: the request's (Accept-Language)"
    )
    channel: Literal["web", "app", "phone", "in_person", "mail", "email"] | None = Field(
        None,
        description="How the request came in. Anyone: `web` (default) or `app`; an agent's "
        "token: `phone`, `in_person`, `mail`, `email` or `web`",
    )
    contact: ContactIn = Field(default_factory=ContactIn)
    location: LocationIn | None = None
    fields: dict[str, Any] = Field(
        default_factory=dict, description="Answers to the service's questions, by `code`"
    )


class OpenedOut(Schema):
    reference: str
    status: StatusName
    secret: str = Field(
        description="The citizen's key to this request (reading it, replying, sending files): "
        "given only to whoever opened it; `tracking_url` holds it too"
    )
    tracking_url: str
    response_due_at: str | None = Field(description="First answer due by (ISO 8601)")
    due_at: str | None = Field(description="Decision due by (ISO 8601)")


# -- reading a request -------------------------------------------------------------------------


class ClockOut(Schema):
    due_at: str | None
    state: ClockState


class ClocksOut(Schema):
    response: ClockOut
    resolution: ClockOut


class AttachmentOut(Schema):
    id: UUID
    name: str
    kind: str
    content_type: str
    size: int
    from_citizen: bool
    public: bool = Field(description="False: staff only (sent with an internal note)")
    url: str = Field(description="Download (with the same credentials as the request)")


class TimelineEntry(Schema):
    at: str
    kind: Literal["status", "reply", "citizen", "note"]
    status: StatusName | None = Field(description="For `status`: the status it took")
    body: str | None = Field(description="For messages")
    author: str | None = Field(description="Staff only: the agent who wrote it")
    attachments: list[UUID]


class CaseStaffOut(Schema):
    """What only staff see: who holds the request, how to reach the citizen, the version."""

    version: int = Field(description="Send it back with a change: a stale one gets 409")
    assignee: str | None
    team: str | None
    contact: ContactIn
    duplicate_of: str | None
    tracking_url: str


class CaseOut(Schema):
    reference: str
    status: StatusName
    status_label: str = Field(description="The status in words, in the caller's language")
    service: CaseServiceRef
    channel: str
    language: str
    description: str
    address: str
    latitude: str | None
    longitude: str | None
    fields: dict[str, Any]
    opened_at: str
    acknowledged_at: str | None
    first_response_at: str | None
    resolved_at: str | None
    closed_at: str | None
    clocks: ClocksOut
    timeline: list[TimelineEntry] = Field(
        description="Status changes and messages in order; internal notes only for staff"
    )
    attachments: list[AttachmentOut]
    staff: CaseStaffOut | None = Field(description="Present for staff only")


class CaseRow(Schema):
    reference: str
    status: StatusName
    service: CaseServiceRef
    channel: str
    summary: str = Field(description="The first words of the request")
    assignee: str | None
    team: str | None
    opened_at: str
    clocks: ClocksOut
    version: int


class CasePage(Schema):
    items: list[CaseRow]
    next: str | None = Field(description="Give it back as `cursor` for the next page")


# -- staff changes -----------------------------------------------------------------------------


class AssignIn(Schema):
    assignee: str | None = Field(max_length=150, description="A username; null: unassigned")
    team: str | None = Field(None, max_length=60, description="A team's slug; absent: unchanged")
    version: int | None = Field(None, ge=1, le=2**31 - 1)


class ReplyIn(Schema):
    body: str = Field("", max_length=20_000, description="May be empty with a `template`")
    template: str = Field(
        "",
        max_length=60,
        description="A reply template's slug: without `body`, the template filled in the "
        "citizen's language is sent",
    )


class NoteIn(Schema):
    body: str = Field(max_length=20_000)


class StatusIn(Schema):
    status: StatusName
    version: int | None = Field(None, ge=1, le=2**31 - 1)


def iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None
