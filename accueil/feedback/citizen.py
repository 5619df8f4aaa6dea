"""The citizen's survey pages: answer in two taps, without JavaScript, once per invitation.

The address carries the invitation's secret (``core/capabilities.py``): the only power, so an
unknown invitation and a wrong secret get the same 404, and the pages ask browsers to keep no
copy and to send their address to no other site (as the request tracking pages do).

Screen 1 asks the survey's first question; when it can be answered by one tap (thumbs, a
5-point scale), each choice is a submit button, so one tap records the required answer. Screen
2 offers the rest — every question optional — with one "Send" button (the second tap) and a
"Skip" button. Then a thank-you page, with a block the recognition pages fill
(``feedback/_after_survey.html``). A second response is refused with a clear page (409); an
expired invitation explains itself (410).
"""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accueil.core import ratelimit
from accueil.core.actions import ActionError
from accueil.core.guards import public
from accueil.feedback import actions
from accueil.feedback.models import Invitation, QuestionKind, Response

ONE_TAP = (QuestionKind.TRUST_THUMBS, QuestionKind.SCALE5)
SCALE = (1, 2, 3, 4, 5)


def no_store(response):
    """The address holds the secret: no copy kept, never sent to another site."""
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "same-origin"
    return response


# After a thumb up, ask what went well; after a thumb down, what did not (as GSA Touchpoints
# does with the A-11 form): half the boxes, each list read the right way round.
AFTER_THUMB = {1: "went_badly", 0: "went_well"}  # the question the answer leaves out


def screens(invitation: Invitation, response: Response | None = None) -> tuple[list, list]:
    """(first screen's questions, second screen's questions)."""
    questions = list(invitation.survey.questions.all())
    if not questions or questions[0].kind not in ONE_TAP:
        return questions, []
    first, rest = questions[:1], questions[1:]
    if response is not None and first[0].kind == QuestionKind.TRUST_THUMBS:
        thumb = response.answers.filter(question=first[0]).values_list("value_int", flat=True)
        left_out = AFTER_THUMB.get(thumb.first())
        rest = [q for q in rest if q.code != left_out]
    return first, rest


def values_from(post, questions) -> dict:
    values: dict = {}
    for question in questions:
        if question.kind == QuestionKind.CHOICES:
            values[question.code] = post.getlist(question.code)
        elif question.code in post:
            values[question.code] = post.get(question.code)
    return values


def state_of(invitation: Invitation) -> tuple[str, Response | None]:
    """ "open", "answered" (screen 2 to go), "done" or "expired"."""
    response = Response.objects.filter(invitation=invitation).first()
    if response is not None:
        return ("done" if response.completed_at else "answered"), response
    if invitation.expired():
        return "expired", None
    return "open", None


def context_for(invitation: Invitation, response: Response | None = None, **extra) -> dict:
    first, rest = screens(invitation, response)
    return {
        "invitation": invitation,
        "response": response,
        "survey": invitation.survey,
        "first": first,
        "rest": rest,
        "one_tap": len(first) == 1 and first[0].kind in ONE_TAP and bool(rest),
        "scale": SCALE,
        "zone": invitation.office.zone,
        **extra,
    }


def page(request, invitation: Invitation, *, base: str, action: str, status: int = 200, **extra):
    """The survey as it stands (shared with the counter tablet): the right screen and status.

    ``status`` is that of a refused POST (409 already answered, 422 a missing answer)."""
    state, response = state_of(invitation)
    context = context_for(invitation, response, base=base, action=action, state=state, **extra)
    if state == "done":
        return render(request, "feedback/surveys/answered.html", context, status=status)
    if state == "expired":
        return render(request, "feedback/surveys/expired.html", context, status=410)
    context["screen"] = 2 if state == "answered" else 1
    return render(request, "feedback/surveys/survey.html", context, status=status)


def submit(request, invitation: Invitation, *, actor=None):
    """Record one screen's answers; returns None on success, else the ActionError."""
    _state, response = state_of(invitation)
    first, rest = screens(invitation, response)
    on_screen = rest if response is not None else first
    final = response is not None or not rest or "skip" in request.POST
    values = (
        {}
        if "skip" in request.POST and response is not None
        else values_from(request.POST, on_screen)
    )
    try:
        actions.do_answer(invitation, values, final=final, actor=actor)
    except ActionError as error:
        return error
    return None


def _rate_limited(request) -> int | None:
    return ratelimit.hit(request, "survey", ratelimit.Limit.parse(settings.SURVEY_RATE))


@public
@require_http_methods(["GET", "POST"])
def survey(request, invitation_id, secret):
    invitation = actions.access_invitation(invitation_id, secret)
    here = reverse("feedback:survey", args=[invitation.id, secret])
    common = {"base": "base.html", "action": here}
    if request.method == "POST":
        wait = _rate_limited(request)
        if wait:
            context = context_for(invitation, **common, wait=max(1, -(-wait // 60)))
            return no_store(render(request, "feedback/surveys/slow_down.html", context, status=429))
        error = submit(request, invitation)
        if error is None:
            done = Response.objects.filter(invitation=invitation, completed_at__isnull=False)
            if done.exists():
                return redirect("feedback:thanks", invitation.id, secret)
            return redirect(here)
        return no_store(page(request, invitation, **common, error=error, status=error.status))
    return no_store(page(request, invitation, **common))


@public
@require_GET
def thanks(request, invitation_id, secret):
    invitation = actions.access_invitation(invitation_id, secret)
    response = Response.objects.filter(invitation=invitation).first()
    if response is None:
        return redirect("feedback:survey", invitation.id, secret)
    context = context_for(invitation, response, base="base.html", secret=secret)
    return no_store(render(request, "feedback/surveys/thanks.html", context))
