"""Data built once for a whole test module, for tests that each start from the same state.

Some worlds take seconds to build through the real actions (a month of surveys, an office in
every queue state); rebuilding one before each of a dozen tests was most of those tests' time.
``built_once`` builds it once inside a transaction held open for the module; each test still runs
in its own transaction nested inside (pytest-django's ``db``, a savepoint here), so what a test
writes is rolled back before the next one starts and every test sees the world as built. At the
end of the module the outer transaction is rolled back too: nothing is left behind.

Only for tests on ``db`` (not ``transactional_db``: those commit, and would see nothing). The
Python objects are shared too: a test that changes one in memory must refetch it instead.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction


@contextmanager
def built_once(django_db_blocker, build: Callable[[], Any]) -> Iterator[Any]:
    """Yield ``build()``'s result; roll back everything it wrote when the block ends."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with django_db_blocker.unblock():
            built = build()
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
