"""The 汇总 chart as server-side SVG: one stacked bar per 业务类型, a segment per 结论,
in the colours the decision workbook uses, so the page and the workbook look alike."""

from __future__ import annotations

from dataclasses import dataclass

from engine.excel.writer import VERDICT_FILLS

LABEL_WIDTH = 120
BAR_WIDTH = 360
ROW_HEIGHT = 30
BAR_HEIGHT = 20
LEGEND_HEIGHT = 30
LEGEND_STEP = 88  # fits six 结论 of up to five characters under the bars


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str
    verdict: str
    count: int


@dataclass(frozen=True)
class Bar:
    y: int
    service: str
    total: int
    segments: list[Segment]
    end: float  # where the bar ends: its total is written after it


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    legend: list[Segment]  # one square per 结论, at the foot


def stacked_bars(by_service: list, verdicts: list[str]) -> Chart:
    """``by_service``: [service, {verdict: count}, fees due, fees due after 补正] rows, as kept with the job."""
    colours = {v: VERDICT_FILLS[i % len(VERDICT_FILLS)] for i, v in enumerate(verdicts)}
    largest = max((sum(counts.values()) for _, counts, *_ in by_service), default=0) or 1
    bars = []
    for index, (service, counts, *_) in enumerate(by_service):
        x, segments = float(LABEL_WIDTH), []
        for verdict in verdicts:
            if counts.get(verdict):
                width = BAR_WIDTH * counts[verdict] / largest
                segments.append(Segment(x, width, colours[verdict], verdict, counts[verdict]))
                x += width
        bars.append(Bar(index * ROW_HEIGHT, service, sum(counts.values()), segments, x))
    legend = [Segment(10 + i * LEGEND_STEP, 12, colour, verdict, 0)
              for i, (verdict, colour) in enumerate(colours.items())]
    return Chart(LABEL_WIDTH + BAR_WIDTH + 60, len(bars) * ROW_HEIGHT + LEGEND_HEIGHT, bars, legend)
