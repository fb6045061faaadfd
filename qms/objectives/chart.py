"""The trend chart of an indicator as SVG made on the server: each period's value, the
target line, missed periods marked; no script, so it works in a page and in WeasyPrint."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qms.i18n import N_
from qms.objectives import service
from qms.objectives.models import (
    PERIOD_STATUS_LABELS,
    Indicator,
    Kind,
    Measurement,
    PeriodStatus,
)
from qms.pages import env

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 24, 36


@dataclass(frozen=True)
class Point:
    period: str
    label: str  # the period as the axis shows it
    x: float
    y: float | None
    value: float | None
    shown: str  # the value as read
    status: str | None
    title: str
    # How the point is drawn: crossed out (missed), amber (at risk), else plain.
    missed: bool = False
    at_risk: bool = False


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    span = high - low
    raw = span / count if span else 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks, tick = [], first
    while tick <= high + step / 1000:
        if tick >= low - step / 1000:
            ticks.append(round(tick, 10))
        tick += step
    return ticks


def _number(value: float, lang: str) -> str:
    text = f"{value:,.1f}" if abs(value - round(value)) > 1e-9 else f"{round(value):,}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def chart_svg(
    *,
    indicator: Indicator,
    year: int,
    measurements: Sequence[Measurement],
    gettext: Callable[[str], str],
    lang: str,
) -> str:
    """The chart of the indicator's periods of `year` as an SVG document."""
    periods = service.periods_of(indicator.frequency, year)
    by_period = {m.period: m for m in measurements}
    ratio = indicator.kind == Kind.ratio
    values = [m.value for m in measurements] + [indicator.target]
    if ratio:
        low = max(0.0, math.floor((min(values) - 5) / 10) * 10)
        high = 100.0
    else:
        low = min(0.0, min(values))
        high = max(values) * 1.1 if max(values) > 0 else 1.0
    if high - low < 1e-9:
        high = low + 1
    ticks = _ticks(low, high)
    low, high = min(low, ticks[0]), max(high, ticks[-1])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / len(periods)

    def y_of(value: float) -> float:
        return round(TOP + plot_h * (1 - (value - low) / (high - low)), 1)

    unit = " %" if ratio else (f" {indicator.unit}" if indicator.unit else "")
    points = []
    for index, (period, _start, _end) in enumerate(periods):
        x = round(LEFT + step * (index + 0.5), 1)
        label = period[5:] if len(period) > 4 else period
        found = by_period.get(period)
        if found is None:
            points.append(Point(period, label, x, None, None, "", None, period))
            continue
        shown = _number(found.value, lang) + unit
        status = gettext(PERIOD_STATUS_LABELS[found.status])
        points.append(
            Point(
                period,
                label,
                x,
                y_of(found.value),
                found.value,
                shown,
                found.status,
                f"{period}: {shown} ({status})",
                missed=found.status == PeriodStatus.missed,
                at_risk=found.status == PeriodStatus.at_risk,
            )
        )
    measured = [p for p in points if p.y is not None]
    target = _number(indicator.target, lang) + unit
    return env.get_template("objectives/chart.svg.xml").render(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=HEIGHT - BOTTOM,
        title=f"{indicator.code} {indicator.name}",
        points=points,
        line=" ".join(f"{p.x},{p.y}" for p in measured),
        ticks=[(y_of(t), _number(t, lang)) for t in ticks],
        target_y=y_of(indicator.target),
        target_value=indicator.target,
        target_label=gettext(N_("Target %(target)s")) % {"target": target},
        missed_label=gettext(N_("missed")),
        unit=unit.strip(),
    )
