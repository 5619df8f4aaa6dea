"""The supervisor's live floor (pages) and its changes to desks (POST forms).

The floor is one server-rendered fragment (``insights/floor_live.html``): the page includes it,
and htmx asks the same address for it again when the office's event stream says something
changed (``floor.js``) or every 30 seconds, so the floor is never drawn twice. A desk's changes
(open it for an agent, change its services, close it) are plain forms on the desk's own page,
outside the live part, so a refresh never wipes what a supervisor is ticking; each goes through
a queue action, which authorises the supervisor again and records its event.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accueil.accounts.models import User
from accueil.catalog.access import access_desk, access_office, offices_for
from accueil.core.actions import failures_return_to
from accueil.core.actors import Role
from accueil.core.guards import staff_required
from accueil.insights.floor import floor_state
from accueil.queues import actions
from accueil.queues.models import DeskSession


class ServicesForm(forms.Form):
    services = forms.ModelMultipleChoiceField(
        queryset=None,
        label=gettext_lazy("Services this desk calls for"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["services"]
        field.queryset = office.services.filter(active=True).order_by("ticket_prefix", "name_fr")
        field.label_from_instance = lambda service: service.name


class OpenForm(ServicesForm):
    agent = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Agent"))

    field_order = ["agent", "services"]

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, office=office, **kwargs)
        field = self.fields["agent"]
        # Staff of the agency who reach this office (no office list: every office).
        field.queryset = (
            User.objects.filter(agency_id=office.agency_id, is_active=True)
            .filter(Q(offices=office) | Q(offices=None))
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
        field.label_from_instance = lambda user: user.get_full_name() or user.username


@staff_required(Role.SUPERVISOR)
@require_GET
def offices(request):
    """Which office's floor: straight to it when the supervisor has one."""
    reachable = list(offices_for(request.actor).filter(active=True).order_by("name_fr"))
    if len(reachable) == 1:
        return redirect("insights:floor", office=reachable[0].id)
    return render(request, "insights/floor_offices.html", {"offices": reachable})


@staff_required(Role.SUPERVISOR)
@require_GET
def floor(request, office):
    office = access_office(request.actor, office)
    state = floor_state(office, timezone.now())
    context = {"floor": state, "office": office}
    if request.htmx:
        return render(request, "insights/floor_fragment.html", context)
    return render(request, "insights/floor.html", context)


@staff_required(Role.SUPERVISOR)
@require_GET
def desk_page(request, desk):
    desk = access_desk(request.actor, desk)
    return _desk_page(request, desk)


def _desk_page(request, desk, open_form=None, services_form=None, status=200):
    office = desk.office
    session = (
        DeskSession.objects.filter(desk=desk, closed_at=None)
        .select_related("agent")
        .prefetch_related("services")
        .first()
    )
    if session is not None and services_form is None:
        services_form = ServicesForm(
            office=office, initial={"services": list(session.services.all())}
        )
    context = {
        "desk": desk,
        "office": office,
        "session": session,
        "open_form": open_form or OpenForm(office=office, prefix="open"),
        "services_form": services_form,
    }
    return render(request, "insights/floor_desk.html", context, status=status)


@staff_required(Role.SUPERVISOR)
@require_POST
@failures_return_to("insights:floor-desk")
def open_desk(request, desk):
    desk = access_desk(request.actor, desk)
    form = OpenForm(request.POST, office=desk.office, prefix="open")
    if not form.is_valid():
        return _desk_page(request, desk, open_form=form, status=400)
    agent = form.cleaned_data["agent"]
    actions.do_open_desk(desk, agent, form.cleaned_data["services"], actor=request.actor)
    messages.success(
        request,
        _("Desk %(desk)s is open for %(agent)s.")
        % {"desk": desk.label, "agent": agent.get_full_name() or agent.username},
    )
    return redirect("insights:floor", office=desk.office_id)


@staff_required(Role.SUPERVISOR)
@require_POST
@failures_return_to("insights:floor-desk")
def set_services(request, desk):
    desk = access_desk(request.actor, desk)
    form = ServicesForm(request.POST, office=desk.office)
    if not form.is_valid():
        return _desk_page(request, desk, services_form=form, status=400)
    actions.do_set_desk_services(desk, form.cleaned_data["services"], actor=request.actor)
    messages.success(
        request, _("Desk %(desk)s now calls for the services chosen.") % {"desk": desk.label}
    )
    return redirect("insights:floor", office=desk.office_id)


@staff_required(Role.SUPERVISOR)
@require_POST
@failures_return_to("insights:floor-desk")
def close_desk(request, desk):
    desk = access_desk(request.actor, desk)
    actions.do_close(desk, actor=request.actor)
    messages.success(request, _("Desk %(desk)s is closed.") % {"desk": desk.label})
    return redirect("insights:floor", office=desk.office_id)
