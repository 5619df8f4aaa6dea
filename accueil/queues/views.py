"""The citizen's pages: kiosk, web check-in (QR poster), their visit's status, the display board."""

import uuid
from datetime import timedelta

import segno
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accueil.catalog.models import Office
from accueil.core import ratelimit
from accueil.core.actions import errors_on, failures_return_to
from accueil.core.actors import PUBLIC
from accueil.core.guards import public
from accueil.queues import actions
from accueil.queues.board import board_state
from accueil.queues.booking import CODE_ALPHABET
from accueil.queues.forms import CheckInForm
from accueil.queues.models import OPEN_STATUSES, Need, QueueRules, Source, Visit, VisitStatus
from accueil.queues.service_notices import notices_for
from accueil.queues.waits import predict_for_reading, wait_range


def _office(office_id):
    return get_object_or_404(Office.objects.select_related("agency"), id=office_id, active=True)


def qr_svg(url: str, label: str) -> str:
    """An inline SVG QR code, drawn here: nothing is fetched from elsewhere."""
    svg = segno.make(url, error="m").svg_inline(scale=6, border=2, dark="#000", light="#fff")
    return mark_safe(f'<div class="qr" role="img" aria-label="{label}">{svg}</div>')  # noqa: S308


def closed_message(office) -> str | None:
    """Why the office takes no ticket now, and when it will; None while it does."""
    refusal = actions.why_closed_for_tickets(office)
    return str(refusal) if refusal else None


def _check_in(request, office, *, kiosk: bool):
    form = CheckInForm(request.POST or None, office=office, with_contact=not kiosk)
    if request.method == "POST" and (closed := closed_message(office)):
        form.is_valid()  # keep what they chose on the page
        form.add_error(None, closed)
        return form, 409
    if request.method == "POST" and form.is_valid():
        wait = ratelimit.hit(request, "check-in", ratelimit.Limit.parse(settings.CHECK_IN_RATE))
        if wait:
            form.add_error(None, _("Too many tickets were taken from this device. Wait a minute."))
            return form, 429
        data = form.cleaned_data
        source = Source.KIOSK if kiosk else (Source.VIRTUAL if data.get("remote") else Source.WEB)
        with errors_on(form):
            visit, _guess = actions.do_take_ticket(
                office,
                data["service"],
                language=get_language()[:2],
                phone=data["phone"],
                email=data.get("email", ""),
                needs=data["needs"],
                source=source,
                idempotency_key=f"page:{office.id}:{data['attempt']}",
                actor=PUBLIC,
            )
            return visit, 302
        return form, 409
    if request.method == "GET":
        form = CheckInForm(initial={"attempt": uuid.uuid4()}, office=office, with_contact=not kiosk)
    return form, 400 if request.method == "POST" else 200


@public
@require_http_methods(["GET", "POST"])
def kiosk(request, office):
    office = _office(office)
    result, status = _check_in(request, office, kiosk=True)
    if status == 302:
        return redirect(kiosk_ticket_url(result))
    context = {
        "office": office,
        "form": result,
        "notices": notices_for(office),
        "closed": closed_message(office),
        "code_keys": CODE_ALPHABET,  # the booking code's keypad: only characters codes use
    }
    return render(request, "queues/kiosk.html", context, status=status)


KIOSK_TICKET_SHOWN_FOR = timedelta(minutes=3)


def kiosk_ticket_url(visit) -> str:
    return reverse("queues:kiosk-ticket", args=[visit.office_id, visit.id, visit.secret])


def visit_url(visit) -> str:
    return reverse("queues:visit", args=[visit.id, visit.secret])


@public
@require_GET
def kiosk_ticket(request, office, visit, secret):
    """The ticket on the kiosk's screen, with a QR code to follow the turn on a phone.

    The kiosk is shared: its history must not let the next person open this ticket (and its
    QR code, which carries the visit's secret) later, so the page is shown only just after
    the check-in and never cached."""
    visit = actions.access_visit_as_holder(visit, secret)
    if visit.office_id != office:
        raise Http404
    if timezone.now() - visit.arrived_at > KIOSK_TICKET_SHOWN_FOR:
        return redirect("queues:kiosk", office=office)
    context = _visit_context(request, visit)
    context["qr"] = qr_svg(
        settings.SITE_URL + visit_url(visit),
        _("QR code to follow your turn on your phone"),
    )
    context["print_ticket"] = QueueRules.for_office(visit.office).kiosk_prints_ticket
    response = render(request, "queues/kiosk_ticket.html", context)
    response["Cache-Control"] = "no-store"
    return response


TICKETS_IN_SESSION = "queues.tickets"  # office id → the visit this browser took there


def ticket_held_here(request, office):
    """The open visit this browser already took at this office from its phone, if any."""
    visit_id = request.session.get(TICKETS_IN_SESSION, {}).get(str(office.id))
    if visit_id is None:
        return None
    return Visit.objects.filter(id=visit_id, status__in=OPEN_STATUSES).first()


def remember_ticket(request, visit) -> None:
    tickets = dict(request.session.get(TICKETS_IN_SESSION, {}))
    tickets[str(visit.office_id)] = str(visit.id)
    request.session[TICKETS_IN_SESSION] = tickets


@public
@require_http_methods(["GET", "POST"])
def web_check_in(request, office):
    """Check in from a phone. A browser that already holds an open ticket here is sent back to
    it (after "Back" then "Take a ticket" once more, say) unless the person asks for another
    ticket for someone else."""
    office = _office(office)
    held = ticket_held_here(request, office)
    another = bool(request.GET.get("another"))  # kept in the form's address when posting
    if request.method == "POST" and held is not None and not another:
        messages.info(
            request,
            _("You already have ticket %(ticket)s. Here is where it stands.")
            % {"ticket": held.ticket},
        )
        return redirect(visit_url(held))
    result, status = _check_in(request, office, kiosk=False)
    if status == 302:
        remember_ticket(request, result)
        return redirect(visit_url(result))
    context = {
        "office": office,
        "form": result,
        "notices": notices_for(office),
        "closed": closed_message(office),
        "held": None if another else held,
    }
    return render(request, "queues/check_in.html", context, status=status)


@public
@require_GET
def poster(request, office):
    office = _office(office)
    url = settings.SITE_URL + reverse("queues:check-in", args=[office.id])
    qr = qr_svg(url, _("QR code to take a ticket on your phone"))
    return render(request, "queues/poster.html", {"office": office, "qr": qr, "url": url})


def _visit_context(request, visit):  # noqa: ARG001 - the signature the framework calls
    now = timezone.now()
    guess = predict_for_reading(visit, now) if visit.status == VisitStatus.WAITING else None
    return {
        "visit": visit,
        "office": visit.office,
        "position": guess.position if guess else None,
        "wait": wait_range(guess.wait) if guess else None,
        "can_cancel": visit.status in (VisitStatus.WAITING, VisitStatus.CALLED),
        "notices": notices_for(visit.office, visit.service, now) if visit.is_open else [],
        "needs": [Need(need).label for need in visit.needs if need in Need.values],
    }


@public
@require_GET
def visit_status(request, visit, secret):
    # The address holds the visitor's secret: the site-wide Referrer-Policy (same-origin) keeps
    # it from other sites, and still lets the browser send an Origin with the cancel form.
    visit = actions.access_visit_as_holder(visit, secret)
    response = render(request, "queues/visit.html", _visit_context(request, visit))
    response["Cache-Control"] = "no-store"
    return response


@public
@require_POST
@failures_return_to("queues:visit")
def visit_cancel(request, visit, secret):
    citizen = actions.citizen_of_visit(visit, secret)
    visit = actions.access_visit(citizen, visit)
    actions.do_cancel(visit, actor=citizen)
    messages.success(request, _("You have left the line. Your ticket is cancelled."))
    return redirect(visit_url(visit))


EARLIER_CALLS_SHOWN = 5  # below the call being made: all a TV shows without scrolling


@public
@require_GET
def display(request, office):
    office = _office(office)
    state = board_state(office.id)
    return render(
        request,
        "queues/display.html",
        {
            "office": office,
            "board": state,
            "current": state["calls"][0] if state["calls"] else None,
            "earlier": state["calls"][1 : EARLIER_CALLS_SHOWN + 1],
            "other_language": "en" if get_language()[:2] == "fr" else "fr",
            "now": timezone.now(),
        },
    )
