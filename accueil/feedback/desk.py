"""Surveys at the desk: the last visitor's QR code and short code on the agent's console, the
short-code page, and the counter tablet.

- The console shows, under the visitor being served, a card for the desk's latest invitation
  (made by the consumer a moment after "Complete"): a QR code of the survey's link and a short
  code to type at ``/s/``. It is registered as a desk section (core/sections.py): queues never
  imports feedback.
- The **counter tablet** is a device at the desk, opened once on the address the console gives
  (the desk's id and a secret derived from it, like a visit's). It shows a welcome screen, and
  the survey of the desk's latest visit for a few minutes after it was completed; after the
  answers, or when those minutes pass, it goes back to the welcome screen (a few lines of
  JavaScript, ``counter-tablet.js``, re-armed by every touch; not ``<meta refresh>``, which
  nobody can pause). It shows nothing about the visitor but the survey.
"""

from datetime import timedelta

import segno
from django.conf import settings
from django.db.models import Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accueil.catalog.models import Desk
from accueil.core import capabilities, ratelimit
from accueil.core.guards import public
from accueil.core.sections import desk_sections
from accueil.feedback import actions, citizen
from accueil.feedback.models import Invitation, Response, SentVia
from accueil.feedback.models.surveys import (
    SHORT_LENGTH,
    normalise_short_code,
    short_digest_for,
)
from accueil.queues.models import Visit, VisitStatus

CONSOLE_WINDOW = timedelta(minutes=15)  # the card stays on the console this long
TABLET_WINDOW = timedelta(minutes=3)  # the tablet offers the survey this long after the visit
WELCOME_REFRESH = 5  # seconds between two looks for a newly completed visit
SURVEY_TIMEOUT = 90  # seconds before an unanswered survey screen is looked at again
THANKS_SHOWN = 8  # seconds


def qr_svg(url: str, label: str) -> str:
    """An inline SVG QR code, drawn here: nothing is fetched from elsewhere."""
    svg = segno.make(url, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")
    return mark_safe(f'<div class="qr" role="img" aria-label="{label}">{svg}</div>')  # noqa: S308


def latest_for_desk(desk, since, via: str) -> Invitation | None:
    """The invitation of the desk's latest completed visit, made after ``since`` and not yet
    fully answered, if the service lets people answer that way (``via``: "qr" or "tablet").

    Only that visit's: the worker makes an invitation a moment after the visit ends, and until
    then the previous visitor's survey must not be offered to the person at the desk."""
    last_visit = (
        Visit.objects.filter(desk=desk, status=VisitStatus.DONE)
        .order_by("-ended_at")
        .values("id")[:1]
    )
    invitation = (
        Invitation.objects.filter(
            desk=desk, subject_type="visit", subject_id=Subquery(last_visit), created_at__gte=since
        )
        .select_related("survey", "agency", "service", "office", "response")
        .order_by("-created_at")
        .first()
    )
    if invitation is None or invitation.expired():
        return None
    response = getattr(invitation, "response", None)  # the last visitor's, not an earlier one's
    if response is not None and response.completed_at is not None:
        return None
    if not actions.settings_for_service(invitation.service).allows(via):
        return None
    return invitation


def short_url() -> str:
    return settings.SITE_URL + reverse("feedback:short")


def tablet_path(desk) -> str:
    return reverse("feedback:tablet", args=[desk.id, capabilities.secret_for("counter", desk.id)])


@desk_sections.register
def survey_card(_request, desk):
    """On the console: the last visitor's survey, to show them or print."""
    invitation = latest_for_desk(desk, timezone.now() - CONSOLE_WINDOW, SentVia.QR)
    context = {"desk": desk, "tablet_path": tablet_path(desk), "invitation": invitation}
    if invitation is not None:
        link = actions.survey_url(invitation)
        code = invitation.short_code
        context.update(
            qr=qr_svg(link, _("QR code of the survey for the last visitor")),
            code=f"{code[:5]}-{code[5:]}",
            short_url=short_url(),
        )
    return "feedback/desk/_console.html", context


# -- the short code -------------------------------------------------------------------------


@public
@require_http_methods(["GET", "POST"])
def short(request):
    """Type the code from the card at the desk; a wrong code says so, a right one opens the
    survey. Rate-limited: ten characters are enough only behind a limit."""
    typed = (request.POST.get("code") or request.GET.get("code") or "").strip()
    status, problem = 200, ""
    if typed:
        wait = ratelimit.hit(request, "survey-code", ratelimit.Limit.parse(settings.SURVEY_RATE))
        code = normalise_short_code(typed)
        invitation = None
        if wait:
            status = 429
            problem = _("Too many codes were tried from this connection. Wait a minute.")
        elif len(code) == SHORT_LENGTH:
            invitation = Invitation.objects.filter(short_digest=short_digest_for(code)).first()
        if invitation is not None:
            return citizen.no_store(redirect("feedback:survey", invitation.id, invitation.secret))
        if not wait:
            status = 404
            problem = _("We did not find this code. Check it on your card and type it again.")
    context = {"typed": typed, "problem": problem}
    return citizen.no_store(render(request, "feedback/desk/short.html", context, status=status))


# -- the counter tablet ---------------------------------------------------------------------


def _tablet_desk(desk_id, secret) -> Desk:
    desk = get_object_or_404(Desk.objects.select_related("office__agency"), id=desk_id)
    if not capabilities.holds("counter", desk.id, secret):
        raise Http404
    return desk


@public
@require_http_methods(["GET", "POST"])
def tablet(request, desk_id, secret):
    desk = _tablet_desk(desk_id, secret)
    here = reverse("feedback:tablet", args=[desk.id, secret])
    base = {"base": "feedback/desk/tablet_base.html", "desk": desk, "office": desk.office}
    invitation = latest_for_desk(desk, timezone.now() - TABLET_WINDOW, SentVia.TABLET)
    if request.method == "POST":
        posted = request.POST.get("invitation", "")
        if invitation is None or str(invitation.id) != posted:
            return redirect(here)  # that visitor's minutes are over: back to the welcome
        wait = ratelimit.hit(request, "survey", ratelimit.Limit.parse(settings.SURVEY_RATE))
        if wait:
            return redirect(here)
        error = citizen.submit(request, invitation)
        if error is None:
            if Response.objects.filter(invitation=invitation, completed_at__isnull=False).exists():
                context = {**base, "refresh": THANKS_SHOWN, "here": here, "invitation": invitation}
                return render(request, "feedback/desk/tablet_thanks.html", context)
            return redirect(here)
        page = citizen.page(
            request,
            invitation,
            **base,
            action=here,
            error=error,
            status=error.status,
            refresh=SURVEY_TIMEOUT,
            here=here,
            on_tablet=True,
        )
        return page
    if invitation is None:
        context = {**base, "refresh": WELCOME_REFRESH, "here": here}
        return render(request, "feedback/desk/tablet_welcome.html", context)
    return citizen.page(
        request,
        invitation,
        **base,
        action=here,
        refresh=SURVEY_TIMEOUT,
        here=here,
        on_tablet=True,
    )
