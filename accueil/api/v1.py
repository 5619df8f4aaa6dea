"""The REST API (version 1). Paths here are part of the contract in DESIGN.md."""

from uuid import UUID

from django.db.models import Prefetch
from django.utils import timezone
from ninja import NinjaAPI

from accueil.api import auth, errors
from accueil.api.schemas import DeskOut, ErrorOut, MeOut, OfficeOut
from accueil.cases.api import router as cases_router
from accueil.cases.mail_api import router as mail_router
from accueil.catalog.access import access_office
from accueil.catalog.models import Desk, Office, Service, cached_calendars
from accueil.insights.public_api import router as public_router
from accueil.queues.api import router as queues_router
from accueil.queues.api_appointments import router as appointments_router
from accueil.queues.waits import recent_forecasts, wait_range


class AccueilAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return errors.declare_common_errors(document)


api = AccueilAPI(
    title="Accueil API",
    version="1",
    description=(
        'REST API of Accueil. Errors: {"error": {"code", "message", "details"?: '
        '[{"field", "problem"}]}}, in the language of Accept-Language.'
    ),
    urls_namespace="api",
    # Swagger UI from django-ninja's own static files ("ninja" in INSTALLED_APPS): nothing comes
    # from a CDN, and the page needs no inline script, so the site's CSP holds.
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("", queues_router)
api.add_router("", appointments_router)
api.add_router("", cases_router)
api.add_router("", mail_router)
api.add_router("", public_router)


def translated(obj, field="name"):
    if obj is None:
        return None
    return {"fr": getattr(obj, f"{field}_fr"), "en": getattr(obj, f"{field}_en")}


def service_out(service, waiting=0, wait=None):
    minutes = wait_range(wait)
    return {
        "waiting": waiting,
        "estimated_wait_seconds": wait,
        "estimated_wait_minutes": list(minutes) if minutes else None,
        "id": service.id,
        "slug": service.slug,
        "name": translated(service),
        "category": translated(service.category),
        "channels": service.channels,
        "standards": [
            {
                "id": s.id,
                "measure": s.measure,
                "threshold": s.threshold,
                "unit": s.unit,
                "target_percent": s.target_percent,
                "description": s.describe(),
            }
            for s in service.standards.all()
            if s.published
        ],
    }


@api.get("/offices", response=list[OfficeOut], tags=["public"], summary="Offices and services")
def list_offices(request):  # noqa: ARG001 - the signature the framework calls
    services = Service.objects.filter(active=True).select_related("category")
    offices = (
        Office.objects.filter(active=True)
        .select_related("agency")
        .prefetch_related(Prefetch("services", queryset=services.prefetch_related("standards")))
    )
    now = timezone.now()
    offices = list(offices)
    calendars = cached_calendars(offices)  # as check-in sees them: read at most once a minute
    forecasts = recent_forecasts(offices, now)  # the same figures as the boards show
    return [
        {
            "id": office.id,
            "slug": office.slug,
            "name": translated(office),
            "agency": translated(office.agency),
            "address": office.address,
            "time_zone": office.time_zone,
            "open_now": calendars[office.id].is_open(now),
            "services": [
                service_out(
                    s,
                    forecasts[office.id].waiting_for(s.id),
                    forecasts[office.id].for_new_arrival(s.id),
                )
                for s in office.services.all()
            ],
        }
        for office in offices
    ]


@api.get(
    "/offices/{office}/desks",
    response={200: list[DeskOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=auth.agent,
    tags=["staff"],
    summary="Desks of an office",
)
def list_desks(request, office: UUID):
    office = access_office(request.actor, office)
    desks = Desk.objects.filter(office=office).prefetch_related("services")
    return [
        {
            "id": desk.id,
            "label": desk.label,
            "active": desk.active,
            "services": [{"id": s.id, "name": translated(s)} for s in desk.services.all()],
        }
        for desk in desks
    ]


@api.get(
    "/me",
    response={200: MeOut, 401: ErrorOut},
    auth=auth.agent,
    tags=["staff"],
    summary="Who this token belongs to",
)
def me(request):
    actor = request.actor
    return {
        "username": actor.user.username,
        "role": actor.role,
        "agency": translated(actor.user.agency),
        "offices": sorted(actor.office_ids, key=str) if actor.office_ids is not None else None,
        "via_token": actor.via_token,
    }
