"""Counting the SQL statements a piece of code sends, for the query-count ratchet.

Savepoints are left out of the count: inside a test every ``transaction.atomic()`` becomes a
``SAVEPOINT``/``RELEASE SAVEPOINT`` pair (the test runs in one outer transaction), while in
production the outermost block is a real transaction, whose ``BEGIN``/``COMMIT`` Django does not
log either. Counting them would measure how deeply the test nests atomic blocks, not the work.
(SQLite and PostgreSQL issue the same savepoints; filtering them is not a difference between
the two.) Every other statement counts, ``SELECT pg_notify(…)`` included: on PostgreSQL the live
announcement rides inside the change's transaction, which is why a write path costs one more
statement there than on SQLite, where the announcement stays in the process.
"""

import re
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext

NOT_COUNTED = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.I)


class Captured:
    def __init__(self, context: CaptureQueriesContext) -> None:
        self.context = context

    @property
    def statements(self) -> list[str]:
        return [
            query["sql"]
            for query in self.context.captured_queries
            if not NOT_COUNTED.match(query["sql"])
        ]

    def __len__(self) -> int:
        return len(self.statements)

    def listing(self) -> str:
        return "\n".join(f"{n:3}. {sql}" for n, sql in enumerate(self.statements, 1))


@contextmanager
def counting():
    """``with counting() as captured: …``; then ``len(captured)`` and ``captured.listing()``."""
    with CaptureQueriesContext(connection) as context:
        yield Captured(context)


def assert_at_most(captured: Captured, bound: int, what: str) -> None:
    """Fail with every statement printed, so the reader sees which one is new."""
    assert len(captured) <= bound, (
        f"{what}: {len(captured)} queries, the ratchet allows {bound} "
        f"on {connection.vendor}:\n{captured.listing()}"
    )


def assert_same(small: Captured, large: Captured, what: str) -> None:
    """The count must not grow with the number of rows shown."""
    assert len(large) == len(small), (
        f"{what}: {len(small)} queries for the small case, {len(large)} for the large one "
        f"on {connection.vendor}.\nSmall:\n{small.listing()}\nLarge:\n{large.listing()}"
    )
