"""Our services and requests as GeoReport v2 describes them, and what a public reader may see.

Services offered: the jurisdiction's active services whose channels include ``app``; the
service code is the service's slug. A service's questions (``CaseField``) become the
attributes of its definition, kind by kind (``DATATYPES``); a place question is answered by
the request's own ``address_string``/``lat``/``long`` and a file question by ``media_url``,
so neither is an attribute.

Privacy (a public surface: anyone may read ``GET requests``):

- never a contact detail (name, email, phone), an internal note, a reply or an answer;
- description, address, position and media link only for requests that came in through
  Open311 itself, whose apps publish them anyway (FixMyStreet shows every report);
- for the other requests of the same services (web form, phone, counter, email), only the
  non-personal facts: id, service, status, dates, who is responsible;
- a request whose personal data was erased at the end of its retention shows none either.

Status mapping: received, acknowledged, in progress and waiting are ``open``; resolved and
closed are ``closed``. ``status_notes`` says our finer status in words (and, for a merged
duplicate, the original's reference); ``expected_datetime`` is the resolution clock's due
time while the request is open.
"""

import functools
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accueil.cases.models import OPEN_STATUSES, CaseField, FieldKind
from accueil.cases.models import Status as CaseStatus
from accueil.catalog.models import Channel, Measure, Service

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# The day this server's Open311 interface last changed (discovery's ``changeset``).
CHANGESET = "2026-12-01T00:00:00Z"
# Our kinds of questions → GeoReport datatypes. LOCATION and FILE are no attribute (above).
DATATYPES = {
    FieldKind.TEXT: "string",
    FieldKind.LONG_TEXT: "text",
    FieldKind.NUMBER: "number",
    FieldKind.DATE: "datetime",
    FieldKind.CHOICE: "singlevaluelist",
    FieldKind.YES_NO: "singlevaluelist",
}
NOT_ATTRIBUTES = (FieldKind.LOCATION, FieldKind.FILE)


def offered(agency_id):
    """The jurisdiction's services open to apps (filtered in Python: ``channels`` is JSON)."""
    services = (
        Service.objects.filter(agency_id=agency_id, active=True)
        .select_related("category")
        .prefetch_related("case_fields", "standards")
        .order_by("name_fr")
    )
    return [service for service in services if Channel.APP in service.channels]


def _in(obj, field: str, language: str) -> str:
    return getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_fr", "")


def attribute_questions(service) -> list[CaseField]:
    return [f for f in service.case_fields.all() if f.kind not in NOT_ATTRIBUTES]


def service_out(service, language: str) -> dict:
    return {
        "service_code": service.slug,
        "service_name": _in(service, "name", language),
        "description": _in(service, "description", language),
        "metadata": bool(attribute_questions(service)),
        "type": "realtime",
        "keywords": "",
        "group": _in(service.category, "name", language) if service.category else "",
    }


def _values(question: CaseField, language: str) -> list[dict]:
    if question.kind == FieldKind.YES_NO:
        return [
            {"key": "true", "name": pgettext("answer", "Yes")},
            {"key": "false", "name": pgettext("answer", "No")},
        ]
    return [
        {
            "key": str(choice.get("value", "")),
            "name": question.choice_label(str(choice.get("value", "")), language),
        }
        for choice in question.choices
    ]


def _datatype_description(question: CaseField, language: str) -> str:
    hint = question.help(language)
    if question.kind == FieldKind.DATE:
        return hint or _("A date, e.g. 2026-12-01 (a time given with it is ignored).")
    if question.kind == FieldKind.NUMBER:
        return hint or _("A number, e.g. 12 or 3.5.")
    return hint


def definition_out(service, language: str) -> dict:
    attributes = []
    for order, question in enumerate(attribute_questions(service), start=1):
        attribute = {
            "variable": True,
            "code": question.code,
            "datatype": DATATYPES[FieldKind(question.kind)],
            "required": question.required,
            "datatype_description": _datatype_description(question, language),
            "order": order,
            "description": question.label(language),
        }
        if question.kind in (FieldKind.CHOICE, FieldKind.YES_NO):
            attribute["values"] = _values(question, language)
        attributes.append(attribute)
    return {"service_code": service.slug, "attributes": attributes}


def service_notice(service) -> str:
    """The service's published resolution standard, as a sentence in the active language
    (empty without one)."""
    for standard in service.standards.all():
        if standard.published and standard.measure == Measure.RESOLUTION:
            return standard.describe()
    return ""


# What a public list reads, as plain rows: not the contact, the answers or the history.
COLUMNS = (
    "reference",
    "status",
    "description",
    "address",
    "latitude",
    "longitude",
    "opened_at",
    "updated_at",
    "resolution_due_at",
    "anonymised_at",
    "service_id",
    "service__slug",
    "service__name_fr",
    "service__name_en",
    "office__name_fr",
    "office__name_en",
    "office__time_zone",
    "team_id",
    "team__name_fr",
    "team__name_en",
    "open311__id",
    "open311__media_url",
    "duplicate_of__reference",
)


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _named(row: dict, prefix: str, language: str) -> str:
    return row[f"{prefix}__name_{language}"] or row[f"{prefix}__name_fr"]


def status_notes(row: dict, labels: dict) -> str:
    if row["duplicate_of__reference"]:
        return _("Closed: the same as request %(reference)s, which is followed instead.") % {
            "reference": row["duplicate_of__reference"]
        }
    if row["status"] not in labels:
        labels[row["status"]] = str(CaseStatus(row["status"]).label)
    return labels[row["status"]]


def request_out(row: dict, language: str, notices: dict, labels: dict) -> dict:
    """One request (a row of ``COLUMNS``) for a public reader; see the module's docstring for
    what is left out. ``labels`` caches status words for the answer being built."""
    # Description, place and media only for Open311's own requests, until retention.
    details = row["open311__id"] is not None and row["anonymised_at"] is None
    zone = _zone(row["office__time_zone"])

    def at(moment):
        return moment.astimezone(zone).isoformat(timespec="seconds") if moment else None

    is_open = row["status"] in OPEN_STATUSES
    latitude, longitude = row["latitude"], row["longitude"]
    return {
        "service_request_id": row["reference"],
        "status": "open" if is_open else "closed",
        "status_notes": status_notes(row, labels),
        "service_name": _named(row, "service", language),
        "service_code": row["service__slug"],
        "description": row["description"] if details else None,
        "agency_responsible": _named(row, "team" if row["team_id"] else "office", language),
        "service_notice": notices.get(row["service_id"], ""),
        "requested_datetime": at(row["opened_at"]),
        "updated_datetime": at(row["updated_at"]),
        "expected_datetime": at(row["resolution_due_at"]) if is_open else None,
        "address": (row["address"] or None) if details else None,
        "address_id": None,
        "zipcode": None,
        "lat": float(latitude) if details and latitude is not None else None,
        "long": float(longitude) if details and longitude is not None else None,
        "media_url": (row["open311__media_url"] or None) if details else None,
    }
