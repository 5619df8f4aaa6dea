"""The application `accueil serve` runs under uvicorn.

Django's own ASGI handler hops between the event loop and a worker thread at every sync-only
middleware and runs all sync views on one thread; measured here, that cut a trivial JSON endpoint
to about 160 requests/s. Running the WSGI application in a2wsgi's thread pool costs one hop per
request instead (about 780 requests/s for the same endpoint). The one long-lived endpoint, the
server-sent events of display boards, is served by ``accueil.queues.sse`` on the event loop
itself, so 500 connected displays hold no thread.
"""

import os

from a2wsgi import WSGIMiddleware
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accueil.settings")

# Enough threads to overlap database waits on PostgreSQL; the GIL bounds CPU work anyway.
django_app = WSGIMiddleware(get_wsgi_application(), workers=16)

from accueil.queues import sse  # noqa: E402 - needs Django set up first


async def application(scope, receive, send):
    office = sse.match(scope)
    if office is not None:
        await sse.stream(office, scope, receive, send)
        return
    await django_app(scope, receive, send)
