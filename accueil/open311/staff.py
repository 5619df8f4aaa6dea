"""The administrators' page for Open311 keys: list the agency's applications, issue a key
(shown once, only its hash is kept) and revoke one. Changes go through accounts.actions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accueil.accounts.actions import do_issue_client_key, do_revoke_client_key
from accueil.accounts.models import ClientApp, ClientScope
from accueil.core.guards import staff_required
from accueil.open311.forms import KeyForm


def _apps(actor):
    return ClientApp.objects.filter(agency_id=actor.agency_id, scope=ClientScope.OPEN311)


@staff_required("admin")
@require_http_methods(["GET", "POST"])
def keys(request):
    actor = request.actor
    form = KeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _app, new_key = do_issue_client_key(
                actor,
                form.cleaned_data["name"],
                ClientScope.OPEN311,
                contact=form.cleaned_data["contact"],
            )
        except PermissionDenied:
            form.add_error(None, _("Only an administrator of the whole agency may issue keys."))
        else:
            form = KeyForm()
    context = {"form": form, "new_key": new_key, "apps": _apps(actor)}
    status = 400 if request.method == "POST" and new_key is None else 200
    return render(request, "open311/keys.html", context, status=status)


@staff_required("admin")
@require_POST
def revoke(request, app):
    found = _apps(request.actor).filter(id=app).first()
    if found is None:
        raise Http404
    do_revoke_client_key(request.actor, found)
    messages.success(request, _("The key of “%(name)s” no longer works.") % {"name": found.name})
    return redirect("open311-staff:keys")
