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

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accueil.cases.models import OPEN_STATUSES, Case, CaseField, FieldKind
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


def _local(case: Case, moment):
    if moment is None:
        return None
    return timezone.localtime(moment, case.office.zone).isoformat(timespec="seconds")


def status_of(case: Case) -> str:
    return "open" if case.status in OPEN_STATUSES else "closed"


def status_notes(case: Case) -> str:
    if case.duplicate_of_id:
        return _("Closed: the same as request %(reference)s, which is followed instead.") % {
            "reference": case.duplicate_of.reference
        }
    return str(CaseStatus(case.status).label)


def agency_responsible(case: Case, language: str) -> str:
    team = case.team
    if team is not None:
        return _in(team, "name", language)
    return _in(case.office, "name", language)


def publishes_details(case: Case) -> bool:
    """Description, place and media only for Open311's own requests, until retention."""
    return case.anonymised_at is None and getattr(case, "open311", None) is not None


def request_out(case: Case, language: str, notices: dict) -> dict:
    """One request for a public reader (see the module's docstring for what is left out)."""
    details = publishes_details(case)
    submission = case.open311 if details else None
    service = case.service
    if service.pk not in notices:
        notices[service.pk] = service_notice(service)
    return {
        "service_request_id": case.reference,
        "status": status_of(case),
        "status_notes": status_notes(case),
        "service_name": _in(service, "name", language),
        "service_code": service.slug,
        "description": case.description if details else None,
        "agency_responsible": agency_responsible(case, language),
        "service_notice": notices[service.pk],
        "requested_datetime": _local(case, case.opened_at),
        "updated_datetime": _local(case, case.updated_at),
        "expected_datetime": _local(case, case.resolution_due_at) if case.is_open else None,
        "address": (case.address or None) if details else None,
        "address_id": None,
        "zipcode": None,
        "lat": float(case.latitude) if details and case.latitude is not None else None,
        "long": float(case.longitude) if details and case.longitude is not None else None,
        "media_url": (submission.media_url or None) if submission else None,
    }
