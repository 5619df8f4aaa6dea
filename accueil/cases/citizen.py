"""The citizen's pages: the services that take requests online, a request form per service,
and tracking with the secret from the acknowledgement.

A reference alone grants nothing: the tracking page, the reply form and the files all need the
case's secret (``core/capabilities.py``), and an unknown reference and a wrong secret get the
same 404. The tracking address carries the secret, so its pages ask browsers to keep no copy
(``no-store``) and to send their address to no other site (``Referrer-Policy: same-origin``,
as a header and a ``<meta>``). Not ``no-referrer``: under that policy a browser sends
``Origin: null`` with the page's own reply form, which the CSRF check rightly refuses; with
``same-origin`` the secret goes only back to this site, which already holds it.

Messages on the tracking page show no agent's name: the citizen reads answers from the agency,
not from a person whose name they could look up; the agent's name stays in the workspace.
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accueil.cases import actions
from accueil.cases.forms import ReplyForm, RequestForm, accepted_files
from accueil.cases.models import (
    Attachment,
    Case,
    CaseField,
    FieldKind,
    Message,
    MessageKind,
    Status,
)
from accueil.catalog.models import Channel, Service
from accueil.core import ratelimit
from accueil.core.actions import errors_on
from accueil.core.actors import PUBLIC
from accueil.core.guards import public
from accueil.core.uploads import attachment_response
from accueil.lib import dates

JUST_OPENED = "cases.just_opened"  # session: the reference whose confirmation to show once


def _explanation(status: str, reopen_until: str) -> str:
    """What the status means for the person waiting, in plain words."""
    texts = {
        Status.NEW: _("We have received your request. An agent will read it soon."),
        Status.ACKNOWLEDGED: _("An agent has read your request and will work on it."),
        Status.IN_PROGRESS: _("An agent is working on your request."),
        Status.WAITING: _(
            "We need an answer from you to go on. Read our last message and reply below. "
            "Our time limit is paused until you answer."
        ),
        Status.RESOLVED: _(
            "We have dealt with your request. If something is still wrong, reply below by "
            "%(date)s and we will look at it again."
        )
        % {"date": reopen_until},
        Status.CLOSED: _("Your request is closed. To ask for something else, make a new request."),
    }
    return texts[Status(status)]


def _language() -> str:
    return (get_language() or settings.LANGUAGE_CODE)[:2]


# -- choosing a service ------------------------------------------------------------------------


def _online_services():
    """Active services that take requests on the web (channels is a JSON list: filtered here,
    as SQLite cannot look inside it)."""
    found = (
        Service.objects.filter(active=True)
        .select_related("category")
        .prefetch_related("standards")
        .order_by("category__position", "category__name_fr", "name_fr")
    )
    return [service for service in found if Channel.WEB in service.channels]


def service_key(service, services) -> str:
    """The service's slug in its form's address, or its id when another agency's service
    offered online has the same slug (slugs are unique only within an agency)."""
    same = [other for other in services if other.slug == service.slug]
    return service.slug if len(same) == 1 else str(service.id)


def _service(key: str):
    services = _online_services()
    try:
        wanted = uuid.UUID(key)
    except ValueError:
        found = [service for service in services if service.slug == key]
    else:
        found = [service for service in services if service.id == wanted]
    if len(found) != 1:
        raise Http404
    return found[0]


@public
@require_GET
def choose_service(request):
    services = _online_services()
    for service in services:
        service.form_key = service_key(service, services)
        service.published_standards = [
            standard.describe()
            for standard in service.standards.all()
            if standard.published and standard.measure in ("response", "resolution")
        ]
    return render(request, "cases/citizen/services.html", {"services": services})


# -- the request form --------------------------------------------------------------------------


def _rate_limited(request, scope: str) -> int | None:
    return ratelimit.hit(request, scope, ratelimit.Limit.parse(settings.CASE_RATE))


@public
@require_http_methods(["GET", "POST"])
def new_request(request, service):
    service = _service(service)
    case_settings = actions.settings_for(service)
    language = _language()
    form = RequestForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        service=service,
        case_settings=case_settings,
        language=language,
    )
    status = 200
    wait = None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            wait = _rate_limited(request, "case")
            if wait:
                form.add_error(
                    None,
                    _(
                        "Too many requests were sent from this connection. Wait %(minutes)s "
                        "minute(s), then send again: what you typed is kept below."
                    )
                    % {"minutes": max(1, -(-wait // 60))},
                )
                status = 429
            else:
                with errors_on(form):
                    case = actions.do_open_case(
                        PUBLIC,
                        service=service,
                        channel=Channel.WEB,
                        intake=form.intake,
                        files=form.all_files,
                    )
                    request.session[JUST_OPENED] = case.reference
                    return redirect(track_path(case))
    context = {
        "service": service,
        "form": form,
        "standards": [s.describe() for s in service.standards.all() if s.published],
        "files_lost": request.method == "POST" and bool(request.FILES),
    }
    response = render(request, "cases/citizen/new.html", context, status=status)
    if wait:
        response["Retry-After"] = str(wait)
    return response


def track_path(case: Case) -> str:
    return reverse("cases:track", args=[case.reference, case.tracking_secret])


# -- tracking ----------------------------------------------------------------------------------


@public
@require_GET
def find(request):
    return render(request, "cases/citizen/find.html", {})


def _holder(reference: str, secret: str) -> Case:
    """The case for whoever holds its secret; 404 alike for an unknown reference or a wrong
    secret."""
    citizen = actions.citizen_of_case(reference, secret)
    return actions.access_case(citizen, reference)


def _visible_attachments(case: Case):
    """The files the case's citizen may see: the public ones of their own case and, once it
    was merged, those the agents sent on the request it was merged into."""
    own = Attachment.objects.filter(case=case, public=True)
    if case.duplicate_of_id:
        return own | Attachment.objects.filter(
            case_id=case.duplicate_of_id, public=True, from_citizen=False
        )
    return own


def _visible_messages(case: Case) -> list[Message]:
    """Public messages: the citizen's and the agents' replies, never internal notes. After a
    merge, the agents' replies on the original too (its notices reach this citizen as well),
    but not the other citizen's own words."""
    mine = Message.objects.filter(case=case, kind__in=(MessageKind.REPLY, MessageKind.CITIZEN))
    if case.duplicate_of_id:
        mine = mine | Message.objects.filter(case_id=case.duplicate_of_id, kind=MessageKind.REPLY)
    return list(mine.order_by("created_at"))


def _timeline(progress: Case, zone) -> list[dict]:
    steps = []
    for when, status in progress.transitions:
        if status not in Status.values:
            continue
        steps.append(
            {
                "status": status,
                "label": Status(status).label,
                "at": timezone.localtime(datetime.fromisoformat(when), zone),
            }
        )
    if steps:
        steps[-1]["current"] = True
    return steps


def _answers(case: Case, language: str) -> list[dict]:
    """The answers to the service's questions, labelled as the form asked them."""
    shown = []
    for question in CaseField.objects.filter(service_id=case.service_id):
        if question.code not in case.fields or question.kind == FieldKind.LOCATION:
            continue  # a place is shown once, as the request's own place
        value = case.fields[question.code]
        if question.kind == FieldKind.CHOICE:
            value = question.choice_label(str(value), language)
        elif question.kind == FieldKind.YES_NO:
            value = _("Yes") if value is True else _("No")
        shown.append({"label": question.label(language), "value": value})
    return shown


def _reopen_until(progress: Case) -> datetime | None:
    if progress.status != Status.RESOLVED or progress.resolved_at is None:
        return None
    days = actions.settings_for(progress.service).reopen_days
    return progress.resolved_at + timedelta(days=days)


def _tracking_context(request, case: Case, reply_form=None) -> dict:
    progress = case.duplicate_of if case.duplicate_of_id else case  # whose progress to show
    zone = progress.office.zone
    reopen_until = _reopen_until(progress)
    reopen_text = (
        dates.day(timezone.localtime(reopen_until, zone), _language()) if reopen_until else ""
    )
    can_reply = progress.status != Status.CLOSED and (
        reopen_until is None or timezone.now() <= reopen_until
    )
    attachments = list(_visible_attachments(case).defer("data").order_by("created_at"))
    by_message: dict = {}
    for attachment in attachments:
        by_message.setdefault(attachment.message_id, []).append(attachment)
    thread = _visible_messages(case)
    for message in thread:
        message.files = by_message.get(message.id, [])
    just_opened = request.session.pop(JUST_OPENED, None) == case.reference
    return {
        "case": case,
        "progress": progress,
        "merged": bool(case.duplicate_of_id),
        "zone": zone,
        "timeline": _timeline(progress, zone),
        "explanation": _explanation(progress.status, reopen_text),
        "paused": progress.status == Status.WAITING,
        "thread": thread,
        "request_files": by_message.get(None, []),
        "answers": _answers(case, _language()),
        "can_reply": can_reply,
        "reopen_until": reopen_until,
        "reopen_days": actions.settings_for(progress.service).reopen_days,
        "reply_form": reply_form or ReplyForm(),
        "files_help": accepted_files(actions.settings_for(case.service)),
        "just_opened": just_opened,
        "secret": case.tracking_secret,
    }


def _private(response):
    """The address holds the secret: no copy kept anywhere, and never sent to another site
    (the page's meta says so too; see the module docstring for why not ``no-referrer``)."""
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "same-origin"
    return response


@public
@require_GET
def track(request, reference, secret):
    case = _holder(reference, secret)
    context = _tracking_context(request, case)
    return _private(render(request, "cases/citizen/track.html", context))


@public
@require_POST
def reply(request, reference, secret):
    citizen = actions.citizen_of_case(reference, secret)
    case = actions.access_case(citizen, reference)
    form = ReplyForm(request.POST, request.FILES)
    form.is_valid()
    status = 400
    wait = _rate_limited(request, "case-reply")
    if wait:
        form.add_error(
            None,
            _("Too many messages were sent from this connection. Wait a minute, then send again."),
        )
        status = 429
    else:
        with errors_on(form):
            actions.do_citizen_reply(
                citizen,
                case,
                request.POST.get("body", ""),
                files=request.FILES.getlist("files"),
            )
            messages.success(request, _("Your message was sent. We will answer you here."))
            return _private(redirect(track_path(case) + "#messages"))
    case.refresh_from_db()
    context = _tracking_context(request, case, reply_form=form)
    response = _private(render(request, "cases/citizen/track.html", context, status=status))
    if wait:
        response["Retry-After"] = str(wait)
    return response


@public
@require_GET
def download(request, reference, secret, file_id):  # noqa: ARG001 - the framework's signature
    case = _holder(reference, secret)
    attachment = _visible_attachments(case).filter(id=file_id).first()
    if attachment is None:
        raise Http404
    return attachment_response(attachment.name, attachment.content_type, bytes(attachment.data))
