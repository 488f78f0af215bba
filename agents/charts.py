"""Charts drawn by the server as inline SVG: only geometry here, the template writes the elements."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    show_label: bool


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    baseline: float
    bars: list[Bar]
    max_value: int
    title: str

    @property
    def middle(self) -> float:
        return self.width / 2

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)


def hourly_bar_chart(counts: list[int], *, title: str, width: int = 480, height: int = 160) -> BarChart:
    """One bar per hour of the day (``counts[0]`` is 00:00–00:59); hours labelled every three."""
    label_space = 18
    top_space = 14
    plot_height = height - label_space - top_space
    max_value = max(counts, default=0)
    slot = width / max(len(counts), 1)
    bars = []
    for hour, value in enumerate(counts):
        bar_height = (value / max_value * plot_height) if max_value else 0
        bars.append(
            Bar(
                x=round(hour * slot + slot * 0.15, 2),
                y=round(top_space + plot_height - bar_height, 2),
                width=round(slot * 0.7, 2),
                height=round(bar_height, 2),
                value=value,
                label=f"{hour:02d}",
                show_label=hour % 3 == 0,
            )
        )
    return BarChart(
        width=width,
        height=height,
        baseline=top_space + plot_height,
        bars=bars,
        max_value=max_value,
        title=title,
    )
