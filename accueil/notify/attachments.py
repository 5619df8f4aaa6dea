"""Files an email carries, made at send time from the reason's current state.

A feature registers a maker for its reason type, e.g. the appointment's calendar file::

    @attachments.register("appointment.booked")
    def _(appointment_id): return [("rendez-vous.ics", data, "text/calendar")]
"""

from collections.abc import Callable

Attachment = tuple[str, bytes, str]


class Registry:
    def __init__(self) -> None:
        self._makers: dict[str, Callable[[str], list[Attachment]]] = {}

    def register(self, reason_type: str):
        def decorator(maker: Callable[[str], list[Attachment]]):
            self._makers[reason_type] = maker
            return maker

        return decorator

    def __call__(self, message) -> list[Attachment]:
        maker = self._makers.get(message.reason_type)
        return [] if maker is None else maker(message.reason_id)


attachments = Registry()
