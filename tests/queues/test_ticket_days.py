"""Ticket numbers restart at local midnight and never repeat in the repeated DST hour."""

from datetime import UTC, datetime

from accueil.queues.actions import do_check_in


def test_numbers_restart_at_local_midnight_not_utc(personas):
    office = personas.office  # America/Toronto
    before = do_check_in(office, personas.service, now=datetime(2026, 11, 27, 4, 59, tzinfo=UTC))
    after = do_check_in(office, personas.service, now=datetime(2026, 11, 27, 5, 1, tzinfo=UTC))
    assert before.ticket.endswith("-001") and after.ticket.endswith("-001")
    assert (before.day.isoformat(), after.day.isoformat()) == ("2026-11-26", "2026-11-27")
    utc_midnight = do_check_in(
        office, personas.service, now=datetime(2026, 11, 28, 0, 30, tzinfo=UTC)
    )
    assert utc_midnight.ticket.endswith("-002")  # still 27 November in Toronto


def test_the_repeated_hour_keeps_counting(personas):
    # 2026-11-01 01:30 happens twice in Toronto: 05:30 UTC (EDT) and 06:30 UTC (EST).
    first = do_check_in(
        personas.office, personas.service, now=datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    )
    second = do_check_in(
        personas.office, personas.service, now=datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    )
    assert first.day == second.day
    assert [first.number, second.number] == [1, 2]
