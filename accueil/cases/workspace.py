"""The agents' workspace: the list of requests (views, filters, search, bulk changes).

A case's own page and its forms are in ``workspace_case.py``, staff intake in
``workspace_intake.py``; they are exported here because ``urls.py`` names them through this
module. Every page is for staff (``staff_required``) and sees only ``actions.cases_for(actor)``.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accueil.cases import actions
from accueil.cases.workspace_case import (  # noqa: F401 - named by urls.py
    assign,
    case_detail,
    change_status,
    download,
    link,
    merge,
    meter,
    note,
    reply,
)
from accueil.cases.workspace_display import active_clock, staff_status
from accueil.cases.workspace_forms import BulkForm, FilterForm
from accueil.cases.workspace_intake import intake  # noqa: F401 - named by urls.py
from accueil.cases.workspace_query import (
    PAGE_SIZE,
    VIEW_SLUGS,
    VIEWS,
    exact_reference,
    listing,
    rows,
)
from accueil.core.actions import ActionError
from accueil.core.guards import staff_required


@staff_required()
@require_GET
def case_list(request):
    view = request.GET.get("view", "mine")
    view = view if view in VIEW_SLUGS else "mine"
    filters = FilterForm(request.GET or None, actor=request.actor)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    query = cleaned.get("q", "")
    reference = exact_reference(request.actor, query)
    if reference:
        return redirect("cases:detail", reference)
    found = listing(request.actor, request.user, view=view, filters=cleaned, query=query)
    page = Paginator(found.values_list("pk", flat=True), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    kept = {k: v for k, v in request.GET.items() if k not in ("page", "view") and v}
    shown = [
        {"case": case, "clock": active_clock(case), "status": staff_status(case.status)}
        for case in rows(list(page.object_list), view)
    ]
    context = {
        "view": view,
        "views": [
            {"slug": v.slug, "label": v.label, "query": urlencode({**kept, "view": v.slug})}
            for v in VIEWS
        ],
        "filters": filters,
        "filtering": bool(kept),
        "page": page,
        "rows": shown,
        "kept": urlencode({**kept, "view": view}),
        "bulk_form": BulkForm(actor=request.actor, prefix="bulk"),
        "here": request.get_full_path(),
    }
    return render(request, "cases/workspace/list.html", context)


def _bulk_one(request, form, reference, version) -> str:
    """Apply the change to one case; ``"done"``, ``"conflict"`` or ``"refused"``."""
    try:
        case = actions.access_case(request.actor, reference)
    except Http404:
        return "refused"
    action = form.cleaned_data["action"]
    try:
        if action == BulkForm.ASSIGN_ME:
            actions.do_assign(request.actor, case, assignee=request.user, version=version)
        elif action == BulkForm.ASSIGN:
            assignee = form.cleaned_data["assignee"]
            actions.do_assign(request.actor, case, assignee=assignee, version=version)
        else:
            status = form.cleaned_data["status"]
            actions.do_change_status(request.actor, case, status, version=version)
    except ActionError as error:
        return "conflict" if error.code == "conflict" else "refused"
    return "done"


@staff_required()
@require_POST
def bulk(request):
    """Each checked case changed through its action, one at a time, with the version its row
    showed; then one message says how many changed and which a colleague changed first."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    back = back or reverse("cases:list")
    form = BulkForm(request.POST, actor=request.actor, prefix="bulk")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    outcome: dict[str, list[str]] = {"done": [], "conflict": [], "refused": []}
    for reference, version in form.targets():
        outcome[_bulk_one(request, form, reference, version)].append(reference.upper()[:16])
    if outcome["done"]:
        count = len(outcome["done"])
        messages.success(
            request,
            ngettext("%(count)s request changed.", "%(count)s requests changed.", count)
            % {"count": count},
        )
    if outcome["conflict"]:
        messages.error(
            request,
            _("Changed by someone else meanwhile, so left as they are: %(references)s.")
            % {"references": ", ".join(outcome["conflict"])},
        )
    if outcome["refused"]:
        messages.error(
            request,
            _("This change is not possible for: %(references)s.")
            % {"references": ", ".join(outcome["refused"])},
        )
    return redirect(back)
