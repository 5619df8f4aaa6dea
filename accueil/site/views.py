"""The home page, public office and service pages, and the staff home."""

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accueil.catalog.access import offices_for, services_for
from accueil.catalog.models import Office, Service
from accueil.core.guards import public, staff_required
from accueil.core.sections import office_sections, service_sections
from accueil.feedback.recognition import new_kudos_count


def _public_offices():
    return Office.objects.filter(active=True).prefetch_related(
        "opening_hours", Prefetch("services", queryset=Service.objects.filter(active=True))
    )


@public
@require_GET
def home(request):
    # Grouped by category in the page ({% regroup %}): sorted by it, each heading once.
    services = (
        Service.objects.filter(active=True)
        .select_related("category")
        .order_by("category__position", "category__name_fr", "name_fr")
    )
    return render(request, "site/home.html", {"offices": _public_offices(), "services": services})


@public
@require_GET
def office_detail(request, office):
    office = get_object_or_404(_public_offices(), id=office)
    now = timezone.now()
    context = {
        "office": office,
        "sections": office_sections.render_for(request, office),
        "closures": office.closures.filter(ends_at__gte=now)[:5],
        "holidays": office.agency.holidays.filter(
            Q(office=None) | Q(office=office), date__gte=now.astimezone(office.zone).date()
        ).order_by("date")[:5],
    }
    return render(request, "site/office_detail.html", context)


@public
@require_GET
def service_detail(request, service):
    queryset = Service.objects.filter(active=True).prefetch_related(
        "standards", Prefetch("offices", queryset=Office.objects.filter(active=True))
    )
    service = get_object_or_404(queryset, id=service)
    context = {"service": service, "sections": service_sections.render_for(request, service)}
    return render(request, "site/service_detail.html", context)


@staff_required()
@require_GET
def staff_home(request):
    actor = request.actor
    context = {
        "offices": offices_for(actor).prefetch_related("desks"),
        "service_count": services_for(actor).count(),
        "can_configure": actor.has_role("admin"),
        "can_supervise": actor.has_role("supervisor"),
        "new_kudos": new_kudos_count(actor),
    }
    return render(request, "site/staff_home.html", context)
