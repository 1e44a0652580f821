"""Bar charts drawn on the server as SVG (no JavaScript), each with its table for screen readers.

The geometry is computed here; ``opendata/includes/bar_chart.html`` draws it with the colours of
the design tokens (``--colour-brand`` …) and repeats the figures in a ``<table>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.formats import number_format

ROW_HEIGHT = 28
BAR_HEIGHT = 18
LABEL_WIDTH = 260
PLOT_WIDTH = 360
VALUE_WIDTH = 90


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: withheld
    shown: str
    y: float
    width: float

    @property
    def text_y(self) -> float:
        return self.y + BAR_HEIGHT / 2

    @property
    def value_x(self) -> float:
        return LABEL_WIDTH + self.width + 6


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    label_heading: str
    value_heading: str
    bars: list[Bar] = field(default_factory=list)
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def width(self) -> int:
        return LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH

    @property
    def height(self) -> int:
        return max(1, len(self.bars)) * ROW_HEIGHT + 8

    @property
    def label_x(self) -> int:
        return LABEL_WIDTH - 8


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    headings: tuple[str, str],
    items: list[tuple[str, float | None]],
    withheld: str,
) -> BarChart:
    """Horizontal bars scaled to the largest value; withheld values get a label, not a bar."""
    largest = max((value for _label, value in items if value is not None), default=0) or 1
    bars = [
        Bar(
            label=label,
            value=value,
            shown=withheld if value is None else format_number(value),
            y=4 + index * ROW_HEIGHT,
            width=0 if value is None else round(PLOT_WIDTH * value / largest, 1),
        )
        for index, (label, value) in enumerate(items)
    ]
    return BarChart(chart_id, title, description, headings[0], headings[1], bars)


def format_number(value: float) -> str:
    """The value in the active language's notation (1,5 in French and Dutch)."""
    return number_format(value, decimal_pos=1 if isinstance(value, float) else None)
