"""Small-count suppression for published tables, proven against differencing.

A published count under 5 could point at a person ("the 2 visitors of that office in March"),
so it is hidden (*primary* suppression). Hiding it is not enough when the table also shows
totals: if only one cell of a row of months is hidden and the quarter's total is shown, the
hidden cell is the total minus the others. Cells are therefore linked by *equations* (a total
equals the sum of its parts; two tables that add up the same population equal each other), and
more cells are hidden (*complementary* suppression) until no hidden cell can be computed from
the shown ones by any combination of the equations — not only by one subtraction.

Which hidden cells can be computed is plain linear algebra: with the shown cells moved to the
right-hand side, a hidden cell is determined exactly when its unit vector lies in the row space
of the equations restricted to hidden cells; in the reduced row-echelon form that means its
pivot row has no other non-zero entry. The systems are small (a few hundred cells), so exact
fractions are fast enough.

Which cell to hide as the complement: a *total* first, then the smallest part. A total is the
safest choice over time: figures are published every day, counts only grow, so a cell once
shown stays shown, and nothing an earlier day published can be subtracted from today's page.

Pure Python, no Django: the rules are tested with hand-made tables.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

#: Counts from 1 to ``THRESHOLD - 1`` are small; so is a part (e.g. "served in time") under it.
THRESHOLD = 5


@dataclass
class Cell:
    """One published row: its counts (e.g. ``{"volume": 40, "within": 31}``), whether it is
    the total of a group, and what suppression decided."""

    key: Hashable
    counts: Mapping[str, int]
    total: bool = False
    suppressed: bool = False
    complementary: bool = False  # hidden only to protect another cell

    @property
    def volume(self) -> int:
        return int(self.counts.get("volume", 0))

    @property
    def empty(self) -> bool:
        """Nothing happened: shown as "no data", a known zero that reveals no one."""
        return self.volume == 0


@dataclass
class Table:
    """Cells and the linear equations between them: each equation maps cell keys to integer
    coefficients whose weighted sum is zero (a total: ``{total: 1, part: -1, …}``)."""

    cells: dict[Hashable, Cell] = field(default_factory=dict)
    equations: list[dict[Hashable, int]] = field(default_factory=list)

    def add(self, cell: Cell) -> Cell:
        self.cells[cell.key] = cell
        return cell

    def sum_of(self, total: Hashable, parts: Iterable[Hashable]) -> None:
        equation = {total: 1}
        for part in parts:
            equation[part] = equation.get(part, 0) - 1
        self.equations.append(equation)

    def same_total(self, left: Iterable[Hashable], right: Iterable[Hashable]) -> None:
        """Two sets of cells that count the same population (by office and by service)."""
        equation: dict[Hashable, int] = {}
        for key in left:
            equation[key] = equation.get(key, 0) + 1
        for key in right:
            equation[key] = equation.get(key, 0) - 1
        self.equations.append(equation)


def is_small(counts: Mapping[str, int]) -> bool:
    """A row with people in it whose volume, or any part of it, is under the threshold
    (``0 <= n < 5``: "none of the 12 was served in time" is also a small group)."""
    volume = int(counts.get("volume", 0))
    if volume == 0:
        return False
    return any(
        0 <= int(value) < THRESHOLD
        for name, value in counts.items()
        if name in ("volume", "within")
    )


def determined(table: Table) -> list[Hashable]:
    """The hidden cells that the equations and the shown cells give away, in a stable order."""
    unknown = [key for key, cell in table.cells.items() if cell.suppressed]
    column = {key: index for index, key in enumerate(unknown)}
    rows = []
    for equation in table.equations:
        row = {column[k]: Fraction(c) for k, c in equation.items() if k in column and c}
        if row:
            rows.append(row)
    pivots = _reduce(rows)
    return [unknown[col] for col, row in pivots.items() if len(row) == 1]


def _reduce(rows: list[dict[int, Fraction]]) -> dict[int, dict[int, Fraction]]:
    """Reduced row-echelon form of sparse rows: {pivot column: row}."""
    pivots: dict[int, dict[int, Fraction]] = {}
    for row in rows:
        row = dict(row)
        for col, prow in pivots.items():  # eliminate the existing pivots from the new row
            factor = row.get(col)
            if factor:
                for c, v in prow.items():
                    value = row.get(c, Fraction(0)) - factor * v
                    if value:
                        row[c] = value
                    else:
                        row.pop(c, None)
        if not row:
            continue
        col = min(row)
        lead = row[col]
        row = {c: v / lead for c, v in row.items()}
        for other in pivots.values():  # and the new pivot from the existing rows
            factor = other.get(col)
            if factor:
                for c, v in row.items():
                    value = other.get(c, Fraction(0)) - factor * v
                    if value:
                        other[c] = value
                    else:
                        other.pop(c, None)
        pivots[col] = row
    return pivots


def _order(cell: Cell) -> tuple[bool, bool, int, str]:
    """Which shown cell to hide first: a total, then a cell with people in it, the smallest."""
    return (not cell.total, cell.empty, cell.volume, str(cell.key))


def _one_subtraction_away(table: Table) -> None:
    """The quick pass: while an equation has exactly one hidden cell (one subtraction gives
    it away), hide another of its cells. Most tables need nothing more; the exact check in
    :func:`suppress` then has little left to do."""
    changed = True
    while changed:
        changed = False
        for equation in table.equations:
            cells = [table.cells[k] for k in equation if k in table.cells and equation[k]]
            hidden = [c for c in cells if c.suppressed]
            shown = [c for c in cells if not c.suppressed]
            if len(hidden) == 1 and shown:
                complement = min(shown, key=_order)
                complement.suppressed = complement.complementary = True
                changed = True


def _complement_for(table: Table, key: Hashable) -> Cell | None:
    """The cell to hide so that ``key`` is protected: a total of an equation it is in, else
    the smallest part there, else (a combination gave it away) the smallest shown cell."""
    order = _order
    near = [
        table.cells[k]
        for equation in table.equations
        if key in equation
        for k in equation
        if k in table.cells and not table.cells[k].suppressed
    ]
    if not near:
        near = [
            table.cells[k]
            for equation in table.equations
            for k in equation
            if k in table.cells and not table.cells[k].suppressed
        ]
    return min(near, key=order) if near else None


def suppress(table: Table) -> Table:
    """Hide the small cells, then as few more as needed so none can be recomputed."""
    for cell in table.cells.values():
        if is_small(cell.counts):
            cell.suppressed = True
    _one_subtraction_away(table)
    while True:
        exposed = determined(table)
        if not exposed:
            return table
        complement = _complement_for(table, exposed[0])
        if complement is None:  # every cell is hidden: nothing left to give away
            return table
        complement.suppressed = True
        complement.complementary = True
