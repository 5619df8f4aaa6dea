"""The citizen's "thank the person who served you" page, after a survey.

The address carries the survey invitation's secret (the same power as the survey's pages); the
agent thanked is the invitation's, so nothing a form sends can point the thanks elsewhere. The
survey's thank-you page shows the same form (``feedback/_after_survey.html``) and posts here.
"""

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accueil.core import ratelimit
from accueil.core.actions import ActionError, errors_on
from accueil.core.actors import Actor
from accueil.core.guards import public
from accueil.feedback import recognition_actions as actions
from accueil.feedback.actions import access_invitation
from accueil.feedback.recognition_forms import ThanksForm


def _private(response):
    """The address holds the secret: no copy kept, never sent to another site."""
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "same-origin"
    return response


@public
@require_http_methods(["GET", "POST"])
def thanks_agent(request, invitation_id, secret):
    invitation = access_invitation(invitation_id, secret)
    form = ThanksForm(request.POST or None)
    refused = None
    status = 200
    try:
        actions.check_can_thank(invitation)
    except ActionError as error:
        refused, status = error, error.status
    if request.method == "POST" and refused is None:
        status = 400
        wait = ratelimit.hit(request, "survey-thanks", ratelimit.Limit.parse(settings.SURVEY_RATE))
        if wait:
            form.add_error(
                None, _("Too many messages came from this device. Please wait a minute.")
            )
            status = 429
        elif form.is_valid():
            with errors_on(form):
                actions.do_thank_agent(
                    Actor.citizen("survey", invitation.id), invitation, form.cleaned_data["message"]
                )
                return _private(redirect("feedback:thanks-agent", invitation.id, secret))
    sent = refused is not None and refused.code == "already_thanked"
    if sent and request.method == "GET":
        status = 200  # back after sending (or a reload): the page says it was passed on
    context = {
        "invitation": invitation,
        "secret": secret,
        "form": form,
        "refused": refused,
        "sent": sent,
    }
    response = render(request, "feedback/recognition/thanks_agent.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(wait)
    return _private(response)
