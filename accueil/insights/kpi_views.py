"""The supervisor's KPI pages: an overview against the previous period, and one page per view
(visits, requests, satisfaction, agents), each panel a chart, its table and its CSV file.

Supervisors and administrators see their own agency; agents get 403 (``staff_required``). The
filters are a GET form whose choices are the supervisor's own offices and services: an office or
a service of another agency in the address is a 404, never a page of someone else's figures. A
supervisor assigned to some offices only sees one of them at a time (the rollups' ``Scope`` takes
one office), never the agency's totals, which would include offices they may not see.

Nothing here writes: the pages read the rollups through ``kpis``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accueil.catalog.access import offices_for, services_for
from accueil.catalog.models import Channel
from accueil.core.guards import staff_required
from accueil.insights import kpi_format as fmt
from accueil.insights import kpi_pages
from accueil.insights.kpis import Scope
from accueil.lib import csvexport

PERIODS = [
    ("7", gettext_lazy("Last 7 days")),
    ("30", gettext_lazy("Last 30 days")),
    ("month", gettext_lazy("This month")),
    ("quarter", gettext_lazy("Last quarter")),
    ("custom", gettext_lazy("Dates chosen below")),
]
LONGEST = 731  # days: two years, so a chart and its table stay readable


class KpiForm(forms.Form):
    """The pages' filters; the choices are what the supervisor may see."""

    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PERIODS, required=False)
    start = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=gettext_lazy("To (included)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    office = forms.ChoiceField(label=gettext_lazy("Office"), required=False)
    service = forms.ChoiceField(label=gettext_lazy("Service"), required=False)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)

    def __init__(self, data: Any, *, offices: list, services: list, agency_wide: bool) -> None:
        super().__init__(data, initial={"period": "30"})
        office_choices = [(str(o.pk), o.name) for o in offices]
        if agency_wide:
            office_choices.insert(0, ("", _("All offices")))
        self.fields["office"].choices = office_choices
        self.fields["service"].choices = [("", _("All services"))] + [
            (str(s.pk), s.name) for s in services
        ]
        self.fields["channel"].choices = [("", _("All channels")), *Channel.choices]
        self.agency_wide = agency_wide

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Give both dates, or choose a period."))
            if end < start:
                raise forms.ValidationError(_("The end date is before the start date."))
            if (end - start).days >= LONGEST:
                raise forms.ValidationError(_("Choose a period of two years at most."))
        return data

    def dates(self, today: date) -> tuple[date, date]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        kind = data.get("period") or "30"
        if kind == "custom":
            return data["start"], data["end"]
        if kind == "7":
            return today - timedelta(days=6), today
        if kind == "month":
            return today.replace(day=1), today
        if kind == "quarter":
            first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
            end = first - timedelta(days=1)
            return end.replace(month=(end.month - 1) // 3 * 3 + 1, day=1), end
        return today - timedelta(days=29), today

    def choice(self, name: str) -> str:
        """A filter's value; a value the supervisor may not choose (another agency's office) is
        a 404, so the page never tells whether it exists."""
        value = self.data.get(name, "") if self.is_bound else ""
        allowed = {str(key) for key, _label in self.fields[name].choices}
        if value and value not in allowed:
            if name == "channel":
                return ""
            raise Http404
        if name == "office" and not value and not self.agency_wide:
            return str(self.fields["office"].choices[0][0])
        return value


def _context(request: HttpRequest) -> dict[str, Any]:
    """The filters and the scope they give, for every KPI page and export."""
    actor = request.actor  # type: ignore[attr-defined]
    offices = list(offices_for(actor).order_by("name_fr"))
    services = list(services_for(actor).order_by("name_fr"))
    agency_wide = actor.office_ids is None
    if not offices and not agency_wide:
        raise Http404
    form = KpiForm(request.GET or None, offices=offices, services=services, agency_wide=agency_wide)
    office, service, channel = form.choice("office"), form.choice("service"), form.choice("channel")
    start, end = form.dates(timezone.localdate())
    scope = Scope(
        actor.agency_id,
        start,
        end,
        office_id=_uuid(offices, office),
        service_id=_uuid(services, service),
        channel=channel or None,
    )
    previous = scope.previous()
    return {
        "form": form,
        "scope": scope,
        "period_label": fmt.period_label(start, end),
        "previous_label": fmt.period_label(previous.start, previous.end),
        "query": request.GET.urlencode(),
        "views": [(slug, label) for slug, label in kpi_pages.VIEWS.items()],
        "offices": offices,
        "services": services,
    }


def _uuid(objects: list, key: str) -> Any:
    return next((o.pk for o in objects if str(o.pk) == key), None)


def _names(context: dict[str, Any], with_agents: bool) -> kpi_pages.Names:
    agents: dict[Any, str] = {}
    if with_agents:
        users = get_user_model().objects.filter(agency_id=context["scope"].agency_id)
        for user in users.only("id", "first_name", "last_name", "username"):
            agents[user.pk] = user.get_full_name() or user.username
    return kpi_pages.Names(
        offices={o.pk: o.name for o in context["offices"]},
        services={s.pk: s.name for s in context["services"]},
        agents=agents,
    )


@staff_required("supervisor")
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    scope = context["scope"]
    context["headlines"], context["panel"] = kpi_pages.overview(scope)
    return render(request, "insights/kpi_overview.html", context)


@staff_required("supervisor")
@require_GET
def overview_csv(request: HttpRequest) -> StreamingHttpResponse:
    context = _context(request)
    scope = context["scope"]
    rows: list[list[Any]] = [[_("Measure"), _("This period"), _("Previous period"), _("Unit")]]
    units = {"duration": _("minutes"), "share": "%", "count": ""}
    for line in kpi_pages.overview(scope)[0]:
        rows.append([line.label, line.raw_current, line.raw_previous, units[line.kind]])
    return _download(rows, f"kpi-overview-{scope.start}-{scope.end}.csv")


@staff_required("supervisor")
@require_GET
def view_page(request: HttpRequest, view: str) -> HttpResponse:
    context = _context(request)
    panels = kpi_pages.BUILDERS[view](context["scope"], _names(context, view == "agents"))
    context.update({"view": view, "title": kpi_pages.VIEWS[view], "panels": panels})
    return render(request, "insights/kpi_view.html", context)


@staff_required("supervisor")
@require_GET
def view_csv(request: HttpRequest, view: str) -> StreamingHttpResponse:
    context = _context(request)
    scope = context["scope"]
    panels = kpi_pages.BUILDERS[view](scope, _names(context, view == "agents"))
    wanted = request.GET.get("table") or panels[0].slug  # the page's first table by default
    panel = next((one for one in panels if one.slug == wanted), None)
    if panel is None:
        raise Http404
    return _download(panel.csv_rows(), f"kpi-{view}-{panel.slug}-{scope.start}-{scope.end}.csv")


def _download(rows: list[list[Any]], name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csvexport.stream(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
