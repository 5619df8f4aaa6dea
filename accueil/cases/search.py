"""Searching requests, the same way in the workspace and the REST API.

A reference typed whole finds that request. Other words search its text: PostgreSQL's full
text in French and English (the generated ``search`` column, migration 0002, with its GIN
index), a plain case-insensitive "contains" on SQLite (enough for a small office).
"""

import re

from django.db import connection
from django.db.models import Q, QuerySet

from accueil.cases.models import Case

REFERENCE = re.compile(r"^\s*R-\d{4}-[A-Z0-9]{4,8}\s*$", re.IGNORECASE)


def search(found: QuerySet[Case], query: str) -> QuerySet[Case]:
    query = (query or "").strip()
    if not query:
        return found
    if REFERENCE.match(query):
        return found.filter(reference=query.upper())
    if connection.vendor == "postgresql":
        table = Case._meta.db_table  # a constant; the person's words are bound parameters
        return found.extra(  # noqa: S610 - the search column is not on the model (migration 0002)
            where=[
                f"{table}.search @@ "
                "(plainto_tsquery('french', %s) || plainto_tsquery('english', %s))"
            ],
            params=[query, query],
        )
    return found.filter(
        Q(reference__icontains=query)
        | Q(description__icontains=query)
        | Q(contact_name__icontains=query)
        | Q(address__icontains=query)
    )
