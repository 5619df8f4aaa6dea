from django.http import Http404
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accueil.core.guards import public
from accueil.notify.models import OptOut
from accueil.notify.unsubscribe import read_token


@public
@csrf_exempt  # mail clients POST "List-Unsubscribe=One-Click"; the signed token is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    found = read_token(token)
    if found is None:
        raise Http404
    channel, address = found
    done = request.method == "POST"
    if done:
        OptOut.record(channel, address, source="unsubscribe link")
    return render(request, "notify/unsubscribe.html", {"done": done})
