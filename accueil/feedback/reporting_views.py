"""The supervisor's feedback page: the A-11 figures, the comments, their CSV exports.

Everything is a GET form or a POST form with CSRF, so the page works without JavaScript. The
filters are read by one form (``ReportForm``) whose choices are the supervisor's own services,
offices and surveys, so a filter can never reach another agency's rows; the reporting and the
actions check again. Changes (flag, clear a flag, remove personal information, read comments
again with the current themes) go through ``reporting_actions``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages as flash
from django.http import QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accueil.cases.models import Case
from accueil.catalog.access import offices_for, services_for
from accueil.catalog.models import Channel
from accueil.core.actions import failures_return_to
from accueil.core.guards import staff_required
from accueil.feedback.exports import a11_rows, verbatim_rows
from accueil.feedback.models import QuestionKind, Survey, ThemeRule
from accueil.feedback.reporting import (
    PERIOD_KINDS,
    Filters,
    Period,
    QuestionResult,
    default_survey,
    report,
)
from accueil.feedback.reporting_actions import (
    access_response,
    do_clear_flag,
    do_flag,
    do_redact,
    do_reread_comments,
)
from accueil.feedback.verbatims import LIST_LIMIT, VerbatimFilters, verbatims
from accueil.lib import csvexport
from accueil.queues.models import Visit

FLAGGED_CHOICES = [
    ("", gettext_lazy("All comments")),
    ("yes", gettext_lazy("Flagged only")),
    ("no", gettext_lazy("Not flagged")),
]


class ReportForm(forms.Form):
    """The page's filters, limited to what the supervisor may see."""

    period = forms.ChoiceField(
        label=gettext_lazy("Period"), choices=list(PERIOD_KINDS.items()), required=False
    )
    on = forms.DateField(
        label=gettext_lazy("Including the day"),
        required=False,
        # An HTML date field speaks ISO 8601 whatever the page's language.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    survey = forms.ModelChoiceField(
        label=gettext_lazy("Survey"), queryset=Survey.objects.none(), required=False
    )
    service = forms.ModelChoiceField(
        label=gettext_lazy("Service"),
        queryset=Survey.objects.none(),
        required=False,
        empty_label=gettext_lazy("All services"),
    )
    office = forms.ModelChoiceField(
        label=gettext_lazy("Office"),
        queryset=Survey.objects.none(),
        required=False,
        empty_label=gettext_lazy("All offices"),
    )
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    theme = forms.ChoiceField(label=gettext_lazy("Theme"), required=False)
    flagged = forms.ChoiceField(
        label=gettext_lazy("Flags"), choices=FLAGGED_CHOICES, required=False
    )
    q = forms.CharField(label=gettext_lazy("Words in the comment"), required=False, max_length=100)

    def __init__(self, data, *, actor):
        # An unbound form shows what the page shows by default: this month, the A-11 form.
        survey = default_survey(actor)
        initial = {"period": "month", "on": timezone.localdate(), "survey": survey}
        super().__init__(data, initial=initial)
        self.actor = actor
        self.fields["survey"].queryset = Survey.objects.filter(agency_id=actor.agency_id)
        self.fields["survey"].empty_label = None
        self.fields["service"].queryset = services_for(actor)
        self.fields["office"].queryset = offices_for(actor)
        self.fields["channel"].choices = [("", _("All channels")), *Channel.choices]
        themes = ThemeRule.objects.filter(agency_id=actor.agency_id, active=True)
        self.fields["theme"].choices = [("", _("All themes"))] + [(t.code, t.label) for t in themes]

    def value(self, name, default=None):
        """A filter's cleaned value; a field typed wrong falls back to its default (the form
        shows the error), the others still apply."""
        if not self.is_bound:
            return default
        self.is_valid()
        return self.cleaned_data.get(name) or default

    def filters(self) -> Filters:
        today = timezone.localdate()
        period = Period.containing(self.value("period", "month"), self.value("on", today))
        return Filters(
            period=period,
            survey=self.value("survey") or default_survey(self.actor),
            service=self.value("service"),
            office=self.value("office"),
            channel=self.value("channel", ""),
        )

    def verbatim_filters(self, filters: Filters) -> VerbatimFilters:
        start, end = filters.period.bounds()
        return VerbatimFilters(
            theme=self.value("theme", ""),
            flagged=self.value("flagged", ""),
            service=str(filters.service.pk) if filters.service else "",
            office=str(filters.office.pk) if filters.office else "",
            channel=filters.channel,
            start=start,
            end=end,
            search=self.value("q", ""),
        )


def _form(request) -> ReportForm:
    return ReportForm(request.GET or None, actor=request.actor)


def _query(request, **changes) -> str:
    query = request.GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@staff_required("supervisor")
@require_GET
def feedback_page(request):
    form = _form(request)
    filters = form.filters()
    rep = report(request.actor, filters)
    comments = list(verbatims(request.actor, form.verbatim_filters(filters)))
    _name_subjects(comments)
    period = filters.period
    context = {
        "form": form,
        "report": rep,
        "period": period,
        "period_label": period.label(get_language() or "fr"),
        "previous_query": _query(request, period=period.kind, on=period.previous().start),
        "next_query": _query(request, period=period.kind, on=period.next().start),
        "query": request.GET.urlencode(),
        "answers": [_answer_table(result) for result in rep.results(rep.total)],
        "comments": comments,
        "comments_capped": len(comments) == LIST_LIMIT,
        "limit": LIST_LIMIT,
    }
    return render(request, "feedback/reporting/page.html", context)


def _name_subjects(comments) -> None:
    """Each comment's visit (its ticket) or request (its reference, linked to the request's
    page): two queries for the whole list. Read through the models, not imported actions:
    feedback sits above queues and cases."""
    ids = {c.invitation.subject_id: c for c in comments}
    cases = Case.objects.filter(id__in=ids).values_list("id", "reference")
    visits = Visit.objects.filter(id__in=ids).values_list("id", "ticket", "day")
    for case_id, reference in cases:
        ids[case_id].subject = {"reference": reference}
    for visit_id, ticket, day in visits:
        ids[visit_id].subject = {"ticket": ticket, "day": day}


def _answer_table(result: QuestionResult) -> dict:
    """One question's totals as the page shows them: (label, count) per answer, and the share
    A-11 reports (thumbs up; 4 and 5) with what it is a share of."""
    question = result.question
    if question.kind == QuestionKind.TRUST_THUMBS:
        items = [(_("Yes (thumbs up)"), result.counts["1"]), (_("No"), result.counts["0"])]
        share_label = _("Share of yes")
    elif question.kind == QuestionKind.SCALE5:
        items = [(str(point), result.counts[str(point)]) for point in range(1, 6)]
        share_label = _("Share of 4 and 5")
    else:
        items = [(label, result.counts[code]) for code, label in question.choice_list()]
        share_label = ""
    return {
        "question": question,
        "scale": question.kind == QuestionKind.SCALE5,
        "items": items,
        "share": result.share,
        "share_label": share_label,
        "answered": result.answered,
    }


def _download(rows, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csvexport.stream(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required("supervisor")
@require_GET
def a11_csv(request):
    form = _form(request)
    filters = form.filters()
    rep = report(request.actor, filters)
    agency = request.user.agency
    return _download(a11_rows(rep, str(agency)), f"a11-{filters.period.code}.csv")


@staff_required("supervisor")
@require_GET
def comments_csv(request):
    form = _form(request)
    filters = form.filters()
    rows = verbatims(request.actor, form.verbatim_filters(filters), limit=None)
    return _download(verbatim_rows(rows), f"comments-{filters.period.code}.csv")


def _back(request):
    """Back to the page with the filters the supervisor had (a query string, re-encoded)."""
    query = QueryDict(request.POST.get("back", ""), mutable=True)
    address = reverse("feedback:reporting")
    return redirect(f"{address}?{query.urlencode()}#comments" if query else f"{address}#comments")


@staff_required("supervisor")
@require_POST
@failures_return_to("feedback:reporting", fragment="#comments")
def flag(request, response_id):
    response = access_response(request.actor, response_id)
    if request.POST.get("clear"):
        do_clear_flag(request.actor, response)
        flash.success(request, _("The flag was cleared."))
    else:
        do_flag(request.actor, response)
        flash.success(request, _("The comment is flagged."))
    return _back(request)


@staff_required("supervisor")
@require_POST
@failures_return_to("feedback:reporting", fragment="#comments")
def redact(request, response_id):
    response = access_response(request.actor, response_id)
    do_redact(request.actor, response, request.POST.get("passage", ""))
    flash.success(
        request, _("The words were removed from the comment. They are not kept anywhere.")
    )
    return _back(request)


@staff_required("supervisor")
@require_POST
@failures_return_to("feedback:reporting", fragment="#comments")
def reread(request):
    count = do_reread_comments(request.actor)
    flash.success(
        request,
        ngettext(
            "%(count)s comment was read again with the current themes.",
            "%(count)s comments were read again with the current themes.",
            count,
        )
        % {"count": count},
    )
    return _back(request)
