"""The agent console: sit at a desk, call the next visitor, serve, transfer, take a break.

Every button is a plain form (works without JavaScript); ``console.js`` adds single-key
shortcuts that can be turned off, and refreshes the waiting list when the office changes.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accueil.catalog.access import offices_for, services_for
from accueil.catalog.models import Desk
from accueil.core.actions import failures_return_to
from accueil.core.actors import Role
from accueil.core.events import events_for
from accueil.core.guards import staff_required
from accueil.core.sections import desk_sections
from accueil.queues import actions, service_notices
from accueil.queues.forms import (
    CompleteForm,
    DisruptionForm,
    OpenDeskForm,
    StaffVisitForm,
    TransferForm,
)
from accueil.queues.models import (
    DeskSession,
    Need,
    QueueRules,
    ServiceNotice,
    Visit,
    VisitStatus,
)
from accueil.queues.waits import recent_forecast, wait_range

QUEUE_SHOWN = 15


def _my_session(request, session_id=None):
    sessions = DeskSession.objects.filter(
        agent=request.user,
        closed_at=None,
        desk__office__in=offices_for(request.actor),
    ).select_related("desk__office__agency")
    if session_id is not None:
        sessions = sessions.filter(id=session_id)
    session = sessions.prefetch_related("services").first()
    if session is None and session_id is not None:
        raise Http404
    return session


def _open_desk_form(request, data=None):
    offices = offices_for(request.actor)
    return OpenDeskForm(
        data,
        desks=Desk.objects.filter(office__in=offices, active=True)
        .select_related("office")
        .order_by("office__name_fr", "label"),
        services=services_for(request.actor).filter(active=True).order_by("name_fr"),
    )


def _waiting_list(session):
    desk = session.desk
    office = desk.office
    services = actions.desk_services(desk, session)
    waiting = (
        Visit.objects.filter(office=office, status=VisitStatus.WAITING)
        .filter(service_id__in=services)
        .select_related("service")
    )
    shown = list(actions.waiting_order(waiting)[:QUEUE_SHOWN])
    # Every console of the office refreshes at each change: share the process's recent
    # forecast, unless it predates someone on the list.
    now = timezone.now()
    guess = recent_forecast(office, now)
    if any(guess.get(visit.id) is None for visit in shown):
        guess = recent_forecast(office, now, refresh=True)
    rows = []
    for visit in shown:
        prediction = guess.get(visit.id)
        rows.append(
            {
                "visit": visit,
                "position": prediction.position if prediction else None,
                "wait": wait_range(prediction.wait) if prediction else None,
            }
        )
    return rows, waiting.count()


HISTORY = {
    "visit.checked_in": gettext_lazy("Took a ticket"),
    "visit.called": gettext_lazy("Called"),
    "visit.recalled": gettext_lazy("Called again"),
    "visit.transferred": gettext_lazy("Transferred"),
    "visit.started": gettext_lazy("Service started"),
}


def _at_the_desk(visit) -> dict:
    """What the agent needs at a glance about the visitor at the desk: why they have priority,
    how long they have been here and at the desk, what happened to them so far, and when the
    no-show button may be used."""
    rules = QueueRules.for_office(visit.office)
    events = events_for(visit).filter(verb__in=HISTORY).order_by("created_at", "id")
    return {
        "needs": [Need(need).label for need in visit.needs if need in Need.values],
        "since": visit.started_at or visit.called_at,
        "history": [{"at": event.created_at, "what": HISTORY[event.verb]} for event in events],
        "recalls_left": max(rules.recalls_before_no_show - visit.recalls, 0),
        "rules": rules,
    }


def _choices_read_once(form, name):
    """Django reads a required select's choices twice when rendering it (once to decide on the
    ``required`` attribute, once for the options): a list read here is one query (built by
    iterating: ``list()`` would first ask the choices for their length, a COUNT query)."""
    field = form.fields[name]
    field.choices = [choice for choice in field.choices]  # noqa: C416
    return form


@staff_required()
@require_GET
def console(request):
    session = _my_session(request)
    if session is None:
        return render(request, "queues/console_open.html", {"form": _open_desk_form(request)})
    actions.touch_desk(session.desk_id, timezone.now())  # the page refreshes every 30 s
    current = (
        Visit.objects.filter(
            desk=session.desk, status__in=[VisitStatus.CALLED, VisitStatus.SERVING]
        )
        .select_related("service", "office")
        .order_by("-called_at")
        .first()
    )
    rows, total = _waiting_list(session)
    context = {
        "session": session,
        "desk": session.desk,
        "office": session.desk.office,
        "current": current,
        **(_at_the_desk(current) if current else {}),
        "rows": rows,
        "total": total,
        "complete_form": CompleteForm(),
        "transfer_form": TransferForm(office=session.desk.office),
        "visitor_form": _choices_read_once(
            StaffVisitForm(office=session.desk.office, prefix="visitor"), "service"
        ),
        # What other apps show about this desk (the last visitor's survey, when there is one).
        "desk_sections": desk_sections.render_for(request, session.desk),
    }
    return render(request, "queues/console.html", context)


@staff_required()
@require_POST
def open_desk(request):
    form = _open_desk_form(request, request.POST)
    if not form.is_valid():
        return render(request, "queues/console_open.html", {"form": form}, status=400)
    actions.do_open_desk(
        form.cleaned_data["desk"],
        request.user,
        form.cleaned_data["services"],
        actor=request.actor,
    )
    return redirect("queues:console")


@staff_required()
@require_POST
def pause(request, session):
    session = _my_session(request, session)
    actions.do_pause(session.desk, session.paused_at is None, actor=request.actor)
    return redirect("queues:console")


@staff_required()
@require_POST
def close(request, session):
    session = _my_session(request, session)
    actions.do_close(session.desk, actor=request.actor)
    messages.success(request, _("Your desk is closed. Thank you!"))
    return redirect("queues:console")


@staff_required()
@require_POST
@failures_return_to("queues:console")
def call_next(request, session):
    session = _my_session(request, session)
    visit = actions.do_call_next(session.desk, actor=request.actor)
    if visit is None:
        messages.info(request, _("Nobody is waiting for your services."))
    return redirect("queues:console")


@staff_required()
@require_POST
@failures_return_to("queues:console")
def add_visitor(request, session):
    """A walk-in at the counter or a caller on the phone joins the line, entered by staff."""
    session = _my_session(request, session)
    office = session.desk.office
    form = StaffVisitForm(request.POST, office=office, prefix="visitor")
    if not form.is_valid():
        messages.error(
            request,
            _("Check the visitor's details: %(problems)s")
            % {"problems": " ".join(e for errors in form.errors.values() for e in errors)},
        )
        return redirect("queues:console")
    data = form.cleaned_data
    visit, _guess = actions.do_take_ticket(
        office,
        data["service"],
        language=data["language"],
        phone=data["phone"],
        source=data["source"],
        actor=request.actor,
    )
    messages.success(request, _("Ticket %(ticket)s added to the line.") % {"ticket": visit.ticket})
    return redirect("queues:console")


SERVE_ACTIONS = {
    "start": actions.do_start,
    "complete": actions.do_complete,
    "recall": actions.do_recall,
    "no-show": actions.do_no_show,
    "transfer": actions.do_transfer,
    "cancel": actions.do_cancel,
}


@staff_required()
@require_POST
@failures_return_to("queues:console")
def serve_visit(request, visit, action):
    if action not in SERVE_ACTIONS:
        raise Http404
    visit = actions.access_visit(request.actor, visit)
    options = {}
    if action == "complete":
        form = CompleteForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose an outcome."))
            return redirect("queues:console")
        options["outcome"] = form.cleaned_data["outcome"]
    if action == "transfer":
        form = TransferForm(request.POST, office=visit.office)
        if not form.is_valid():
            messages.error(request, _("Choose where to transfer this person."))
            return redirect("queues:console")
        options.update(form.cleaned_data)
    SERVE_ACTIONS[action](visit, actor=request.actor, **options)
    return redirect("queues:console")


@staff_required(Role.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def disruption(request):
    """Publish a service notice; the notices in force, each with a button to withdraw it."""
    offices = offices_for(request.actor).filter(active=True)
    services = services_for(request.actor).filter(active=True)
    form = DisruptionForm(request.POST or None, offices=offices, services=services)
    if request.method == "POST" and form.is_valid():
        _notice, sent = service_notices.do_publish_notice(request.actor, **form.cleaned_data)
        messages.success(
            request,
            ngettext("Notice sent to %(count)s person.", "Notice sent to %(count)s people.", sent)
            % {"count": sent},
        )
        return redirect("queues:console-notice")
    status = 400 if request.method == "POST" else 200
    in_force = ServiceNotice.objects.filter(
        office__in=offices, withdrawn_at=None, expires_at__gt=timezone.now()
    ).select_related("office", "service")
    context = {"form": form, "in_force": in_force}
    return render(request, "queues/disruption.html", context, status=status)


@staff_required(Role.SUPERVISOR)
@require_POST
@failures_return_to("queues:console-notice")
def withdraw_notice(request, notice):
    notice = service_notices.access_notice(request.actor, notice)
    service_notices.do_withdraw_notice(request.actor, notice)
    messages.success(request, _("The notice is withdrawn."))
    return redirect("queues:console-notice")
