"""Staff settings pages: agency administrators edit their offices and services here."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accueil.accounts.access import (
    access_office,
    access_service,
    offices_for,
    services_for,
    staff_required,
)
from accueil.catalog import actions
from accueil.catalog.forms import OfficeForm, ServiceForm


@staff_required("admin")
@require_GET
def settings_home(request):
    context = {
        "offices": offices_for(request.actor).prefetch_related("opening_hours"),
        "services": services_for(request.actor).prefetch_related("standards"),
    }
    return render(request, "catalog/settings_home.html", context)


@staff_required("admin")
@require_http_methods(["GET", "POST"])
def edit_service(request, service):
    service = access_service(request.actor, service)
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        actions.do_update_service(request.actor, form)
        messages.success(request, _("The service was saved."))
        return redirect("catalog:settings")
    status = 400 if form.errors else 200
    return render(request, "catalog/edit.html", {"form": form, "object": service}, status=status)


@staff_required("admin")
@require_http_methods(["GET", "POST"])
def edit_office(request, office):
    office = access_office(request.actor, office)
    form = OfficeForm(request.POST or None, instance=office)
    if request.method == "POST" and form.is_valid():
        actions.do_update_office(request.actor, form)
        messages.success(request, _("The office was saved."))
        return redirect("catalog:settings")
    status = 400 if form.errors else 200
    return render(request, "catalog/edit.html", {"form": form, "object": office}, status=status)
