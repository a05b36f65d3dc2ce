"""Server-drawn SVG bar charts: no script, no inline style, so the strict CSP holds. Hidden
(k-anonymity-suppressed) figures are drawn as an empty slot labelled "hidden"."""

from __future__ import annotations

from dataclasses import dataclass

from haven.core.kanon import HIDDEN

WIDTH, HEIGHT, BOTTOM, TOP = 600, 240, 40, 20


@dataclass(frozen=True)
class Bar:
    label: str
    value_label: str
    x: float
    y: float
    width: float
    height: float
    label_x: float


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    width: int = WIDTH
    height: int = HEIGHT
    baseline: int = HEIGHT - BOTTOM


def bar_chart(title: str, values: list[tuple[str, float | None]]) -> BarChart:
    """VALUES are (label, value); None means hidden by the k-anonymity helper."""
    top = max([v for _, v in values if v is not None] or [1]) or 1
    slot = WIDTH / max(len(values), 1)
    bars = []
    for index, (label, value) in enumerate(values):
        height = 0.0 if value is None else (HEIGHT - BOTTOM - TOP) * value / top
        x = index * slot + slot * 0.15
        bars.append(Bar(label=label, value_label=HIDDEN if value is None else f"{value:g}",
                        x=round(x, 1), y=round(HEIGHT - BOTTOM - height, 1),
                        width=round(slot * 0.7, 1), height=round(height, 1),
                        label_x=round(index * slot + slot / 2, 1)))
    return BarChart(title=title, bars=bars)
