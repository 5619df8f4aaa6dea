from uuid import UUID

from ninja import Schema


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


class ErrorBody(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    error: ErrorBody
