"""Accessible charts drawn on the server as SVG text: no JavaScript, no library, no build step.

A page that shows a chart also shows the same numbers in a table (the design's rule), so a chart
here only has to be *readable*, not exhaustive. What it must be:

- **Accessible.** The ``<svg>`` is ``role="img"`` and named by its ``<title>`` and ``<desc>``
  (``aria-labelledby``), a text alternative the caller writes in the page's language, because only
  the caller knows what the chart says ("Mean wait by day, 1 to 30 November; highest on the 3rd").
  Marks are drawn in colours with at least 3:1 contrast on white (WCAG 1.4.11), and two series are
  told apart by their dash pattern and a legend as well as by colour (WCAG 1.4.1).
- **Safe.** Every label is escaped: service names and agents' names come from people. Nothing
  executable is ever written (no script, no event attribute, no external reference).
- **Fluid.** Only a ``viewBox``, no fixed width or height, so the chart scales down to a phone
  and up to a wall screen; the page's CSS decides the size.

The module imports nothing from Django (``accueil.lib``): the caller formats numbers and dates
in the page's language and passes them in as text (``Point.text``) and as a ``tick_format``.
Values are assumed non-negative (durations, counts, shares); a negative value is drawn as zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

#: Marks and text. The brand blue is 8.1:1 on white, the grey 5.3:1 — both far above 3:1.
BAR_COLOUR = "#0b4f8a"
PREVIOUS_COLOUR = "#6b6b6b"
TEXT_COLOUR = "#1b1b1b"
AXIS_COLOUR = "#4a4a4a"
GRID_COLOUR = "#d0d4d8"  # decoration only; the values are read from the bars and the table
FONT_SIZE = 14
WIDTH = 500  # with 14-unit text: about 10 px letters on a phone, 17 px at 40rem


@dataclass(frozen=True)
class Point:
    """One category and its value.

    ``label`` names the category (a day, an hour, a service); ``value`` is the number drawn (None
    when there is no data for that category: no mark is drawn); ``text`` is the value as the page
    shows it ("12,5 min") and is written beside the bar when there is room.
    """

    label: str
    value: float | None
    text: str = ""


@dataclass(frozen=True)
class Series:
    """A named line for :func:`line_chart`; ``dashed`` draws it dashed (the previous period)."""

    name: str
    points: Sequence[Point]
    dashed: bool = False


def _x(text: object) -> str:
    """Text escaped for XML character data and double-quoted attribute values."""
    return escape(str(text), quote=True)


def _num(value: float) -> str:
    """A coordinate, short and locale-free."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _default_tick(value: float) -> str:
    return f"{value:g}"


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Round tick values from 0 to at least ``top``: 0, 5, 10, 15 rather than 0, 3.7, 7.4 …"""
    if top <= 0 or not math.isfinite(top):
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    steps = math.ceil(top / step - 1e-9)
    return [round(step * i, 10) for i in range(steps + 1)]


def _label_step(labels: Sequence[str], width: float, limit: int) -> int:
    """Show every n-th category label so that labels never overlap (about 8 units a letter)."""
    longest = max((min(len(label), limit) for label in labels), default=1)
    fits = max(1, int(width // (longest * 8 + 10)))
    return max(1, math.ceil(len(labels) / fits))


def _shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _open(
    chart_id: str, width: float, height: float, title: str, desc: str, kind: str
) -> list[str]:
    cid = _x(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" font-family="inherit" '
        f'font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">',
        f'<title id="{cid}-title">{_x(title)}</title>',
        f'<desc id="{cid}-desc">{_x(desc)}</desc>',
    ]


def _no_data(chart_id: str, title: str, desc: str, message: str, kind: str) -> str:
    height = 120
    parts = _open(chart_id, WIDTH, height, title, desc, kind)
    parts.append(
        f'<rect x="0.5" y="0.5" width="{WIDTH - 1}" height="{height - 1}" fill="none" '
        f'stroke="{AXIS_COLOUR}" stroke-dasharray="4 4"/>'
    )
    parts.append(
        f'<text class="no-data" x="{WIDTH / 2:g}" y="{height / 2 + 5:g}" '
        f'text-anchor="middle">{_x(message)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _has_data(points: Sequence[Point]) -> bool:
    return any(p.value is not None for p in points)


def bar_chart(
    points: Sequence[Point],
    *,
    title: str,
    desc: str,
    value_label: str = "",
    category_label: str = "",
    horizontal: bool = False,
    tick_format: Callable[[float], str] | None = None,
    max_value: float | None = None,
    no_data: str = "No data",
    chart_id: str = "chart",
) -> str:
    """A bar chart as SVG text: vertical (days, hours) or ``horizontal`` (services, agents).

    ``value_label`` names the value axis with its unit ("Minutes"); ``category_label`` the other
    ("Day"). ``max_value`` fixes the top of the scale (100 for percentages); otherwise it is the
    largest value rounded up. With no value at all the chart says ``no_data`` instead.
    ``chart_id`` must be unique on the page (it prefixes the ids of the title and description).
    """
    kind = "hbar" if horizontal else "bar"
    if not _has_data(points):
        return _no_data(chart_id, title, desc, no_data, kind)
    fmt = tick_format or _default_tick
    largest = max(max(p.value or 0.0, 0.0) for p in points)
    ticks = nice_ticks(max_value if max_value else largest)
    top = ticks[-1] or 1.0
    if horizontal:
        return _horizontal(
            points, title, desc, value_label, category_label, fmt, ticks, top, chart_id
        )
    return _vertical(points, title, desc, value_label, category_label, fmt, ticks, top, chart_id)


def _vertical(
    points: Sequence[Point],
    title: str,
    desc: str,
    value_label: str,
    category_label: str,
    fmt: Callable[[float], str],
    ticks: list[float],
    top: float,
    chart_id: str,
) -> str:
    left, right, upper, plot_h = 64.0, 28.0, 24.0, 200.0
    lower = 58.0
    height = upper + plot_h + lower
    plot_w = WIDTH - left - right
    n = len(points)
    slot = plot_w / n
    bar_w = max(slot * 0.7, 1.0)
    every = _label_step([p.label for p in points], plot_w, 12)
    show_values = n <= 12
    parts = _open(chart_id, WIDTH, height, title, desc, "bar")
    parts += _value_grid_vertical(ticks, top, fmt, left, upper, plot_w, plot_h)
    base = upper + plot_h
    for i, point in enumerate(points):
        cx = left + slot * i + slot / 2
        if point.value is not None:
            h = plot_h * max(point.value, 0.0) / top
            parts.append(
                f'<rect class="bar" x="{_num(cx - bar_w / 2)}" y="{_num(base - h)}" '
                f'width="{_num(bar_w)}" height="{_num(h)}" fill="{BAR_COLOUR}"/>'
            )
            if show_values and point.text:
                parts.append(
                    f'<text class="value" x="{_num(cx)}" y="{_num(base - h - 4)}" '
                    f'text-anchor="middle">{_x(point.text)}</text>'
                )
        if i % every == 0:
            parts.append(_category_label(cx, base, point.label))
    parts += _bottom_axis_and_end(value_label, category_label, left, upper, plot_w, plot_h, height)
    return "".join(parts)


def _category_label(x: float, base: float, label: str) -> str:
    """A category's name under the bottom axis, shortened to fit."""
    return (
        f'<text class="category" x="{_num(x)}" y="{_num(base + 18)}" '
        f'text-anchor="middle">{_x(_shorten(label, 12))}</text>'
    )


def _bottom_axis_and_end(
    value_label: str,
    category_label: str,
    left: float,
    upper: float,
    plot_w: float,
    plot_h: float,
    height: float,
) -> list[str]:
    """The bottom axis, both axis titles and the end of the drawing."""
    base = upper + plot_h
    return [
        _axis_line(left, base, left + plot_w, base),
        *_axis_titles(value_label, category_label, left, upper, plot_w, plot_h, height),
        "</svg>",
    ]


def _horizontal(
    points: Sequence[Point],
    title: str,
    desc: str,
    value_label: str,
    category_label: str,
    fmt: Callable[[float], str],
    ticks: list[float],
    top: float,
    chart_id: str,
) -> str:
    left, right, upper, row = 190.0, 64.0, 30.0, 30.0
    lower = 44.0
    plot_w = WIDTH - left - right
    plot_h = row * len(points)
    height = upper + plot_h + lower
    parts = _open(chart_id, WIDTH, height, title, desc, "hbar")
    base = upper + plot_h
    for tick in ticks:
        x = left + plot_w * tick / top
        parts.append(
            f'<line x1="{_num(x)}" y1="{_num(upper)}" x2="{_num(x)}" y2="{_num(base)}" '
            f'stroke="{GRID_COLOUR}"/>'
        )
        parts.append(
            f'<text class="tick" x="{_num(x)}" y="{_num(base + 16)}" '
            f'text-anchor="middle">{_x(fmt(tick))}</text>'
        )
    for i, point in enumerate(points):
        y = upper + row * i
        parts.append(
            f'<text class="category" x="{_num(left - 8)}" y="{_num(y + row / 2 + 4)}" '
            f'text-anchor="end">{_x(_shorten(point.label, 22))}</text>'
        )
        if point.value is not None:
            w = plot_w * max(point.value, 0.0) / top
            parts.append(
                f'<rect class="bar" x="{_num(left)}" y="{_num(y + 5)}" width="{_num(w)}" '
                f'height="{_num(row - 10)}" fill="{BAR_COLOUR}"/>'
            )
            if point.text:
                parts.append(
                    f'<text class="value" x="{_num(left + w + 4)}" y="{_num(y + row / 2 + 4)}">'
                    f"{_x(point.text)}</text>"
                )
    parts.append(_axis_line(left, upper, left, base))
    if value_label:
        parts.append(
            f'<text class="axis-title" x="{_num(left + plot_w / 2)}" y="{_num(height - 6)}" '
            f'text-anchor="middle">{_x(value_label)}</text>'
        )
    if category_label:
        parts.append(
            f'<text class="axis-title" x="{_num(left - 8)}" y="{_num(upper - 10)}" '
            f'text-anchor="end">{_x(category_label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    desc: str,
    value_label: str = "",
    category_label: str = "",
    tick_format: Callable[[float], str] | None = None,
    max_value: float | None = None,
    no_data: str = "No data",
    chart_id: str = "chart",
) -> str:
    """Lines over shared categories (the first series' labels), e.g. this period against the
    previous one (``dashed=True``), with a legend. A missing value breaks the line; a lone point
    is drawn as a dot."""
    if not any(_has_data(s.points) for s in series):
        return _no_data(chart_id, title, desc, no_data, "line")
    fmt = tick_format or _default_tick
    largest = max(max(p.value or 0.0, 0.0) for s in series for p in s.points)
    ticks = nice_ticks(max_value if max_value else largest)
    top = ticks[-1] or 1.0
    left, right, upper, plot_h, lower = 64.0, 36.0, 44.0, 200.0, 58.0
    height = upper + plot_h + lower
    plot_w = WIDTH - left - right
    labels = [p.label for p in series[0].points] if series else []
    n = max((len(s.points) for s in series), default=1)
    step = plot_w / max(n - 1, 1)
    every = _label_step(labels, plot_w, 12)
    parts = _open(chart_id, WIDTH, height, title, desc, "line")
    parts += _value_grid_vertical(ticks, top, fmt, left, upper, plot_w, plot_h)
    base = upper + plot_h
    for index, one in enumerate(series):
        colour = PREVIOUS_COLOUR if one.dashed else BAR_COLOUR
        dash = ' stroke-dasharray="6 4"' if one.dashed else ""
        runs: list[list[tuple[float, float]]] = [[]]
        for i, point in enumerate(one.points):
            if point.value is None:
                runs.append([])
                continue
            runs[-1].append((left + step * i, base - plot_h * max(point.value, 0.0) / top))
        for run in runs:
            if len(run) > 1:
                coords = " ".join(f"{_num(x)},{_num(y)}" for x, y in run)
                parts.append(
                    f'<polyline class="line" points="{coords}" fill="none" stroke="{colour}" '
                    f'stroke-width="2.5"{dash}/>'
                )
            for x, y in run:
                shape = (
                    f'<rect x="{_num(x - 3.5)}" y="{_num(y - 3.5)}" width="7" height="7" '
                    if one.dashed
                    else f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3.5" '
                )
                parts.append(shape + f'fill="{colour}"/>')
        # Legend: a short sample of the line (dash and marker) and the series name.
        lx = left + index * 200
        parts.append(
            f'<line x1="{_num(lx)}" y1="14" x2="{_num(lx + 28)}" y2="14" stroke="{colour}" '
            f'stroke-width="2.5"{dash}/>'
        )
        parts.append(
            f'<text class="legend" x="{_num(lx + 34)}" y="18">{_x(_shorten(one.name, 20))}</text>'
        )
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(_category_label(left + step * i, base, label))
    parts += _bottom_axis_and_end(value_label, category_label, left, upper, plot_w, plot_h, height)
    return "".join(parts)


def _value_grid_vertical(
    ticks: list[float],
    top: float,
    fmt: Callable[[float], str],
    left: float,
    upper: float,
    plot_w: float,
    plot_h: float,
) -> list[str]:
    parts = []
    for tick in ticks:
        y = upper + plot_h - plot_h * tick / top
        parts.append(
            f'<line x1="{_num(left)}" y1="{_num(y)}" x2="{_num(left + plot_w)}" y2="{_num(y)}" '
            f'stroke="{GRID_COLOUR}"/>'
        )
        parts.append(
            f'<text class="tick" x="{_num(left - 6)}" y="{_num(y + 4)}" '
            f'text-anchor="end">{_x(fmt(tick))}</text>'
        )
    return parts


def _axis_line(x1: float, y1: float, x2: float, y2: float) -> str:
    return (
        f'<line class="axis" x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" '
        f'stroke="{AXIS_COLOUR}" stroke-width="1.5"/>'
    )


def _axis_titles(
    value_label: str,
    category_label: str,
    left: float,
    upper: float,
    plot_w: float,
    plot_h: float,
    height: float,
) -> list[str]:
    parts = []
    if value_label:
        cy = upper + plot_h / 2
        parts.append(
            f'<text class="axis-title" x="14" y="{_num(cy)}" text-anchor="middle" '
            f'transform="rotate(-90 14 {_num(cy)})">{_x(value_label)}</text>'
        )
    if category_label:
        parts.append(
            f'<text class="axis-title" x="{_num(left + plot_w / 2)}" y="{_num(height - 8)}" '
            f'text-anchor="middle">{_x(category_label)}</text>'
        )
    return parts
