"""Send-time checks: a message whose reason has gone is dropped instead of sent.

Features register a check for their reason type, e.g. issue 4's visits::

    @still_wanted.register("visit.turn_near")
    def _(visit_id): return Visit.objects.filter(id=visit_id, status="waiting").exists()
"""

from collections.abc import Callable


class Registry:
    def __init__(self) -> None:
        self._checks: dict[str, Callable[[str], bool]] = {}

    def register(self, reason_type: str):
        def decorator(check: Callable[[str], bool]):
            self._checks[reason_type] = check
            return check

        return decorator

    def __call__(self, message) -> bool:
        check = self._checks.get(message.reason_type)
        return True if check is None else bool(check(message.reason_id))


still_wanted = Registry()
