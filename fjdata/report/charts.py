"""Charts: observations, target, required path, projection with 80/95 % fans.

Figures are rendered to PNG bytes so that reports embed them inline (self-contained HTML).
Chinese labels use the bundled Noto Sans CJK font (see :mod:`fjdata.report.fonts`).
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Literal

import matplotlib

matplotlib.use("Agg")  # headless everywhere; notebooks receive PNG bytes, not live figures

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from fjdata.assess.assessment import TargetResult
from fjdata.assess.feasibility import Feasibility
from fjdata.assess.judgements import Goal, required_path
from fjdata.forecast.models import Forecast
from fjdata.inputs.transforms import by_year
from fjdata.report.fonts import use_cjk_font

COLOURS = {"obs": "#1f3b73", "fc": "#c0392b", "target": "#2e7d32", "path": "#7f8c8d"}
DPI = 96
TEXT = {
    "zh": {
        "obs": "观测值",
        "prelim": "初步/推算值",
        "fc": "预测（{m}）",
        "fan80": "80%预测区间",
        "fan95": "95%预测区间",
        "target": "目标",
        "path": "达标所需路径",
        "year": "年份",
        "band": "目标区间",
        "floor": "下限值（超过/突破）",
        "plan_base": "规划基期值",
        "rate": "当年增速",
        "avg": "规划期年均（{n}/{N}年）",
        "target_rate": "目标年均增速",
        "missing": "缺数据",
    },
    "en": {
        "obs": "observed",
        "prelim": "preliminary/derived",
        "fc": "projection ({m})",
        "fan80": "80% interval",
        "fan95": "95% interval",
        "target": "target",
        "path": "required path",
        "year": "year",
        "band": "target band",
        "floor": 'lower bound ("over")',
        "plan_base": "base value stated in the plan",
        "rate": "growth that year",
        "avg": "plan-period average ({n}/{N} yrs)",
        "target_rate": "target average",
        "missing": "no data",
    },
}


def target_figure(result: TargetResult, lang: str = "zh") -> Figure:
    a = result.assessment
    if a.kind == "average_growth" and a.avg_growth is not None and result.raw is not None and (a.final or a.years_missing):
        # Once the chain of yearly rates breaks (or the period is complete), an index chart would
        # hide years: show the rates themselves, the target rate and the average achieved.
        return growth_figure(result, lang)
    statuses = {s.year: s.status for s in result.sources}
    if result.history_scale and len(result.history):
        # A chained point for year y comes from the rate of y (after the base) or of y+1 (before it).
        base = a.base_year
        statuses = {y: statuses.get(y if y > base else y + 1, "final") if y != base else "final" for y in by_year(result.history)}
    scale_note = a.judged_scale if lang == "zh" else result.history_scale
    bounds = {} if result.history_scale else {s.year: s.bound for s in result.sources if s.bound}
    fig = series_figure(
        a.name_zh if lang == "zh" else a.name_en, a.unit, result.history, scale_note, statuses, result.forecast, result.goal, lang, bounds
    )
    if a.base_origin == "plan" and a.base_used_year is not None and a.base_used_value is not None:
        # The base value the plan itself states (第一章), distinct from observed data.
        ax = fig.axes[0]
        ax.plot(
            [a.base_used_year],
            [a.base_used_value],
            "s",
            mfc="white",
            color=COLOURS["target"],
            ms=6,
            label=TEXT[lang]["plan_base"],
            zorder=5,
        )
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


def series_figure(
    title: str,
    unit: str,
    hist: pd.Series,
    scale_note: str,
    statuses: dict[int, str],
    fc: Forecast | None,
    goal: Goal | None,
    lang: str = "zh",
    bounds: dict[int, str] | None = None,
) -> Figure:
    """Observations (hollow = preliminary or derived), projection fans, target and required path."""
    use_cjk_font()
    t = TEXT[lang]
    fig, ax = plt.subplots(figsize=(7.2, 3.4), dpi=DPI)
    years = [p.year for p in hist.index]
    values = hist.to_numpy(dtype=float)
    floors = bounds or {}
    points = [(y, v) for y, v in zip(years, values, strict=True) if y not in floors]
    solid = [(y, v) for y, v in points if statuses.get(y, "final") in ("final", "revised")]
    hollow = [(y, v) for y, v in points if statuses.get(y, "final") not in ("final", "revised")]
    floor_points = [(y, v) for y, v in zip(years, values, strict=True) if y in floors]
    for run_years, run_values in consecutive_runs(years, list(values)):  # a gap is never bridged by a line
        ax.plot(run_years, run_values, color=COLOURS["obs"], lw=1.4, zorder=3)
    if solid:
        ax.plot(*zip(*solid, strict=True), "o", color=COLOURS["obs"], ms=4, label=t["obs"], zorder=4)
    if hollow:
        ax.plot(*zip(*hollow, strict=True), "o", mfc="white", color=COLOURS["obs"], ms=4, label=t["prelim"], zorder=4)
    if floor_points:  # the source gives only a floor (超过/突破): the true value is at or above it
        ax.plot(*zip(*floor_points, strict=True), "^", mfc="white", color=COLOURS["obs"], ms=6, label=t["floor"], zorder=4)
    if fc is not None and years:
        xs = [years[-1], *fc.years]
        last = float(values[-1])
        ax.fill_between(xs, [last, *fc.lo95], [last, *fc.hi95], color=COLOURS["fc"], alpha=0.12, lw=0, label=t["fan95"])
        ax.fill_between(xs, [last, *fc.lo80], [last, *fc.hi80], color=COLOURS["fc"], alpha=0.25, lw=0, label=t["fan80"])
        ax.plot(xs, [last, *fc.mean], "--", color=COLOURS["fc"], lw=1.4, label=t["fc"].format(m=fc.method))
    if goal is not None:
        if goal.op in ("≈", "="):
            ax.axhspan(goal.target - goal.band, goal.target + goal.band, color=COLOURS["target"], alpha=0.10, label=t["band"])
        elif math.isnan(goal.base):  # a yearly quota: the same bar every year
            ax.axhline(goal.target, ls=":", color=COLOURS["target"], lw=1.2)
        elif goal.target != goal.base:
            path_years = list(range(goal.base_year, goal.target_year + 1))
            ax.plot(path_years, required_path(goal, path_years), ":", color=COLOURS["path"], lw=1.3, label=t["path"])
        ax.plot(
            [goal.target_year],
            [goal.target],
            marker="*",
            ms=13,
            color=COLOURS["target"],
            ls="none",
            label=f"{t['target']} {goal.target_year}",
            zorder=5,
        )
    label = (("指数" if lang == "zh" else "index") + (f"（{scale_note}）" if lang == "zh" else f" ({scale_note})")) if scale_note else unit
    ax.set_ylabel(label, fontsize=8)
    return _finish(fig, ax, title, text_size=8)


def growth_figure(result: TargetResult, lang: str = "zh") -> Figure:
    """An average-growth target: each year's published rate (gaps left empty and marked), the
    target rate and the plan-period average achieved."""
    use_cjk_font()
    a = result.assessment
    t = TEXT[lang]
    assert result.raw is not None and a.avg_growth is not None and a.target_value is not None
    rates = {y: v for y, v in by_year(result.raw).items() if y > a.base_year - 5}
    fig, ax = plt.subplots(figsize=(7.2, 3.4), dpi=DPI)
    ax.bar(list(rates), list(rates.values()), color=COLOURS["obs"], width=0.6, label=t["rate"], zorder=3)
    for y, v in rates.items():
        ax.annotate(f"{v:.1f}", (y, v), ha="center", va="bottom", fontsize=8, xytext=(0, 2), textcoords="offset points")
    span = (a.base_year + 0.5, a.target_year + 0.5)
    ax.hlines(a.target_value, *span, colors=COLOURS["target"], linestyles=":", lw=1.6, label=f"{t['target_rate']} {a.target_value:g}%")
    n_years = a.target_year - a.base_year
    ax.hlines(
        a.avg_growth,
        *span,
        colors=COLOURS["fc"],
        linestyles="--",
        lw=1.6,
        label=t["avg"].format(n=len(a.years_used), N=n_years) + f" {a.avg_growth:.1f}%",
    )
    for y in a.years_missing:
        ax.annotate(t["missing"], (y, 0), ha="center", va="bottom", fontsize=8, color="#777", xytext=(0, 3), textcoords="offset points")
    ax.axhline(0, color="#999", lw=0.8)
    ax.set_ylabel("%", fontsize=9, rotation=0)
    ax.set_xlim(min([*rates, a.base_year]) - 0.7, a.target_year + 0.7)
    return _finish(fig, ax, a.name_zh if lang == "zh" else a.name_en, text_size=9, grid_axis="y")


def feasibility_figure(f: Feasibility, lang: str = "zh") -> Figure:
    """A candidate target: the history, the calibrated projection fan, the candidate value and the
    values met with 50 / 75 / 90 % probability (as average rates for growth targets)."""
    use_cjk_font()
    d = f.target
    growth = d.kind == "average_growth"
    fig, ax = plt.subplots(figsize=(7.2, 3.4), dpi=DPI)
    if f.history is not None and len(f.history):
        hist = by_year(f.history)
        if growth:
            ax.bar(
                list(hist),
                list(hist.values()),
                color=COLOURS["obs"],
                width=0.6,
                zorder=3,
                label="当年增速" if lang == "zh" else "growth that year",
            )
        else:
            for run_years, run_values in consecutive_runs(list(hist), list(hist.values())):
                ax.plot(run_years, run_values, "-o", color=COLOURS["obs"], ms=4, lw=1.4, zorder=3)
    if f.forecast is not None and not growth and f.history is not None and len(f.history):
        fc = f.forecast
        last_year = max(by_year(f.history))
        last = by_year(f.history)[last_year]
        xs = [last_year, *fc.years]
        ax.fill_between(xs, [last, *fc.lo95], [last, *fc.hi95], color=COLOURS["fc"], alpha=0.12, lw=0, label=TEXT[lang]["fan95"])
        ax.fill_between(xs, [last, *fc.lo80], [last, *fc.hi80], color=COLOURS["fc"], alpha=0.25, lw=0, label=TEXT[lang]["fan80"])
        ax.plot(xs, [last, *fc.mean], "--", color=COLOURS["fc"], lw=1.4)
    span = (d.base_year + 0.5, d.target_year + 0.5)
    marks: list[tuple[float | None, str, Literal["-", "--", ":"]]] = [
        (f.value_p50, "50%", "-"),
        (f.value_p75, "75%", "--"),
        (f.value_p90, "90%", ":"),
    ]
    for value, label, style in marks:
        if value is None:
            continue
        text = f"{label}把握可达 {value:.1f}" if lang == "zh" else f"met with {label} probability: {value:.1f}"
        # Growth: a level over the whole period; a level target: a short bar at the target year.
        where = span if growth else (d.target_year - 0.45, d.target_year + 0.45)
        ax.hlines(value, *where, colors="#555", linestyles=style, lw=1.4, label=text)
    target_label = f"候选目标 {d.target_op}{d.target_value:g}" if lang == "zh" else f"candidate {d.target_op} {d.target_value:g}"
    if growth:
        ax.hlines(d.target_value, *span, colors=COLOURS["target"], lw=2, label=target_label)
    else:
        ax.plot([d.target_year], [d.target_value], marker="*", ms=14, color=COLOURS["target"], ls="none", label=target_label, zorder=5)
    ax.set_ylabel(f.unit, fontsize=9, rotation=0)
    return _finish(fig, ax, d.name, text_size=9)


def _finish(fig: Figure, ax: Axes, title: str, text_size: int, grid_axis: Literal["both", "x", "y"] = "both") -> Figure:
    """The common frame of the year charts: title, ticks, grid, whole-year axis, legend to the right."""
    ax.set_title(title, fontsize=11, loc="left")
    ax.tick_params(labelsize=text_size)
    ax.grid(alpha=0.25, axis=grid_axis)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=text_size - 1, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    return fig


def bar_figure(labels: Sequence[str], counts: Mapping[str, Sequence[int]], colours: dict[str, str], title: str) -> Figure:
    """Stacked horizontal bars (e.g. targets by chapter and light) for the overview."""
    use_cjk_font()
    fig, ax = plt.subplots(figsize=(7.2, 0.45 * len(labels) + 1.5), dpi=DPI)
    left = [0] * len(labels)
    for name, values in counts.items():
        ax.barh(labels, values, left=left, color=colours[name], label=name)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.invert_yaxis()
    ax.set_title(title, fontsize=11, loc="left")
    ax.legend(fontsize=8, ncols=len(counts), loc="upper center", bbox_to_anchor=(0.5, -0.15), frameon=False)
    ax.tick_params(labelsize=9)
    fig.tight_layout()
    return fig


def consecutive_runs(years: Sequence[int], values: Sequence[float]) -> list[tuple[list[int], list[float]]]:
    """Split a series into runs of consecutive years, so that plotted lines stop at gaps."""
    runs: list[tuple[list[int], list[float]]] = []
    for y, v in zip(years, values, strict=True):
        if runs and runs[-1][0][-1] == y - 1:
            runs[-1][0].append(y)
            runs[-1][1].append(v)
        else:
            runs.append(([y], [v]))
    return runs


def png_bytes(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    plt.close(fig)
    return buf.getvalue()
