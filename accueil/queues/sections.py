"""What the queues add to core's public office and service pages: open now or when it opens,
and per service the people waiting and the wait for someone arriving now — the same figures
the display board and the API show (one forecast per office, ``waits.recent_forecast``)."""

from django.utils import timezone
from django.utils.translation import get_language

from accueil.core.sections import office_sections, service_sections
from accueil.lib import dates
from accueil.queues.service_notices import notices_for
from accueil.queues.waits import recent_forecast, wait_range


def opening_state(office, now) -> dict:
    calendar = office.calendar()
    language = (get_language() or "fr")[:2]
    closes = calendar.closes_at(now)
    if closes is not None:
        return {"open": True, "until": dates.time_of_day(closes, language)}
    opens = calendar.next_opening(now)
    if opens is None:
        return {"open": False, "next": None}
    same_day = opens.date() == now.astimezone(office.zone).date()
    text = (
        dates.time_of_day(opens, language)
        if same_day
        else dates.day_and_time(opens, language, year=False)
    )
    return {"open": False, "next": text, "today": same_day}


def service_rows(office, services, now) -> list[dict]:
    guess = recent_forecast(office, now)
    return [
        {
            "service": service,
            "waiting": guess.waiting_for(service.id),
            "wait": wait_range(guess.for_new_arrival(service.id)),
            "bookable": bool(service.appointment_minutes),
        }
        for service in services
    ]


@office_sections.register
def office_now(request, office):  # noqa: ARG001 - the signature the framework calls
    now = timezone.now()
    return "queues/_office_now.html", {
        "office": office,
        "state": opening_state(office, now),
        "rows": service_rows(office, office.services.all(), now),
        "notices": notices_for(office, now=now),
    }


@service_sections.register
def service_now(request, service):  # noqa: ARG001 - the signature the framework calls
    now = timezone.now()
    offices = [
        {"office": office, "state": opening_state(office, now), "row": row}
        for office in service.offices.all()
        for row in service_rows(office, [service], now)
    ]
    return "queues/_service_now.html", {"service": service, "offices": offices}
