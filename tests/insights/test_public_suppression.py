"""Small counts are hidden, and no hidden count can be recovered from the shown ones.

Tables are made by hand. The attacks are independent of the code under test: every
subtraction of shown cells from a shown total, and, for the linked tables, every assignment of
values to the hidden cells that agrees with everything shown.
"""

import itertools

from accueil.lib.suppression import Cell, Table, determined, is_small, suppress


def quarter(values: dict[str, tuple[int, int]]) -> Table:
    """Months of one quarter and the quarter's total: {name: (volume, within)}."""
    table = Table()
    total = [0, 0]
    for name, (volume, within) in values.items():
        table.add(Cell(name, {"volume": volume, "within": within}))
        total[0] += volume
        total[1] += within
    table.add(Cell("Q", {"volume": total[0], "within": total[1]}, total=True))
    table.sum_of("Q", list(values))
    return table


def shown(table: Table) -> dict:
    return {k: c.counts for k, c in table.cells.items() if not c.suppressed}


def hidden(table: Table) -> set:
    return {k for k, c in table.cells.items() if c.suppressed}


def subtraction_attack(table: Table) -> list:
    """Every total minus its shown parts, and every part as total minus the other parts:
    the hidden cells this recovers (should be none)."""
    recovered = []
    for equation in table.equations:
        unknown = [k for k in equation if table.cells[k].suppressed]
        if len(unknown) == 1:
            recovered.append(unknown[0])
    return recovered


def consistent_values(table: Table, column: str, bound: int) -> dict:
    """For each hidden cell, every value it can take (0..bound) so that all equations hold
    with the shown cells' true values: a brute force, independent of the row reduction."""
    unknown = sorted(hidden(table), key=str)
    possible: dict = {k: set() for k in unknown}
    for values in itertools.product(range(bound + 1), repeat=len(unknown)):
        guess = dict(zip(unknown, values, strict=True))

        def value(key, guess=guess):
            return guess[key] if key in guess else table.cells[key].counts[column]

        if all(sum(c * value(k) for k, c in eq.items()) == 0 for eq in table.equations):
            for key, v in guess.items():
                possible[key].add(v)
    return possible


def test_counts_under_five_are_small_and_zero_volume_is_not():
    assert is_small({"volume": 4, "within": 4})
    assert is_small({"volume": 1, "within": 0})
    assert is_small({"volume": 40, "within": 3})  # only 3 served in time: a small group
    assert is_small({"volume": 12, "within": 0})
    assert not is_small({"volume": 5, "within": 5})
    assert not is_small({"volume": 0, "within": 0})  # nobody came: nothing to hide


def test_a_table_without_small_counts_shows_everything():
    table = suppress(quarter({"oct": (10, 8), "nov": (12, 9), "dec": (7, 6)}))
    assert hidden(table) == set()


def test_one_small_month_hides_the_quarter_total_so_it_cannot_be_subtracted():
    table = suppress(quarter({"oct": (10, 8), "nov": (3, 2), "dec": (7, 6)}))
    assert hidden(table) == {"nov", "Q"}
    assert table.cells["Q"].complementary and not table.cells["nov"].complementary
    assert subtraction_attack(table) == []


def test_two_small_months_protect_each_other_and_the_total_stays_shown():
    table = suppress(quarter({"oct": (10, 8), "nov": (3, 2), "dec": (2, 2)}))
    assert hidden(table) == {"nov", "dec"}
    assert subtraction_attack(table) == []
    # Shown: oct and the total; nov + dec = 5 visits, and each could be 1 to 4.
    possible = consistent_values(table, "volume", 20)
    assert possible["nov"] == set(range(6))  # only their sum (5) is known


def test_a_month_with_few_served_in_time_is_hidden_even_when_busy():
    table = suppress(quarter({"oct": (40, 3), "nov": (30, 28), "dec": (25, 20)}))
    assert "oct" in hidden(table)
    assert subtraction_attack(table) == []


def test_every_subtraction_fails_on_offices_within_an_agency():
    table = Table()
    offices = {"north": (50, 40), "south": (4, 1), "east": (22, 20), "west": (9, 9)}
    for name, (volume, within) in offices.items():
        table.add(Cell(name, {"volume": volume, "within": within}))
    table.add(Cell("agency", {"volume": 85, "within": 70}, total=True))
    table.sum_of("agency", list(offices))
    suppress(table)
    assert "south" in hidden(table)
    assert len(hidden(table)) >= 2
    # Try every subtraction: total minus any subset of shown offices.
    secret = offices["south"][0]
    if not table.cells["agency"].suppressed:
        shown_offices = [o for o in offices if not table.cells[o].suppressed]
        for size in range(len(shown_offices) + 1):
            for subset in itertools.combinations(shown_offices, size):
                rest = 85 - sum(offices[o][0] for o in subset)
                # The rest still includes another hidden office besides "south".
                assert not (rest == secret and set(subset) == set(offices) - {"south"})
    assert subtraction_attack(table) == []


def test_linked_tables_cannot_be_combined_to_recover_a_hidden_cell():
    """Two services' months add up to their quarters, and the same visits by office add up to
    the agency's month: a hidden cell might be recovered by going round both tables."""
    table = Table()
    months = ("m1", "m2", "m3")
    services = {"a": (20, 30, 3), "b": (15, 25, 40)}
    for service, volumes in services.items():
        for month, volume in zip(months, volumes, strict=True):
            table.add(Cell((service, month), {"volume": volume, "within": volume}))
        table.add(
            Cell((service, "Q"), {"volume": sum(volumes), "within": sum(volumes)}, total=True)
        )
        table.sum_of((service, "Q"), [(service, m) for m in months])
    for index, month in enumerate(months):
        volume = sum(v[index] for v in services.values())
        table.add(Cell(("all", month), {"volume": volume, "within": volume}, total=True))
        table.same_total([(s, month) for s in services], [("all", month)])
    suppress(table)
    assert ("a", "m3") in hidden(table)
    assert determined(table) == []
    assert subtraction_attack(table) == []
    possible = consistent_values(table, "volume", 80)
    assert all(len(values) > 1 for values in possible.values()), possible


def test_a_single_office_agency_hides_its_total_with_its_office():
    table = Table()
    table.add(Cell("only", {"volume": 3, "within": 3}))
    table.add(Cell("agency", {"volume": 3, "within": 3}, total=True))
    table.sum_of("agency", ["only"])
    suppress(table)
    assert hidden(table) == {"only", "agency"}


def test_an_empty_month_is_a_known_zero_and_never_needs_hiding():
    table = suppress(quarter({"oct": (0, 0), "nov": (6, 5), "dec": (0, 0)}))
    assert hidden(table) == set()
