"""Charts drawn by the server as inline SVG: only geometry and the words on them here, the template writes the
elements. Amounts are written by ``money_display`` in rupees, its currency when none is named: the figures are
totals over every customer."""

from dataclasses import dataclass
from decimal import Decimal

from voiceassist.common.money import money_display

Number = int | Decimal


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: Number
    label: str
    show_label: bool
    text: str  # the value as written above the bar
    tooltip: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    baseline: float
    bars: list[Bar]
    max_value: Number
    title: str
    empty_text: str = "None yet today"
    money: bool = False

    @property
    def middle(self) -> float:
        return self.width / 2

    @property
    def total(self) -> Number:
        return sum(bar.value for bar in self.bars)

    @property
    def total_text(self) -> str:
        return money_display(self.total) if self.money else str(self.total)


def _short(value: Number, money: bool) -> str:
    """A value short enough to sit above a narrow bar: rupees in thousands (k) and lakhs (L)."""
    if not money:
        return str(value)
    if value >= 100_000:
        return f"{value / 100_000:.1f}L"
    if value >= 1_000:
        return f"{value / 1_000:.1f}k"
    return f"{value:.0f}"


def bar_chart(
    values: list[Number],
    labels: list[str],
    *,
    title: str,
    label_every: int = 1,
    money: bool = False,
    empty_text: str = "None in this period",
    tooltip: str = "{label}: {value}",
    width: int = 480,
    height: int = 160,
) -> BarChart:
    """One bar per value, labelled with ``labels`` (every ``label_every``-th shown under the axis)."""
    label_space = 18
    top_space = 14
    plot_height = height - label_space - top_space
    max_value = max(values, default=0)
    slot = width / max(len(values), 1)
    bars = []
    for index, (value, label) in enumerate(zip(values, labels, strict=True)):
        bar_height = float(value / max_value * plot_height) if max_value else 0.0
        bars.append(
            Bar(
                x=round(index * slot + slot * 0.15, 2),
                y=round(top_space + plot_height - bar_height, 2),
                width=round(slot * 0.7, 2),
                height=round(bar_height, 2),
                value=value,
                label=label,
                show_label=index % label_every == 0,
                text=_short(value, money),
                tooltip=tooltip.format(label=label, value=money_display(value) if money else value),
            )
        )
    return BarChart(
        width=width,
        height=height,
        baseline=top_space + plot_height,
        bars=bars,
        max_value=max_value,
        title=title,
        empty_text=empty_text,
        money=money,
    )


def hourly_bar_chart(counts: list[int], *, title: str, width: int = 480, height: int = 160) -> BarChart:
    """One bar per hour of the day (``counts[0]`` is 00:00–00:59); hours labelled every three."""
    return bar_chart(
        counts,
        [f"{hour:02d}" for hour in range(len(counts))],
        title=title,
        label_every=3,
        empty_text="None yet today",
        tooltip="{label}:00 – {value}",  # noqa: RUF001 - an en dash
        width=width,
        height=height,
    )


def figures_charts(figures: dict) -> dict[str, BarChart]:
    """The dashboard's charts of ``calls.figures.figures_compute``: collected and promises per day (the day
    of the call that led to them), connects by hour, collected by days-past-due bucket."""
    days = figures["by_day"]
    day_labels = [row["label"] for row in days]
    every_other = max(1, len(days) // 7)
    hours = figures["by_hour"]
    buckets = figures["by_dpd_bucket"]
    return {
        "collected_chart": bar_chart(
            [row["collected_amount"] for row in days],
            day_labels,
            title="Collected per day",
            label_every=every_other,
            money=True,
        ),
        "promises_day_chart": bar_chart(
            [row["promises"] for row in days], day_labels, title="Promises per day", label_every=every_other
        ),
        "connects_chart": bar_chart(
            [row["connects"] for row in hours],
            [f"{row['key']:02d}" for row in hours],
            title="Connects by hour of day",
            label_every=3,
        ),
        "dpd_chart": bar_chart(
            [row["collected_amount"] for row in buckets],
            [row["key"] for row in buckets],
            title="Collected by days past due",
            money=True,
        ),
    }
