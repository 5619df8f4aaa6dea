"""One case in the agents' workspace: the request, its clocks, its timeline and the forms that
act on it (reply, internal note, status, assignment, merge, link), its files, and the
plain-language meter beside the reply.

No lost work: a form that fails (a conflict with a colleague's change, a refused file, an empty
text) shows the page again, with the case as it is now and the agent's text as they typed it,
rather than redirecting. On a conflict the form then carries the case's new version: the agent
reads what changed (it is on the page) and sends again if their answer still holds.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accueil.cases import actions, replies
from accueil.cases.models import Attachment, Case, CaseField, CaseLink, Message, MessageKind
from accueil.cases.workspace_display import (
    EVENTS,
    MESSAGE_EVENTS,
    MESSAGE_KINDS,
    answers,
    clocks,
    staff_status,
)
from accueil.cases.workspace_forms import (
    AssignForm,
    LinkForm,
    MergeForm,
    NoteForm,
    ReplyForm,
    StatusForm,
)
from accueil.cases.workspace_meter import meter_context
from accueil.core.actions import ActionError
from accueil.core.events import events_for
from accueil.core.guards import staff_required
from accueil.core.uploads import attachment_response


def _language() -> str:
    return (get_language() or "fr")[:2]


def _named(events) -> dict[str, str]:
    """The people and requests the events point to (by id), named in two queries at most."""
    people = {e.data.get("assignee") for e in events if e.verb == "case.assigned"} - {None}
    cases = {e.data.get("into") or e.data.get("other") for e in events} - {None}
    names = (
        {
            str(user.pk): user.get_full_name() or user.username
            for user in get_user_model().objects.filter(pk__in=people)
        }
        if people
        else {}
    )
    if cases:
        found = Case.objects.filter(pk__in=cases).values_list("pk", "reference")
        names.update({str(pk): reference for pk, reference in found})
    return names


def _timeline(case) -> list[dict]:
    """Every event and message of the case, oldest first; a message stands for its event."""
    entries = []
    events = [
        event
        for event in events_for(case).select_related("actor").order_by("created_at", "id")
        if event.verb not in MESSAGE_EVENTS
    ]
    names = _named(events)
    for event in events:
        about = event.data.get("assignee") or event.data.get("into") or event.data.get("other")
        entries.append(
            {
                "at": event.created_at,
                "kind": "event",
                "what": EVENTS.get(event.verb, event.verb),
                "who": event.actor,
                "about": names.get(str(about), "") if about else "",
            }
        )
    # A merged duplicate's citizen writes on their own request: their words are shown here,
    # on the original, where agents work.
    mine_or_merged = Q(case=case) | Q(case__duplicate_of=case, kind=MessageKind.CITIZEN)
    found = Message.objects.filter(mine_or_merged).select_related("author").order_by("created_at")
    for message in found:
        entries.append(
            {
                "at": message.created_at,
                "kind": message.kind,
                "what": MESSAGE_KINDS[MessageKind(message.kind)],
                "who": message.author,
                "message": message,
                "internal": message.kind == MessageKind.NOTE,
            }
        )
    entries.sort(key=lambda entry: entry["at"])
    return entries


def _template_choice(request, case):
    """The template the agent picked (``?template=<id>&language=fr``), filled for this case."""
    language = request.GET.get("language")
    language = language if language in ("fr", "en") else case.language
    templates = replies.templates_for(case.agency)
    chosen = None
    wanted = request.GET.get("template", "")
    for template in templates:
        if str(template.pk) == wanted:
            chosen = template
    return templates, chosen, language


def _forms(request, case, **bound) -> dict:
    """Every form of the page, unbound (with the case's version) unless one is given bound."""
    initial = {"version": case.version}
    templates, chosen, language = _template_choice(request, case)
    reply_initial = dict(initial)
    if chosen is not None:
        reply_initial["body"] = replies.fill(chosen, case, language)
        reply_initial["template"] = chosen.slug
    return {
        "reply_form": bound.get("reply") or ReplyForm(initial=reply_initial, prefix="reply"),
        "note_form": bound.get("note") or NoteForm(initial=initial, prefix="note"),
        "status_form": bound.get("state")
        or StatusForm(initial=initial, case=case, prefix="status"),
        "assign_form": bound.get("assign")
        or AssignForm(
            initial={**initial, "assignee": case.assignee_id},
            actor=request.actor,
            prefix="assign",
        ),
        "merge_form": bound.get("merge") or MergeForm(initial=initial, prefix="merge"),
        "link_form": bound.get("link") or LinkForm(prefix="link"),
        "templates": [(template, template.title(_language())) for template in templates],
        "chosen_template": chosen,
        "reply_language": language,
    }


def _render(request, case, *, status=200, **bound):
    language = _language()
    questions = list(CaseField.objects.filter(service=case.service))
    context = {
        "case": case,
        "status_word": staff_status(case.status),
        "clocks": clocks(case),
        "answers": answers(case, questions, language),
        "files": Attachment.objects.filter(case=case).defer("data").select_related("message"),
        "links": CaseLink.objects.filter(case=case).select_related("other"),
        "duplicates": list(case.duplicates.only("reference")),
        "timeline": _timeline(case),
        **_forms(request, case, **bound),
    }
    reply_form = context["reply_form"]
    draft = reply_form["body"].value() or ""
    context["meter"] = meter_context(draft, context["reply_language"]) if draft.strip() else None
    return render(request, "cases/workspace/detail.html", context, status=status)


def _with_version(form, case):
    """After a conflict the form carries the version now shown, so sending again is possible."""
    data = form.data.copy()
    data[form.add_prefix("version")] = str(case.version)
    form.data = data
    return form


def _failed(request, case, name, form, error: ActionError | None = None):
    if error is not None and error.code == "conflict":
        case = actions.access_case(request.actor, case.reference)  # as it is now
        _with_version(form, case)
        return _render(request, case, status=409, **{name: form})
    return _render(request, case, status=400, **{name: form})


def _act(request, case, name, form, do):
    """Run ``do(cleaned_data)``; on success back to the case, on failure the page with the form."""
    if not form.is_valid():
        return _failed(request, case, name, form)
    try:
        do(form.cleaned_data)
    except ActionError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return _failed(request, case, name, form, error)
    return None


@staff_required()
@require_GET
def case_detail(request, reference):
    case = actions.access_case(request.actor, reference)
    return _render(request, case)


@staff_required()
@require_POST
def reply(request, reference):
    case = actions.access_case(request.actor, reference)
    form = ReplyForm(request.POST, request.FILES, prefix="reply")
    if "check" in request.POST:  # "Check readability" without JavaScript: nothing is sent
        form.is_valid()
        form.errors.clear()
        return _render(request, case, reply=form)

    def do(data):
        actions.do_reply(
            request.actor,
            case,
            data["body"],
            template=data["template"],
            files=data["files"],
            version=data["version"],
        )

    failed = _act(request, case, "reply", form, do)
    if failed is not None:
        return failed
    messages.success(request, _("Your reply is sent to the citizen."))
    return redirect(reverse("cases:detail", args=[case.reference]) + "#timeline")


@staff_required()
@require_POST
def note(request, reference):
    case = actions.access_case(request.actor, reference)
    form = NoteForm(request.POST, request.FILES, prefix="note")
    # A note only adds to the case; it overwrites nothing, so it never conflicts.
    failed = _act(
        request,
        case,
        "note",
        form,
        lambda data: actions.do_add_note(request.actor, case, data["body"], files=data["files"]),
    )
    if failed is not None:
        return failed
    messages.success(request, _("Your note is added."))
    return redirect(reverse("cases:detail", args=[case.reference]) + "#timeline")


@staff_required()
@require_POST
def change_status(request, reference):
    case = actions.access_case(request.actor, reference)
    form = StatusForm(request.POST, case=case, prefix="status")
    failed = _act(
        request,
        case,
        "state",
        form,
        lambda data: actions.do_change_status(
            request.actor, case, data["status"], version=data["version"]
        ),
    )
    if failed is not None:
        return failed
    messages.success(
        request, _("The request is now “%(status)s”.") % {"status": staff_status(case.status)}
    )
    return redirect("cases:detail", case.reference)


@staff_required()
@require_POST
def assign(request, reference):
    case = actions.access_case(request.actor, reference)
    form = AssignForm(request.POST, actor=request.actor, prefix="assign")
    failed = _act(
        request,
        case,
        "assign",
        form,
        lambda data: actions.do_assign(
            request.actor,
            case,
            assignee=data["assignee"],
            team=data["team"],
            version=data["version"],
        ),
    )
    if failed is not None:
        return failed
    messages.success(request, _("The assignment is saved."))
    return redirect("cases:detail", case.reference)


def _other(request, reference: str):
    try:
        return actions.access_case(request.actor, reference)
    except Http404:
        raise ActionError(
            "invalid", _("No request you can see has this reference."), 422, field="reference"
        ) from None


@staff_required()
@require_POST
def merge(request, reference):
    case = actions.access_case(request.actor, reference)
    form = MergeForm(request.POST, prefix="merge")

    def do(data):
        original = _other(request, data["reference"])
        actions.do_merge(request.actor, case, original, version=data["version"])

    failed = _act(request, case, "merge", form, do)
    if failed is not None:
        return failed
    messages.success(request, _("This request is merged; its citizen now follows the original."))
    return redirect("cases:detail", case.reference)


@staff_required()
@require_POST
def link(request, reference):
    case = actions.access_case(request.actor, reference)
    form = LinkForm(request.POST, prefix="link")
    failed = _act(
        request,
        case,
        "link",
        form,
        lambda data: actions.do_link(request.actor, case, _other(request, data["reference"])),
    )
    if failed is not None:
        return failed
    messages.success(request, _("The requests are linked."))
    return redirect("cases:detail", case.reference)


@staff_required()
@require_GET
def download(request, reference, file_id):
    case = actions.access_case(request.actor, reference)
    attachment = Attachment.objects.filter(case=case, pk=file_id).first()
    if attachment is None:
        raise Http404
    return attachment_response(attachment.name, attachment.content_type, bytes(attachment.data))


@staff_required()
@require_POST
def meter(request):
    """The meter's fragment for the reply being written (htmx); a page without JavaScript."""
    language = request.POST.get("language")
    language = language if language in ("fr", "en") else _language()
    text = request.POST.get("reply-body") or request.POST.get("body") or ""
    context = {"meter": meter_context(text[:10_000], language)}
    if request.htmx:
        return render(request, "cases/workspace/_meter.html", context)
    return render(request, "cases/workspace/meter_page.html", context)
