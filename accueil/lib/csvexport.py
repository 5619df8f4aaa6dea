"""CSV files that open safely in a spreadsheet program.

Every export of the product (survey results, verbatims, later KPIs and the privacy register) goes
through here, so two things hold everywhere:

- **French survives.** The bytes are UTF-8 preceded by a byte-order mark: without it, Excel reads a
  CSV as the machine's legacy code page and « é » becomes « Ã© ».
- **A cell is never a formula.** A text that a citizen or an agent typed and that starts with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return — also after leading spaces, which
  spreadsheet programs skip — is prefixed with an apostrophe, the OWASP advice for CSV injection.
  Numbers we computed ourselves (``int``, ``float``, ``Decimal``) are written as they are: a
  negative count is data, not an attack, and only text can carry one.

Rows are written with the :mod:`csv` module (RFC 4180: CRLF line ends, a cell holding a comma, a
quote or a line break is quoted), so a comment written over several lines stays one cell.
:func:`stream` yields the file chunk by chunk for large exports (Django's
``StreamingHttpResponse``) without holding it in memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TextIO

BOM = "\ufeff"
#: What a spreadsheet program reads as the start of a formula (or of a DDE payload).
TRIGGERS = frozenset("=+-@\t\r")

Cell = str | int | float | Decimal | date | datetime | None
Row = Sequence[Cell]


def neutralise(text: str) -> str:
    """``"=1+1"`` → ``"'=1+1"``; ``"  @SUM(A1)"`` → ``"'  @SUM(A1)"``; ``"bonjour"`` unchanged.

    The first character that is not a plain space decides: a trigger (tab and CR are triggers
    themselves) means the cell is prefixed; anything else means it is left alone.
    """
    for char in text:
        if char in TRIGGERS:
            return "'" + text
        if not char.isspace():
            return text
    return text


def cell(value: Cell) -> str | int | float | Decimal:
    """One value as the csv module should write it: text neutralised, numbers as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):  # a bool is an int; write it as a word, not 1/0
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return neutralise(str(value))


def write_rows(out: TextIO, rows: Iterable[Row], *, bom: bool = True) -> None:
    """Write ``rows`` to a text stream opened with ``newline=""`` (the csv module's rule)."""
    if bom:
        out.write(BOM)
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([cell(value) for value in row])


def to_bytes(rows: Iterable[Row]) -> bytes:
    """The whole file as UTF-8 bytes with its byte-order mark (for small exports and tests)."""
    return b"".join(stream(rows))


def stream(rows: Iterable[Row], *, rows_per_chunk: int = 500) -> Iterator[bytes]:
    """Yield the file as UTF-8 bytes: the byte-order mark, then a chunk every ``rows_per_chunk``.

    Only one chunk is held at a time, so an export of a million rows costs the memory of 500.
    """
    if rows_per_chunk < 1:
        raise ValueError("rows_per_chunk must be at least 1")
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    yield BOM.encode("utf-8")
    pending = 0
    for row in rows:
        writer.writerow([cell(value) for value in row])
        pending += 1
        if pending == rows_per_chunk:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate(0)
            pending = 0
    if pending:
        yield buffer.getvalue().encode("utf-8")
