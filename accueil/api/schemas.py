from uuid import UUID

from ninja import Field, Schema
from pydantic import ConfigDict
from pydantic.json_schema import SkipJsonSchema


class Translated(Schema):
    fr: str
    en: str


class StandardOut(Schema):
    id: UUID
    measure: str
    threshold: int
    unit: str
    target_percent: int
    description: str


class ServiceOut(Schema):
    id: UUID
    slug: str
    name: Translated
    category: Translated | None
    channels: list[str]
    standards: list[StandardOut]
    waiting: int = 0
    estimated_wait_seconds: int | None = None
    estimated_wait_minutes: list[int] | None = None


class OfficeOut(Schema):
    id: UUID
    slug: str
    name: Translated
    agency: Translated
    address: str
    time_zone: str
    open_now: bool
    services: list[ServiceOut]


class DeskServiceOut(Schema):
    id: UUID
    name: Translated


class DeskOut(Schema):
    id: UUID
    label: str
    active: bool
    services: list[DeskServiceOut]


class MeOut(Schema):
    username: str
    role: str
    agency: Translated
    offices: list[UUID] | None
    via_token: bool


class ErrorDetail(Schema):
    model_config = ConfigDict(extra="forbid")

    field: str = Field(description="The field at fault, as the client wrote it (`service`)")
    problem: str = Field(description="What is wrong with it, in the caller's language")


class PendingVisit(Schema):
    id: UUID
    ticket: str
    status: str


class ErrorBody(Schema):
    """The one error shape; nothing else at this level (no top-level ``field``), but for the two
    conflicts that say what to do next: who is still at the desk, when the office opens, which
    other times are open when a slot was just taken."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(description="Stable, for programs: `invalid`, `not_found`, `conflict`…")
    message: str = Field(description="For people, in the caller's language")
    details: list[ErrorDetail] | SkipJsonSchema[None] = Field(
        None, description="Present only when particular fields are at fault"
    )
    visit: PendingVisit | SkipJsonSchema[None] = Field(
        None, description="`visitor_pending`: the visitor still called or served at the desk"
    )
    opens_at: str | SkipJsonSchema[None] = Field(
        None, description="`office_closed`: when the office next opens (ISO 8601), if known"
    )
    alternatives: list[str] | SkipJsonSchema[None] = Field(
        None, description="`full`: the other open appointment times that day (ISO 8601)"
    )


class ErrorOut(Schema):
    model_config = ConfigDict(extra="forbid")

    error: ErrorBody
