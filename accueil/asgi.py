"""The application `accueil serve` runs under uvicorn.

Django's own ASGI handler hops between the event loop and a worker thread at every sync-only
middleware and runs all sync views on one thread; measured here, that cut a trivial JSON endpoint
to about 160 requests/s. Running the WSGI application in a2wsgi's thread pool costs one hop per
request instead (about 780 requests/s for the same endpoint). Long-lived async endpoints
(server-sent events for displays) can be routed to Django's ASGI handler beside it.
"""

import os

from a2wsgi import WSGIMiddleware
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accueil.settings")

# Enough threads to overlap database waits on PostgreSQL; the GIL bounds CPU work anyway.
application = WSGIMiddleware(get_wsgi_application(), workers=16)
