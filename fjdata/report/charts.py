"""Charts: observations, target, required path, projection with 80/95 % fans.

Figures are rendered to PNG bytes so that reports embed them inline (self-contained HTML).
Chinese labels use the bundled Noto Sans CJK font (see :mod:`fjdata.report.fonts`).
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import matplotlib

matplotlib.use("Agg")  # headless everywhere; notebooks receive PNG bytes, not live figures

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from fjdata.assess.assessment import Assessment, TargetResult
from fjdata.assess.feasibility import Feasibility
from fjdata.assess.judgements import Goal, required_path
from fjdata.core import config
from fjdata.core.wording import words
from fjdata.forecast.models import Forecast
from fjdata.inputs.transforms import by_year
from fjdata.report import formatting as fmt
from fjdata.report.fonts import use_cjk_font
from fjdata.report.scorecard import floor_below_base
from fjdata.report.units import region_name, short_number, unit_name

COLOURS = {"obs": "#1f3b73", "fc": "#c0392b", "target": "#2e7d32", "path": "#7f8c8d", "cmp": "#8e6c00"}
DPI = 96  # one PNG pixel per CSS pixel: a 10 pt label renders at 10 pt on a desktop screen
FIGSIZE = (7.2, 3.9)
TEXT_PT = 10  # every label, tick and legend entry: nothing smaller
TITLE_PT = 12
TARGET_GID = "fj-target"  # the artist that draws the target; read back by target_drawn()


@dataclass(frozen=True)
class Size:
    """The width a chart is drawn for: the figure's width (inches at :data:`DPI`), the PNG's
    resolution (pixels per inch) and the longest title line (characters; 0 = no wrapping)."""

    width: float
    save_dpi: int
    title_chars: int = 0

    @property
    def text_px(self) -> float:
        """A label's height in PNG pixels (every label is at least :data:`TEXT_PT`)."""
        return TEXT_PT * self.save_dpi / 72


DESKTOP = Size(FIGSIZE[0], DPI)
# A phone shows a chart ~350 CSS px wide: drawn 3.5 in wide (336 px) at twice the resolution, a
# 10 pt label stays >= 12 CSS px on the screen.
PHONE = Size(3.5, 2 * DPI, 18)
_SIZE: list[Size] = [DESKTOP]


@contextmanager
def drawn_for(size: Size) -> Iterator[Size]:
    """Draw the charts made inside this block for ``size`` (e.g. :data:`PHONE`)."""
    _SIZE.append(size)
    try:
        yield size
    finally:
        _SIZE.pop()


def current_size() -> Size:
    return _SIZE[-1]


def _figsize(height: float) -> tuple[float, float]:
    """(width, height) for the current size: a narrower figure keeps its height (the plot stays legible)."""
    return (current_size().width, height)


def _title(title: str, share: float = 1.0) -> str:
    """The title (or a label taking ``share`` of the width) wrapped for a narrow figure; Latin text
    takes about half the width per character."""
    chars = int(current_size().title_chars * share)
    if not chars:
        return title
    return "\n".join(textwrap.wrap(title, chars * (2 if title.isascii() else 1))) or title


def _text(lang: str) -> dict[str, str]:
    """The chart words of one language (``chart`` in the wording files)."""
    chart: dict[str, str] = words(lang)["chart"]
    return chart


@dataclass(frozen=True)
class PlottedPoint:
    """One number a chart shows, for the data table under it."""

    series: str  # "plan" (the target's own region) or the comparison region's name
    year: int
    value: float
    status: str
    bound: str = ""
    published: float | None = None  # the figure as published where the chart shows it chained (an index)


@dataclass(frozen=True)
class ChartInfo:
    """What a target chart drew, read back from the figure (not assumed): for tests and the data table."""

    target_drawn: bool
    comparison_region: str
    points: tuple[PlottedPoint, ...]


def comparison_series(result: TargetResult, raw_scale: bool = False) -> tuple[str, pd.Series | None]:
    """The same indicator for the other region of the catalogue (the nation beside the province)
    where it is comparable on one axis: rates, shares and chained indices (not counts or levels)."""
    from fjdata.forecast.projection import judged_series
    from fjdata.inputs.indicators import indicator
    from fjdata.inputs.observations import REGIONS, series
    from fjdata.inputs.registry import target as registry_target

    a = result.assessment
    ind = indicator(a.indicator_id)
    if ind.series_kind not in ("rate", "share") and ind.chain == "none":
        return "", None
    region = _target_region(a.target_id, registry_target)
    own = result.raw if raw_scale and result.raw is not None else result.history
    shown = [p.year for p in own.index]
    if not shown:
        return "", None
    for other in (r for r in REGIONS if r != region):
        if raw_scale:
            values = series(a.indicator_id, region=other)
        else:
            values = judged_series(a.indicator_id, a.base_year if result.history_scale else None, region=other).values
        if len(values):
            kept = values[[min(shown) - (5 if raw_scale else 0) <= p.year <= max(shown) for p in values.index]]
            if len(kept):
                return other, kept
    return "", None


def _target_region(target_id: str, lookup: object) -> str:
    from fjdata.inputs.plan import plans

    for plan_id in plans():
        try:
            return str(lookup(target_id, plan_id).region)  # type: ignore[operator]
        except (KeyError, LookupError):
            continue
    return ""


def target_chart(result: TargetResult, lang: str = "zh") -> tuple[Figure, ChartInfo]:
    """A target's chart and what it drew (the target marker is checked on the figure itself)."""
    a = result.assessment
    if a.kind == "average_growth" and a.avg_growth is not None and result.raw is not None and (a.final or a.years_missing):
        # Once the chain of yearly rates breaks (or the period is complete), an index chart would
        # hide years: show the rates themselves, the target rate and the average achieved.
        region, other = comparison_series(result, raw_scale=True)
        fig = growth_figure(result, lang, other, region)
        statuses = {s.year: s.status for s in result.sources}
        raw = by_year(result.raw)
        points = [PlottedPoint("plan", y, v, statuses.get(y, "final")) for y, v in raw.items() if y > a.base_year - 5]
    else:
        statuses = {s.year: s.status for s in result.sources}
        published = {s.year: s.value for s in result.sources}
        if result.history_scale and len(result.history):
            # A chained point for year y comes from the rate of y (after the base) or of y+1 (before it).
            base = a.base_year
            statuses = {y: statuses.get(y if y > base else y + 1, "final") if y != base else "final" for y in by_year(result.history)}
        scale_note = a.judged_scale if lang == "zh" else result.history_scale
        bounds = {} if result.history_scale else {s.year: s.bound for s in result.sources if s.bound}
        region, other = comparison_series(result)
        fig = series_figure(
            a.name_zh if lang == "zh" else a.name_en,
            a.unit,
            result.history,
            scale_note,
            statuses,
            result.forecast,
            result.goal,
            lang,
            bounds,
            comparison=other,
            comparison_label=_region_label(region, lang),
            target_year=a.target_year,
            no_target_value=a.target_value is None,
            show_path=needs_path(a),
            basic_band=float(config.settings()["approx_band_basic"]),  # type: ignore[arg-type]
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
                ms=7,
                label=_text(lang)["plan_base"],
                zorder=5,
            )
            _legend(fig, ax)
        points = [
            PlottedPoint(
                "plan",
                y,
                v,
                statuses.get(y, "final"),
                bounds.get(y, ""),
                published.get(y) if result.history_scale else None,
            )
            for y, v in by_year(result.history).items()
        ]
    if other is not None:
        points += [PlottedPoint(region, y, v, "final") for y, v in by_year(other).items()]
    return fig, ChartInfo(target_drawn(fig), region if other is not None else "", tuple(points))


def needs_path(a: Assessment) -> bool:
    """Whether a required path means anything: not once the target is met, nor from a floor at or below the base."""
    return not ((a.gap is not None and a.gap <= 0) or floor_below_base(a))


def target_figure(result: TargetResult, lang: str = "zh") -> Figure:
    return target_chart(result, lang)[0]


def target_drawn(fig: Figure) -> bool:
    """True when an artist marked as the target is visible inside the axes' view."""
    for ax in fig.axes:
        x0, x1 = sorted(ax.get_xlim())
        y0, y1 = sorted(ax.get_ylim())
        for artist in ax.get_children():
            if artist.get_gid() != TARGET_GID or not artist.get_visible():
                continue
            xs, ys = _artist_xy(artist)
            if (not xs or any(x0 <= x <= x1 for x in xs)) and (not ys or any(y0 <= y <= y1 for y in ys)) and (xs or ys):
                return True
    return False


def _artist_xy(artist: object) -> tuple[list[float], list[float]]:
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    if isinstance(artist, Line2D):
        x_list = [float(x) for x in np.asarray(artist.get_xdata(), dtype=float)]
        y_list = [float(y) for y in np.asarray(artist.get_ydata(), dtype=float)]
        if artist.axes is not None and artist.get_transform().contains_branch(artist.axes.transData):
            return x_list, y_list
        # axvline / axhline: one coordinate in data units, the other spans the axes
        if x_list[0] == x_list[-1]:  # vertical: the target year
            return x_list[:1], []
        return [], y_list[:1]
    if isinstance(artist, LineCollection):
        segs = [p for seg in artist.get_segments() for p in seg]
        return [float(p[0]) for p in segs], [float(p[1]) for p in segs]
    return [], []


def _region_label(region: str, lang: str) -> str:
    return region_name(region, lang) if region else ""


def _legend(fig: Figure, ax: Axes) -> None:
    """The legend under the plot, in as many columns as fit: every entry whole (never cut)."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    longest = max(len(label) for label in labels)
    ncols = 3 if longest <= 12 else 2 if longest <= 22 else 1
    if current_size().title_chars:  # a narrow figure: two short entries a row at most
        ncols = 2 if longest <= 8 else 1
    ax.legend(handles, labels, fontsize=TEXT_PT, loc="upper left", bbox_to_anchor=(0.0, -0.14), ncols=ncols, frameon=False)


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
    comparison: pd.Series | None = None,
    comparison_label: str = "",
    target_year: int | None = None,
    no_target_value: bool = False,
    show_path: bool = True,
    basic_band: float = 0.0,
) -> Figure:
    """Observations (hollow = preliminary or derived), the comparison region's series, projection
    fans, the target (always drawn when there is one) and the required path; the latest value labelled."""
    use_cjk_font()
    t = _text(lang)
    fig, ax = plt.subplots(figsize=_figsize(FIGSIZE[1]), dpi=DPI)
    years = [p.year for p in hist.index]
    values = hist.to_numpy(dtype=float)
    floors = bounds or {}
    points = [(y, v) for y, v in zip(years, values, strict=True) if y not in floors]
    solid = [(y, v) for y, v in points if statuses.get(y, "final") in ("final", "revised")]
    hollow = [(y, v) for y, v in points if statuses.get(y, "final") not in ("final", "revised")]
    floor_points = [(y, v) for y, v in zip(years, values, strict=True) if y in floors]
    for run_years, run_values in consecutive_runs(years, list(values)):  # a gap is never bridged by a line
        ax.plot(run_years, run_values, color=COLOURS["obs"], lw=1.6, zorder=3)
    if solid:
        ax.plot(*zip(*solid, strict=True), "o", color=COLOURS["obs"], ms=5, label=t["obs"], zorder=4)
    if hollow:
        ax.plot(*zip(*hollow, strict=True), "o", mfc="white", color=COLOURS["obs"], ms=5, label=t["prelim"], zorder=4)
    if floor_points:  # the source gives only a floor (超过/突破): the true value is at or above it
        ax.plot(*zip(*floor_points, strict=True), "^", mfc="white", color=COLOURS["obs"], ms=7, label=t["floor"], zorder=4)
    xs_all = list(years)
    if comparison is not None and len(comparison):
        c_years = [p.year for p in comparison.index]
        c_values = list(comparison.to_numpy(dtype=float))
        for i, (run_years, run_values) in enumerate(consecutive_runs(c_years, c_values)):
            ax.plot(
                run_years,
                run_values,
                "-D",
                color=COLOURS["cmp"],
                ms=4,
                lw=1.2,
                mfc="white",
                label=comparison_label if i == 0 else None,
                zorder=2,
            )
        xs_all += c_years
    if fc is not None and years:
        xs = [years[-1], *fc.years]
        last = float(values[-1])
        ax.fill_between(xs, [last, *fc.lo95], [last, *fc.hi95], color=COLOURS["fc"], alpha=0.12, lw=0, label=t["fan95"])
        ax.fill_between(xs, [last, *fc.lo80], [last, *fc.hi80], color=COLOURS["fc"], alpha=0.25, lw=0, label=t["fan80"])
        ax.plot(xs, [last, *fc.mean], "--", color=COLOURS["fc"], lw=1.4, label=t["fc"])
        xs_all += list(fc.years)
    if goal is not None:
        if goal.op in ("≈", "="):
            # The bands the verdict uses (settings approx_band / approx_band_basic), named in the legend.
            if basic_band > goal.band:
                ax.axhspan(
                    goal.target - basic_band,
                    goal.target + basic_band,
                    color=COLOURS["target"],
                    alpha=0.05,
                    label=t["band_basic"].format(b=f"{basic_band:g}"),
                )
            ax.axhspan(
                goal.target - goal.band,
                goal.target + goal.band,
                color=COLOURS["target"],
                alpha=0.12,
                label=t["band"].format(b=f"{goal.band:g}"),
            )
        elif math.isnan(goal.base):  # a yearly quota: the same bar every year
            ax.axhline(goal.target, ls=":", color=COLOURS["target"], lw=1.4, gid=TARGET_GID)
        elif goal.target != goal.base and show_path:  # no path to a target already met, nor from a floor below the base
            path_years = list(range(goal.base_year, goal.target_year + 1))
            ax.plot(path_years, required_path(goal, path_years), ":", color=COLOURS["path"], lw=1.4, label=t["path"])
            xs_all += path_years
        ax.plot(
            [goal.target_year],
            [goal.target],
            marker="*",
            ms=15,
            color=COLOURS["target"],
            ls="none",
            label=f"{t['target']} {goal.target_year}",
            zorder=5,
            gid=TARGET_GID,
        )
        ax.annotate(
            short_number(goal.target, unit if not scale_note else ""),
            (goal.target_year, goal.target),
            xytext=(0, 9),
            textcoords="offset points",
            ha="center",
            fontsize=TEXT_PT,
            color=COLOURS["target"],
        )
        xs_all.append(goal.target_year)
    elif target_year is not None:
        # A target with no published number (a national quota): its year is still drawn and labelled.
        ax.axvline(target_year, ls=":", color=COLOURS["target"], lw=1.6, gid=TARGET_GID, label=t["target_no_value"].format(y=target_year))
        xs_all.append(target_year)
    if years:  # the latest value, labelled
        ax.annotate(
            short_number(float(values[-1]), unit if not scale_note else ""),
            (years[-1], float(values[-1])),
            xytext=(6, -4),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=TEXT_PT,
            color=COLOURS["obs"],
        )
    _year_axis(ax, xs_all)
    _pad_y(ax)
    note = scale_note if scale_note else (f"{t['unit']}{unit_name(unit, lang)}" if unit else "")
    return _finish(fig, ax, title, note)


def _year_axis(ax: Axes, xs: Sequence[int]) -> None:
    """Whole years only, with half a year of margin: one or two points never stretch to a century."""
    if not xs:
        return
    lo, hi = min(xs), max(xs)
    if hi - lo < 4:  # a short span: centre it on at least five years
        pad = (4 - (hi - lo)) / 2
        lo, hi = math.floor(lo - pad), math.ceil(hi + pad)
    ax.set_xlim(lo - 0.6, hi + 0.6)
    ax.set_xticks([y for y in range(lo, hi + 1) if (hi - lo) <= 12 or (y - lo) % max(1, (hi - lo) // 8) == 0])


def _pad_y(ax: Axes) -> None:
    """Room above and below the points for their labels; a flat series gets a visible band."""
    y0, y1 = ax.get_ylim()
    span = y1 - y0
    if span <= 0 or span < 1e-9 * max(1.0, abs(y1)):
        span = max(abs(y1) * 0.1, 1.0)
    ax.set_ylim(y0 - 0.08 * span, y1 + 0.12 * span)


def growth_figure(result: TargetResult, lang: str = "zh", comparison: pd.Series | None = None, comparison_region: str = "") -> Figure:
    """An average-growth target: each year's published rate (gaps left empty and marked), the
    target rate, the plan-period average achieved and the comparison region's rates."""
    use_cjk_font()
    a = result.assessment
    t = _text(lang)
    assert result.raw is not None and a.avg_growth is not None and a.target_value is not None
    rates = {y: v for y, v in by_year(result.raw).items() if y > a.base_year - 5}
    fig, ax = plt.subplots(figsize=_figsize(FIGSIZE[1]), dpi=DPI)
    ax.bar(list(rates), list(rates.values()), color=COLOURS["obs"], width=0.6, label=t["rate"], zorder=3)
    for y, v in rates.items():
        ax.annotate(f"{v:.1f}", (y, v), ha="center", va="bottom", fontsize=TEXT_PT, xytext=(0, 2), textcoords="offset points")
    if comparison is not None and len(comparison):
        c = {y: v for y, v in by_year(comparison).items() if y > a.base_year - 5}
        for i, (run_years, run_values) in enumerate(consecutive_runs(list(c), list(c.values()))):
            ax.plot(
                run_years,
                run_values,
                "-D",
                color=COLOURS["cmp"],
                ms=5,
                mfc="white",
                lw=1.2,
                zorder=4,
                label=_region_label(comparison_region, lang) if i == 0 else None,
            )
    span = (a.base_year + 0.5, a.target_year + 0.5)
    ax.hlines(
        a.target_value,
        *span,
        colors=COLOURS["target"],
        linestyles=":",
        lw=2.0,
        label=f"{t['target_rate']} {a.target_value:g}%",
        gid=TARGET_GID,
        zorder=5,
    )
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
        ax.annotate(
            t["missing"], (y, 0), ha="center", va="bottom", fontsize=TEXT_PT, color="#555", xytext=(0, 3), textcoords="offset points"
        )
    ax.axhline(0, color="#999", lw=0.8)
    ax.set_xlim(min([*rates, a.base_year]) - 0.7, a.target_year + 0.7)
    ax.set_xticks(list(range(min([*rates, a.base_year]), a.target_year + 1)))
    _pad_y(ax)
    return _finish(fig, ax, a.name_zh if lang == "zh" else a.name_en, f"{t['unit']}%", grid_axis="y")


def feasibility_figure(f: Feasibility, lang: str = "zh", national: pd.Series | None = None) -> Figure:
    """A candidate target: the history (with the national series where given), the calibrated
    projection fan, the candidate value and the values met with 50 / 75 / 90 % probability (as
    average rates over the period for growth targets). Years are whole numbers on the axis."""
    use_cjk_font()
    d = f.target
    t = _text(lang)
    rates = f.on_rates  # yearly rates drawn as bars
    fig, ax = plt.subplots(figsize=_figsize(3.4), dpi=DPI)
    hist = by_year(f.history) if f.history is not None and len(f.history) else {}
    if rates and hist:
        ax.bar(list(hist), list(hist.values()), color=COLOURS["obs"], width=0.6, zorder=3, label=t["rate"])
    elif hist:
        for run_years, run_values in consecutive_runs(list(hist), list(hist.values())):
            ax.plot(run_years, run_values, "-o", color=COLOURS["obs"], ms=4, lw=1.4, zorder=3)
    if national is not None and len(national):
        _national_line(ax, by_year(national), rates, lang, max(hist.values(), default=None))
    if f.forecast is not None and not rates and hist:
        _fan(ax, f.forecast, max(hist), hist[max(hist)], t)
    _candidate_marks(ax, f, rates, lang)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    unit_note = f"{t['unit']}{unit_name('%' if rates else f.level_unit or f.unit, lang)}"
    return _finish(fig, ax, d.name, unit_note)


def _national_line(ax: Axes, national: dict[int, float], rates: bool, lang: str, own_max: float | None) -> None:
    """China's series of the same indicator: on the same axis for rates and shares, on a right-hand
    axis for levels (a province's level is a small fraction of the nation's)."""
    label = _text(lang)["national"]
    years, values = list(national), list(national.values())
    if rates:
        ax.plot(years, values, "-", color=COLOURS["cmp"], lw=1.4, marker=".", zorder=4, label=label)
        return
    if own_max is not None and own_max > 0 and max(values) > 5 * own_max:
        right = ax.twinx()
        right.plot(years, values, "-", color=COLOURS["cmp"], lw=1.2, marker=".", alpha=0.8)
        right.tick_params(labelsize=TEXT_PT, colors=COLOURS["cmp"])
        ax.plot([], [], "-", color=COLOURS["cmp"], lw=1.2, marker=".", label=_text(lang)["national_right"])
        return
    ax.plot(years, values, "-", color=COLOURS["cmp"], lw=1.2, marker=".", label=label)


def _fan(ax: Axes, fc: Forecast, last_year: int, last: float, t: dict[str, str]) -> None:
    xs = [last_year, *fc.years]
    ax.fill_between(xs, [last, *fc.lo95], [last, *fc.hi95], color=COLOURS["fc"], alpha=0.12, lw=0, label=t["fan95"])
    ax.fill_between(xs, [last, *fc.lo80], [last, *fc.hi80], color=COLOURS["fc"], alpha=0.25, lw=0, label=t["fan80"])
    ax.plot(xs, [last, *fc.mean], "--", color=COLOURS["fc"], lw=1.4)


def _candidate_marks(ax: Axes, f: Feasibility, rates: bool, lang: str) -> None:
    """The candidate and the values met with 50/75/90 % probability, printed in the table's precision.
    Growth on yearly rates: levels over the whole period; otherwise short bars at the target year
    (a growth judged on a level is drawn as the level it implies)."""
    d, t = f.target, _text(lang)
    growth = d.kind == "average_growth"
    if growth and not rates and f.base_level is None:
        return  # a growth on a level without its base-year level: nothing to place on the level axis
    span = (d.base_year + 0.5, d.target_year + 0.5)
    where = span if rates else (d.target_year - 0.45, d.target_year + 0.45)

    def drawn(v: float) -> float:
        if growth and not rates and f.base_level is not None:
            return f.base_level * (1 + v / 100) ** (d.target_year - d.base_year)
        return v

    def shown(v: float) -> str:
        return f"{v:.1f}%" if growth else fmt.value(v, f.unit, lang)

    marks: list[tuple[float | None, str, Literal["-", "--", ":"]]] = [
        (f.value_p50, "50%", "-"),
        (f.value_p75, "75%", "--"),
        (f.value_p90, "90%", ":"),
    ]
    for value, label, style in marks:
        if value is not None and not math.isnan(value):
            ax.hlines(drawn(value), *where, colors="#555", linestyles=style, lw=1.4, label=t["met_with"].format(p=label, v=shown(value)))
    target_label = t["candidate"].format(op=d.target_op, v=shown(d.target_value))
    if rates:
        ax.hlines(d.target_value, *span, colors=COLOURS["target"], lw=2, label=target_label, gid=TARGET_GID)
    else:
        ax.plot(
            [d.target_year],
            [drawn(d.target_value)],
            marker="*",
            ms=14,
            color=COLOURS["target"],
            ls="none",
            label=target_label,
            zorder=5,
            gid=TARGET_GID,
        )


def _finish(fig: Figure, ax: Axes, title: str, unit_note: str = "", grid_axis: Literal["both", "x", "y"] = "both") -> Figure:
    """The common frame of the year charts: title, the unit written horizontally above the axis,
    ticks, grid, legend under the plot; saved with a tight box so no label is cut."""
    ax.set_title(_title(title), fontsize=TITLE_PT, loc="left", pad=22 if unit_note else 8)
    if unit_note:
        ax.text(0.0, 1.02, unit_note, transform=ax.transAxes, fontsize=TEXT_PT, color="#444", ha="left", va="bottom")
    ax.tick_params(labelsize=TEXT_PT)
    ax.grid(alpha=0.25, axis=grid_axis)
    if not ax.get_xticks().size:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _legend(fig, ax)
    fig.tight_layout()
    return fig


def _short_label(label: str) -> str:
    """A bar's label: whole on the page; on a phone without its parenthesis, wrapped to a third of the width."""
    if not current_size().title_chars:
        return label
    return _title(re.sub(r"\s*[\uff08(][^\uff09)]*[\uff09)]", "", label), 0.4)


def bar_figure(labels: Sequence[str], counts: Mapping[str, Sequence[int]], colours: dict[str, str], title: str) -> Figure:
    """Stacked horizontal bars (e.g. targets by chapter and light) for the overview; each segment
    carries its count and the legend sits under the plot in columns that fit."""
    use_cjk_font()
    fig, ax = plt.subplots(figsize=_figsize((0.8 if current_size().title_chars else 0.5) * len(labels) + 1.9), dpi=DPI)
    left = [0] * len(labels)
    for name, values in counts.items():
        bars = ax.barh([_short_label(label) for label in labels], values, left=left, color=colours[name], label=name)
        ax.bar_label(bars, labels=[str(v) if v else "" for v in values], label_type="center", fontsize=TEXT_PT, color="white")
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.invert_yaxis()
    ax.set_title(_title(title), fontsize=TITLE_PT, loc="left")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(labelsize=TEXT_PT)
    longest = max((len(n) for n in counts), default=0)
    ncols = (1 if longest > 5 else 2) if current_size().title_chars else (2 if longest > 8 else 4)
    ax.legend(fontsize=TEXT_PT, ncols=ncols, loc="upper left", bbox_to_anchor=(0.0, -0.12), frameon=False)
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
    # The tight box keeps the legend whole.
    fig.savefig(buf, format="png", dpi=current_size().save_dpi, bbox_inches="tight", pad_inches=0.12)
    plt.close(fig)
    return buf.getvalue()
