"""Staff settings pages: agency administrators edit their offices and services here."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accueil.catalog import actions
from accueil.catalog.access import access_office, access_service, offices_for, services_for
from accueil.catalog.forms import OfficeForm, ServiceForm
from accueil.core.guards import staff_required


@staff_required("admin")
@require_GET
def settings_home(request):
    context = {
        "offices": offices_for(request.actor),
        "services": services_for(request.actor).prefetch_related("standards"),
    }
    return render(request, "catalog/settings_home.html", context)


def _edit(request, obj, form_class, save, saved_message):
    """Show a settings form; on a valid POST, save through the action and go back."""
    form = form_class(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        save(request.actor, form)
        messages.success(request, saved_message)
        return redirect("catalog:settings")
    status = 400 if form.errors else 200
    return render(request, "catalog/edit.html", {"form": form, "object": obj}, status=status)


@staff_required("admin")
@require_http_methods(["GET", "POST"])
def edit_service(request, service):
    service = access_service(request.actor, service)
    return _edit(
        request, service, ServiceForm, actions.do_update_service, _("The service was saved.")
    )


@staff_required("admin")
@require_http_methods(["GET", "POST"])
def edit_office(request, office):
    office = access_office(request.actor, office)
    return _edit(request, office, OfficeForm, actions.do_update_office, _("The office was saved."))
