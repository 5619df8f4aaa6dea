"""Recognition's staff pages: the agent's own feedback, thanking a colleague, the team's wall
(also on a TV), the supervisor's check of what goes on the wall, and the wellbeing pulse.

Every change goes through ``recognition_actions``; what the pages read comes from
``recognition`` (each function reads only what the actor may see).
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accueil.catalog.access import access_office, offices_for
from accueil.core.actions import errors_on, failures_return_to
from accueil.core.actors import Role
from accueil.core.guards import staff_required
from accueil.feedback import recognition
from accueil.feedback import recognition_actions as actions
from accueil.feedback.models import WallStatus
from accueil.feedback.recognition_forms import ColleagueForm, PulseCommentForm

MOODS = [
    (1, gettext_lazy("Very bad")),
    (2, gettext_lazy("Bad")),
    (3, gettext_lazy("So-so")),
    (4, gettext_lazy("Good")),
    (5, gettext_lazy("Very good")),
]
WORKLOADS = [
    (1, gettext_lazy("Very light")),
    (2, gettext_lazy("Light")),
    (3, gettext_lazy("About right")),
    (4, gettext_lazy("Heavy")),
    (5, gettext_lazy("Far too heavy")),
]


# -- the agent's own page ----------------------------------------------------------------------


@staff_required()
@require_GET
def my_feedback(request):
    actor = request.actor
    kudos = list(recognition.own_kudos(actor)[:50])  # read before they are marked as read
    actions.do_mark_kudos_seen(actor)
    context = {
        "kudos": kudos,
        "new_count": sum(1 for item in kudos if item.seen_at is None),
        "wows": recognition.own_wows(actor),
        "months": recognition.trust_by_month(actor),
        "month_minimum": recognition.MONTH_MINIMUM,
        "WallStatus": WallStatus,
    }
    return render(request, "feedback/recognition/my_feedback.html", context)


@staff_required()
@require_POST
@failures_return_to("feedback:my-feedback")
def offer_to_wall(request, kudos):
    item = actions.access_own_kudos(request.actor, kudos)
    actions.do_offer_to_wall(request.actor, item)
    messages.success(
        request, _("Thank you. A supervisor will check it before it goes on the wall.")
    )
    return redirect("feedback:my-feedback")


@staff_required()
@require_POST
@failures_return_to("feedback:my-feedback")
def keep_private(request, kudos):
    item = actions.access_own_kudos(request.actor, kudos)
    actions.do_keep_private(request.actor, item)
    messages.success(request, _("This compliment is only for you now."))
    return redirect("feedback:my-feedback")


@staff_required()
@require_http_methods(["GET", "POST"])
def thank_colleague(request):
    actor = request.actor
    form = ColleagueForm(request.POST or None, colleagues=actions.colleagues_of(actor))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            with errors_on(form):
                kudos = actions.do_thank_colleague(
                    actor, form.cleaned_data["recipient"], form.cleaned_data["message"]
                )
                messages.success(
                    request,
                    _("Your thanks are on their way to %(name)s.")
                    % {"name": actions.first_name(kudos.agent)},
                )
                return redirect("feedback:my-feedback")
    return render(
        request, "feedback/recognition/thank_colleague.html", {"form": form}, status=status
    )


# -- the wall ------------------------------------------------------------------------------------


@staff_required()
@require_GET
def wall(request):
    actor = request.actor
    office = None
    if request.GET.get("office"):
        office = access_office(actor, request.GET["office"])
    tv = request.GET.get("layout") == "tv"
    context = {
        **recognition.wall(actor, office),
        "office": office,
        "offices": offices_for(actor).order_by("name_fr"),
        "tv": tv,
        "can_review": actor.has_role(Role.SUPERVISOR),
    }
    return render(request, "feedback/recognition/wall.html", context)


@staff_required(Role.SUPERVISOR)
@require_GET
def review_queue(request):
    actor = request.actor
    rows = actions.reviewable(actor).select_related("agent", "service", "office")
    context = {
        "pending": rows.filter(wall_status=WallStatus.PENDING)
        .exclude(agent=actor.user)
        .order_by("wall_requested_at"),
        "recent": rows.filter(wall_status__in=[WallStatus.APPROVED, WallStatus.DECLINED])
        .select_related("reviewed_by")
        .order_by("-reviewed_at")[:10],
    }
    return render(request, "feedback/recognition/review.html", context)


@staff_required(Role.SUPERVISOR)
@require_POST
@failures_return_to("feedback:kudos-review")
def review_decide(request, kudos):
    item = actions.access_kudos_for_review(request.actor, kudos)
    approve = request.POST.get("decision") == "approve"
    actions.do_review_kudos(request.actor, item, approve=approve)
    name = actions.first_name(item.agent)
    if approve:
        messages.success(request, _("The compliment to %(name)s is on the wall.") % {"name": name})
    else:
        messages.success(
            request, _("The compliment to %(name)s stays off the wall.") % {"name": name}
        )
    return redirect("feedback:kudos-review")


# -- the wellbeing pulse -------------------------------------------------------------------------


@staff_required()
@require_http_methods(["GET", "POST"])
@failures_return_to("feedback:pulse")
def pulse(request):
    """Two taps: the mood (its five answers are buttons), then the workload (five buttons that
    send, under an optional comment). Nothing is written before the second tap."""
    actor = request.actor
    context = {"moods": MOODS, "workloads": WORKLOADS, "step": 1}
    if actions.answered_this_week(actor):
        return render(request, "feedback/recognition/pulse.html", {**context, "done": True})
    status = 200
    form = PulseCommentForm(request.POST or None)
    if request.method == "POST":
        mood = request.POST.get("mood", "")
        if mood not in {"1", "2", "3", "4", "5"}:
            context["error"] = _("Choose one of the five answers.")
            status = 400
        elif "workload" not in request.POST:
            context.update(step=2, mood=int(mood))
        elif form.is_valid():
            actions.do_answer_pulse(
                actor,
                mood=mood,
                workload=request.POST["workload"],
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, _("Thank you. Your answer was saved without your name."))
            return redirect("feedback:pulse")
        else:
            context.update(step=2, mood=int(mood))
            status = 400
    context["form"] = form if context["step"] == 2 else PulseCommentForm()
    return render(request, "feedback/recognition/pulse.html", context, status=status)


@staff_required(Role.SUPERVISOR)
@require_GET
def pulse_results(request):
    actor = request.actor
    weeks = recognition.closed_weeks(count=12)
    week = request.GET.get("week") or weeks[0]
    figures = recognition.pulse_figures(actor, week, request.user.agency.name)
    context = {
        "weeks": [(code, recognition.monday_of(code)) for code in weeks],
        "week": week,
        "figures": figures,
    }
    return render(request, "feedback/recognition/pulse_results.html", context)
