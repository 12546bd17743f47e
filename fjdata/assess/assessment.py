"""How far from the target: every target judged three ways, side by side, never blended.

For each target in the registry, :func:`assess_target` builds the judged series (see
:mod:`fjdata.forecast.projection`), turns the target into a :class:`~fjdata.assess.judgements.Goal` on that
scale, and returns an :class:`Assessment` with:

(a) the Chinese mid-term practice — progress P vs elapsed time τ, tolerance δ;
(b) the Eurostat / Open SDG growth ratio R;
(c) the model — projected value in the target year, 80/95 % intervals, P(meet).

Rules for the base value, in order: the observed value in the base year; the value the plan
itself states for the base year (``base_value``, cited); the nearest observed year within
two years of the base (UN practice; τ and the required rate are then measured from it).
A judgement without enough points says 数据不足 / insufficient data, with the reason.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from typing import Any

import pandas as pd

from fjdata.assess import verdicts
from fjdata.assess.judgements import (
    AverageGrowth,
    Goal,
    Light,
    QuotaJudgement,
    Status,
    average_growth_from_rates,
    judge_annual_quota,
    judge_cn,
    judge_estimate,
    judge_probability,
    judge_sdg,
    probability_band,
)
from fjdata.assess.view import View
from fjdata.assess.what_if import WhatIf, what_if_file, what_if_label
from fjdata.core import config
from fjdata.core.cache import cached, is_cached
from fjdata.core.errors import ArgumentError
from fjdata.core.parallel import ordered_map
from fjdata.forecast.backtest import auto_policy
from fjdata.forecast.models import Forecast
from fjdata.forecast.projection import AutoPolicy, ExtraData, JudgedSeries, Projection, judged_series, project_judged
from fjdata.inputs.indicators import catalogue
from fjdata.inputs.observations import SourceRef, series, series_fingerprint
from fjdata.inputs.plan import Plan
from fjdata.inputs.registry import Target, chapters, registry
from fjdata.inputs.statements import official_statement
from fjdata.inputs.transforms import by_year

NEAREST_BASE_WINDOW = 2
# Progress calls a latest value known only as a bound on the unhelpful side ("at most X" against a
# floor) cannot support: the true value is X or worse, so only the worst call stays conclusive.
INCONCLUSIVE_ON_A_BOUND = frozenset(
    {Status.ACHIEVED, Status.ACHIEVED_EARLY, Status.AHEAD, Status.ON_TRACK, Status.SIGNIFICANT, Status.MODERATE, Status.LIMITED}
)


@dataclass(frozen=True)
class Dispute:
    """Sources disagree on a value a verdict uses: what was used, what else was published, and why."""

    year: int
    used_value: float
    used_source: str
    used_vintage: str
    reason: str  # plan_owner | status | newer | highest_floor | family | spliced | only | rule
    others: tuple[tuple[float, str, str, str], ...]  # (value, vintage, status, source title)


@dataclass(frozen=True)
class Observed:
    """A point of the judged series: the base a target is measured from, or the latest value."""

    year: int | None
    value: float | None  # on the judged scale
    raw_value: float | None = None  # as published (a growth rate stays a rate)
    status: str | None = None  # final / preliminary / revised / derived
    bound: str | None = None  # "lower" when the source only says 超过/突破 the number
    spliced: bool = False  # taken from another release family (docs/vintage-rule.md)
    origin: str = "observed"  # observed | plan | nearest | definition | none (for a base)


@dataclass(frozen=True)
class ProgressCall:
    """(a) China's mid-term rule: progress P towards the target against elapsed time τ."""

    status: Status
    progress: float | None = None  # share of the way from base to target (a ratio, never a probability)
    elapsed: float | None = None  # share of the plan period elapsed


@dataclass(frozen=True)
class TrendCall:
    """(b) Open SDG's rule: the growth achieved against the growth required (ratio R)."""

    status: Status
    ratio: float | None = None
    cagr_actual: float | None = None
    cagr_required: float | None = None


@dataclass(frozen=True)
class ForecastCall:
    """(c) The model: the target-year value, its calibrated intervals and the probability of meeting it."""

    status: Status
    method: str | None = None  # "observed" when the target-year value is held
    members: str | None = None
    year: int | None = None
    value: float | None = None
    lo80: float | None = None
    hi80: float | None = None
    lo95: float | None = None
    hi95: float | None = None
    prob: float | None = None  # calibrated; print with judgements.probability_band, never as 0 %/100 %
    estimate: bool = False  # the value estimates a past year, it does not forecast


@dataclass(frozen=True)
class Verdict:
    """The one verdict a reader sees first, and the distance from the target behind it."""

    status: Status = Status.INSUFFICIENT
    basis: str = "none"  # final | latest | estimate | forecast | progress | quota | statement | none
    period_over: bool = False  # the view year has reached the target year
    final: bool = False  # the target-year value (or a published period average) is observed
    attainment: float | None = None  # share of the target reached (1.0 = exactly met)
    gap: float | None = None  # shortfall in gap_unit; ≤ 0 means met or exceeded
    gap_unit: str = ""
    data_age: int | None = None  # target year − latest year
    years_used: tuple[int, ...] = ()  # plan years (after the base) with an observation
    years_missing: tuple[int, ...] = ()  # plan years the verdict needs and the data lack
    unverified_years: tuple[int, ...] = ()  # years of the figures it rests on whose source is 来源待核实


@dataclass(frozen=True)
class GrowthCall:
    """Average-growth targets: the average achieved over the plan years observed."""

    rate: float | None = None  # %
    published: bool = False  # a published period average was used
    flip: float | None = None  # average the missing years must cross to change the verdict


@dataclass(frozen=True)
class QuotaCall:
    """Yearly quotas: the years that fell short and the weakest year's multiple of the quota."""

    years_short: tuple[int, ...] = ()
    min_ratio: float | None = None


# The flat columns of :meth:`Assessment.to_row` (the CSV/XLSX/DataFrame layout), each with the path
# of the value in the nested result. Also readable as attributes (``a.cn_status``), for notebooks.
FLAT: dict[str, tuple[str, ...]] = {
    **{
        f: ("target", f)
        for f in (
            "target_id",
            "chapter",
            "name_zh",
            "name_en",
            "kind",
            "attribute",
            "unit",
            "direction",
            "target_text",
            "target_op",
            "target_value",
            "target_year",
            "base_year",
            "indicator_id",
        )
    },
    "as_of": ("as_of",),
    "judged_scale": ("judged_scale",),
    "judged_unit": ("judged_unit",),
    "base_used_year": ("base", "year"),
    "base_used_value": ("base", "value"),
    "base_origin": ("base", "origin"),
    "goal_value": ("goal_value",),
    "latest_year": ("latest", "year"),
    "latest_value": ("latest", "value"),
    "latest_raw_value": ("latest", "raw_value"),
    "latest_status": ("latest", "status"),
    "latest_bound": ("latest", "bound"),
    "n_obs": ("n_obs",),
    "cn_status": ("progress", "status"),
    "cn_progress": ("progress", "progress"),
    "cn_elapsed": ("progress", "elapsed"),
    "sdg_status": ("trend", "status"),
    "sdg_ratio": ("trend", "ratio"),
    "sdg_cagr_actual": ("trend", "cagr_actual"),
    "sdg_cagr_required": ("trend", "cagr_required"),
    **{f"model_{f}": ("forecast", f) for f in ("status", "method", "members", "year", "value", "lo80", "hi80", "lo95", "hi95", "prob")},
    "notes": ("notes",),
    "fit_warnings": ("fit_warnings",),
    "overall_status": ("overall", "status"),
    "overall_basis": ("overall", "basis"),
    "period_over": ("overall", "period_over"),
    "final": ("overall", "final"),
    "model_estimate": ("forecast", "estimate"),
    "attainment": ("overall", "attainment"),
    "gap": ("overall", "gap"),
    "gap_unit": ("overall", "gap_unit"),
    "data_age": ("overall", "data_age"),
    "years_used": ("overall", "years_used"),
    "years_missing": ("overall", "years_missing"),
    "unverified_years": ("overall", "unverified_years"),
    "avg_growth": ("growth", "rate"),
    "avg_growth_published": ("growth", "published"),
    "avg_growth_flip": ("growth", "flip"),
    "quota_years_short": ("quota", "years_short"),
    "quota_min_ratio": ("quota", "min_ratio"),
    "latest_spliced": ("latest", "spliced"),
    "disputes": ("disputes",),
}


@dataclass(frozen=True)
class Assessment:
    """One target judged on one view: the target, the base and latest points, the three
    judgements (a) progress, (b) trend, (c) forecast, and the overall verdict, as objects.

    ``to_row()`` flattens it into the documented columns (:data:`FLAT`); :func:`assess` is those
    rows as a DataFrame. The flat names also read as attributes (``a.cn_status`` is
    ``a.progress.status``) so that notebooks written against the flat record keep working.
    """

    target: Target
    as_of: int | None
    judged_scale: str  # "" for the indicator itself, else a description of the chained index
    judged_unit: str
    goal_value: float | None  # the target on the judged scale
    n_obs: int
    base: Observed
    latest: Observed
    progress: ProgressCall
    trend: TrendCall
    forecast: ForecastCall
    overall: Verdict
    growth: GrowthCall = field(default_factory=GrowthCall)
    quota: QuotaCall = field(default_factory=QuotaCall)
    disputes: tuple[Dispute, ...] = ()
    notes: tuple[str, ...] = ()
    fit_warnings: tuple[str, ...] = ()

    def __getattr__(self, name: str) -> Any:
        # Only called for names that are not fields: the flat aliases.
        path = FLAT.get(name)
        if path is None or path == (name,):
            raise AttributeError(f"{type(self).__name__!r} has no attribute {name!r}")
        value: Any = self
        for step in path:
            value = getattr(value, step)
        return value

    def replace(self, **changes: Any) -> Assessment:
        """A copy with some values changed, named by field (``overall=…``) or flat column
        (``cn_status=…``, ``target_id=…``): for what-if questions and tests.

        >>> a = assessments(chapter=2)[0]
        >>> a.replace(cn_status=Status.LAGGING).progress.status is Status.LAGGING
        True
        """
        fields_now: dict[str, Any] = {}
        parts: dict[str, dict[str, Any]] = {}
        for name, value in changes.items():
            path = FLAT.get(name, (name,))
            if len(path) == 1:
                fields_now[path[0]] = value
            else:
                parts.setdefault(path[0], {})[path[1]] = value
        for part, values in parts.items():
            fields_now[part] = replace(getattr(self, part), **values)
        return replace(self, **fields_now)

    def to_row(self) -> dict[str, Any]:
        """The flat record: every column of :data:`FLAT`, statuses as their values, with their
        zh/en labels and lights, and tuples joined as text (what CSV and XLSX hold).

        >>> a = assessments(chapter=2)[0]
        >>> a.to_row()["cn_status"] == a.progress.status.value
        True
        """
        row: dict[str, Any] = {}
        for name in FLAT:
            row[name] = getattr(self, name)
        for col in ("overall_status", "cn_status", "sdg_status", "model_status"):
            status: Status = row[col]
            row[col] = status.value
            row[col.replace("_status", "_label_zh")] = status.zh
            row[col.replace("_status", "_label_en")] = status.en
            row[col.replace("_status", "_light")] = status.light.value
        row["disputes"] = " | ".join(
            f"{d.year}: {d.used_value:g} ({d.used_vintage}, {d.reason}) vs "
            + ", ".join(f"{v:g} ({vin}, {st})" for v, vin, st, _ in d.others)
            for d in self.disputes
        )
        for col in ("years_used", "years_missing", "unverified_years", "quota_years_short"):
            row[col] = ",".join(map(str, row[col]))
        row["verdict"] = verdicts.verdict_key(self)  # the one verdict every output shows
        row["verdict_label_zh"], row["verdict_label_en"] = verdicts.verdict_label(self, "zh"), verdicts.verdict_label(self, "en")
        row["model_prob_band"] = probability_band(self.forecast.prob, "en")
        row["notes"] = " | ".join(self.notes)
        row["fit_warnings"] = " | ".join(self.fit_warnings)
        return row


# Columns whose values are years or counts: nullable integers (Int64), never floats or objects.
INTEGER_COLUMNS = ("as_of", "target_year", "base_year", "base_used_year", "latest_year", "model_year", "data_age", "n_obs")


def to_frame(items: Sequence[Assessment]) -> pd.DataFrame:
    """Assessments as a table, one :meth:`Assessment.to_row` per row (the layout of :func:`assess`).

    One type per column, so that filters and exports (Stata, Parquet, Excel) behave: ``chapter`` is
    an ordered categorical of the plan's chapter keys (strings: filter with ``a.chapter == "2"``);
    years and counts are nullable integers; text columns hold text ("" when empty); flags are booleans.
    """
    frame = pd.DataFrame([a.to_row() for a in items])
    return one_type_per_column(frame, chapters(items[0].target.plan_id) if items else [])


def one_type_per_column(frame: pd.DataFrame, chapter_keys: Sequence[str] = ()) -> pd.DataFrame:
    """The frame with one dtype per column (see :func:`to_frame`)."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if col == "chapter" and chapter_keys:
            out[col] = pd.Categorical(values.astype(str), categories=list(chapter_keys), ordered=True)
        elif col in INTEGER_COLUMNS:
            out[col] = pd.to_numeric(values, errors="raise").astype("Int64")
        elif values.dtype == object:
            held = values.dropna()
            if len(held) and all(isinstance(v, bool) for v in held):
                out[col] = values.astype("boolean")
            elif len(held) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in held):
                out[col] = pd.to_numeric(values).astype(float)
            elif len(held) == 0 and col.endswith(("_ratio", "_value", "_prob")):
                out[col] = values.astype(float)
            else:
                out[col] = values.map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)).astype(str)
    return out


def _goal(t: Target, judged: JudgedSeries, band: float) -> tuple[Goal | None, str, list[str]]:
    """The target on the judged scale, which base was used, and notes."""
    notes: list[str] = []
    values = judged.values
    years = judged.years
    if t.kind == "national_quota" or t.target_value is None:
        return (
            None,
            "none",
            ["目标为“完成国家下达指标”，具体数值尚未收录 / target is the nationally assigned quota; its number has not been collected"],
        )
    if judged.index_base_year is not None:
        # Chained index: base year = 100 by construction.
        if t.kind == "average_growth":
            target = 100.0 * (1 + t.target_value / 100.0) ** (t.target_year - t.base_year)
            return Goal(t.base_year, 100.0, t.target_year, target, "≥" if t.direction == "higher" else "≤"), "observed", notes
        if t.kind == "cumulative_reduction":
            return Goal(t.base_year, 100.0, t.target_year, 100.0 * (1 - t.target_value / 100.0), "≤"), "observed", notes
    op = t.target_op
    if t.kind == "period_total":
        # "十四五期间培育N家": a running total since the base year, zero by definition at the base.
        notes.append("期间累计目标：基期值为0 / total over the plan period: zero at the base year")
        return Goal(t.base_year, 0.0, t.target_year, t.target_value, op, band), "definition", notes
    if t.kind == "annual_quota":
        notes.append("年度指标：逐年对照每年的数量 / yearly quota: each plan year is compared with it")
        return Goal(t.base_year, math.nan, t.target_year, t.target_value, op, band), "none", notes
    observed = by_year(values)
    if t.base_year in observed:
        return Goal(t.base_year, observed[t.base_year], t.target_year, t.target_value, op, band), "observed", notes
    if t.base_value is not None:
        notes.append("基期值取自规划文本 / base value as stated in the plan")
        return Goal(t.base_year, t.base_value, t.target_year, t.target_value, op, band), "plan", notes
    near = [y for y in years if abs(y - t.base_year) <= NEAREST_BASE_WINDOW and y < max(years, default=0)]
    if near:
        y = min(near, key=lambda v: (abs(v - t.base_year), v))  # a tie goes to the earlier year
        notes.append(f"基期{t.base_year}年无数据，以{y}年为基期 / no {t.base_year} value; {y} used as base")
        return Goal(y, observed[y], t.target_year, t.target_value, op, band), "nearest", notes
    return Goal(t.base_year, math.nan, t.target_year, t.target_value, op, band), "none", notes


def _probability(proj: Projection, goal: Goal, higher: bool) -> float:
    fc = proj.forecast
    assert fc is not None
    if goal.op in ("≈", "="):
        lo, hi = goal.target - goal.band, goal.target + goal.band
        return max(fc.probability(goal.target_year, lo, True) - fc.probability(goal.target_year, hi, True), 0.0)
    return fc.probability(goal.target_year, goal.target, higher)


def _dispute(ref: SourceRef) -> Dispute:
    others = tuple((a.value, a.vintage, a.status, a.source_title) for a in ref.alternatives)
    return Dispute(ref.year, ref.value, ref.source_title, ref.vintage, ref.selection, others)


def _attainment(goal: Goal, latest: float, higher: bool) -> tuple[float | None, float | None]:
    """(share of the target reached, shortfall in the target's unit) for a level, share or count."""
    if goal.op in ("≈", "="):
        return (latest / goal.target if goal.target else None), goal.target - latest
    if higher:
        return (latest / goal.target if goal.target > 0 else None), goal.target - latest
    return (goal.target / latest if latest > 0 else None), latest - goal.target


def _overall(
    goal: Goal | None,
    final: bool,
    final_value: float | None,
    latest_met: bool,
    period_over: bool,
    cn_status: Status,
    model_status: Status,
    quota: QuotaJudgement | None,
    basic_band: float,
) -> tuple[Status, str]:
    """The one verdict a reader sees first, and what it rests on (a pure function of the judgements)."""
    if goal is None:
        return Status.NOT_QUANTIFIED, "none"
    if quota is not None:
        return quota.status, ("quota" if quota.status is not Status.INSUFFICIENT else "none")
    if final and final_value is not None:
        if goal.met(final_value):
            return Status.ACHIEVED, "final"
        if goal.op in ("≈", "=") and abs(final_value - goal.target) <= basic_band:
            return Status.BASICALLY_ACHIEVED, "final"
        return Status.MISSED, "final"
    if latest_met:
        return (Status.ACHIEVED if period_over else Status.ACHIEVED_EARLY), "latest"
    if model_status in (Status.PROBABLY_ACHIEVED, Status.UNCERTAIN, Status.PROBABLY_MISSED):
        return model_status, "estimate"
    if model_status in (Status.LIKELY, Status.POSSIBLE, Status.UNLIKELY):
        return model_status, "forecast"
    if cn_status in (Status.AHEAD, Status.ON_TRACK, Status.LAGGING):
        return cn_status, "progress"
    return Status.INSUFFICIENT, "none"


def _published_average(t: Target, as_of: int | None, vintage_rule: str, extra_data: ExtraData) -> tuple[float, SourceRef] | None:
    """A published average over exactly the plan period (十四五期间年均增长X%), if one is held."""
    for ind in catalogue().values():
        if ind.series_kind != "period_average" or ind.average_of != t.indicator_id or ind.period_start != t.base_year + 1:
            continue
        avg = series(ind.indicator_id, region=t.region, vintage_rule=vintage_rule, as_of=as_of, extra_data=extra_data)
        refs = [r for r in avg.attrs["sources"] if r.year == t.target_year]
        if refs:
            return refs[0].value, refs[0]
    return None


def assess_target(
    t: Target, view: View | None = None, judged: JudgedSeries | None = None, today: date | None = None, policy: AutoPolicy | None = None
) -> TargetResult:
    """Judge one target on a :class:`View` (default: the target's plan, all data, ``auto``).
    ``judged`` replaces the shipped series (e.g. to try another series); ``today`` fixes the date a
    view without ``as_of`` is taken on (default: today); ``policy`` is what ``auto`` combines and how
    intervals are calibrated (default: the backtest's as of the view's ``as_of``)."""
    view = view or View.of(t.plan_id or None)
    as_of, method, vintage_rule, extra_data = view.as_of, view.method, view.vintage_rule, view.extra
    settings = config.settings()
    min_points = settings["min_points"]
    bands = settings["prob_bands"]
    estimate_bands = settings["estimate_bands"]
    sdg_thr = settings["sdg_thresholds"]
    assert isinstance(min_points, dict) and isinstance(bands, dict) and isinstance(sdg_thr, dict) and isinstance(estimate_bands, dict)
    delta = view.tolerance
    band = float(settings["approx_band"])  # type: ignore[arg-type]
    basic_band = float(settings["approx_band_basic"])  # type: ignore[arg-type]
    period_over = view.year(today) >= t.target_year

    if judged is None:
        judged = judged_series(t.indicator_id, t.base_year, region=t.region, vintage_rule=vintage_rule, as_of=as_of, extra_data=extra_data)
    values = judged.values[[p.year <= t.target_year for p in judged.values.index]] if len(judged.values) else judged.values
    raw = judged.raw[[p.year <= t.target_year for p in judged.raw.index]] if len(judged.raw) else judged.raw
    judged = JudgedSeries(judged.indicator_id, values, judged.scale, judged.bounds, judged.index_base_year, judged.raw)
    goal, base_origin, notes = _goal(t, judged, band)
    chained = judged.index_base_year is not None
    refs = {r.year: r for r in judged.raw.attrs.get("sources", ())}
    # Observations behind the series: a chained index's base point (100) is set, not observed.
    n_obs = len(values) - (1 if judged.index_base_year in {int(p.year) for p in values.index} else 0)
    observed_raw = by_year(raw)
    plan_years = range(t.base_year + 1, t.target_year + 1)
    # The latest observation: for a chained series, the latest published rate (even after a gap).
    latest_year: int | None = (
        max(observed_raw)
        if (chained and observed_raw and max(observed_raw) > t.base_year)
        else (int(values.index[-1].year) if n_obs > 0 else None)
    )
    latest = float(values.iloc[-1]) if n_obs > 0 and not chained else None
    raw_latest = observed_raw.get(latest_year) if latest_year is not None else None
    latest_status = latest_bound = None
    if latest_year is not None:
        latest_status = judged.raw.attrs.get("statuses", {}).get(latest_year)
        latest_bound = judged.raw.attrs.get("bounds", {}).get(latest_year)
        if latest_bound == "lower" and t.target_op == "≥":
            notes.append("最新值为下限（“超过/突破”），判断偏保守 / the latest value is a lower bound, so judgements are conservative")

    # Average growth / cumulative change: the rates observed in the plan period, gaps and all.
    avg: AverageGrowth | None = None
    published = None
    if chained and goal is not None and t.target_value is not None and t.kind in ("average_growth", "cumulative_reduction"):
        target_rate = (
            t.target_value
            if t.kind == "average_growth"
            else ((1 - t.target_value / 100.0) ** (1 / (t.target_year - t.base_year)) - 1) * 100.0
        )
        published = _published_average(t, as_of, vintage_rule, extra_data) if t.kind == "average_growth" else None
        if published is not None:
            avg = AverageGrowth(published[0], tuple(plan_years), (), len(plan_years), True, None)
            refs[t.target_year] = published[1]
            notes.append("采用公布的规划期年均增速 / a published average over the plan period is used")
        else:
            avg = average_growth_from_rates(observed_raw, t.base_year, t.target_year, target_rate, period_over)
        if avg is not None:
            latest_year = avg.years_used[-1] if not avg.published else t.target_year
            # The index the observed average implies: equal to the chained index when no year is missing.
            latest = 100.0 * (1 + avg.rate / 100.0) ** (latest_year - t.base_year)
            if avg.years_missing:
                notes.append(
                    f"年均增速基于{len(avg.years_used)}/{avg.n_plan_years}年的数据，缺{_years(avg.years_missing)}年 / average over "
                    f"{len(avg.years_used)} of {avg.n_plan_years} years"
                )

    final = latest_year is not None and latest_year >= t.target_year
    data_age = t.target_year - latest_year if latest_year is not None else None

    # (a) and (b): need the base and a later observation.
    cn = sdg = None
    quota: QuotaJudgement | None = None
    have_base = goal is not None and not math.isnan(goal.base)
    # "At most X" cannot show a floor reached, nor "more than X" a ceiling kept: only a shortfall is conclusive.
    wrong_side_bound = bool(goal is not None and latest_bound and latest_bound == {"≥": "upper", "≤": "lower"}.get(goal.op))
    latest_met = bool(latest is not None and goal is not None and goal.op in ("≥", "≤") and goal.met(latest) and not wrong_side_bound)
    if goal is None:
        cn_status = sdg_status = Status.NOT_QUANTIFIED
    elif t.kind == "annual_quota":
        quota = judge_annual_quota(observed_raw, Goal(t.base_year, math.nan, t.target_year, goal.target, goal.op), period_over)
        cn_status = quota.status
        sdg_status = Status.INSUFFICIENT if quota.status is Status.INSUFFICIENT else Status.NOT_APPLICABLE  # no growth path to a yearly bar
        have_base = False  # a yearly quota has no base value
        if quota.years_short:
            notes.append(f"未达到年度指标的年份：{_years(quota.years_short)} / years below the quota")
    elif latest_met and latest_year is not None and (not have_base or latest_year <= goal.base_year):
        # Already met: no base is needed to say so (Open SDG's "target achieved" comes first too).
        cn_status = Status.ACHIEVED if latest_year >= t.target_year or period_over else Status.ACHIEVED_EARLY
        sdg_status = Status.ACHIEVED
        notes.append("最新值已达到目标 / the latest value already meets the target")
    elif not have_base or latest_year is None or latest is None:
        cn_status = sdg_status = Status.INSUFFICIENT
        notes.append("缺少基期值 / no base value" if not have_base else "没有观测值 / no observation")
    else:
        # Points for (a) and (b): the base (observed, stated in the plan, or zero by definition) and later years.
        points = 1 + (len(avg.years_used) if avg is not None else sum(1 for y in by_year(values) if y > goal.base_year))
        cn_status = sdg_status = Status.INSUFFICIENT
        if points >= int(min_points["cn"]):
            cn = judge_cn(goal, latest_year, latest, chained, delta)
            cn_status = cn.status
            if period_over and goal.met(latest) and cn_status in (Status.ACHIEVED_EARLY, Status.ON_TRACK):
                cn_status = Status.ACHIEVED  # the plan is over and the target stands met: no longer "early"
        if points >= int(min_points["sdg"]):
            sdg = judge_sdg(goal, latest_year, latest, sdg_thr)
            sdg_status = sdg.status
        if points < max(int(min_points["cn"]), int(min_points["sdg"])):
            notes.append(f"基期之后的观测值不足（共{points}个点）/ too few points from the base year on ({points})")
        if latest_bound == "lower" and not chained and goal.higher and latest <= goal.base:
            # A floor at or below the base says nothing about progress: no ratio, no growth, no path from it.
            cn = sdg = None
            cn_status = sdg_status = Status.INSUFFICIENT
            notes.append(
                f"{latest_year}年仅知超过{latest:g}{t.unit}（不高于基期值），无法据此判断进度 / in {latest_year} only a floor of "
                f"{latest:g} {t.unit} is known, not above the base: progress cannot be judged from it"
            )
        if wrong_side_bound and {cn_status, sdg_status} & INCONCLUSIVE_ON_A_BOUND:
            cn_status, sdg_status = (Status.INSUFFICIENT if s in INCONCLUSIVE_ON_A_BOUND else s for s in (cn_status, sdg_status))
            notes.append(
                "最新值仅为单侧界限（如“不超过”），无法据此判断进度 / the latest value is only a bound on the unhelpful side "
                "(e.g. “at most”), so progress cannot be judged from it"
            )

    # (c): model, or the observed outcome once the target year is in the data.
    proj: Projection | None = None
    model_status, prob = Status.INSUFFICIENT, None
    point: dict[str, float] = {}
    fit_warnings: tuple[str, ...] = ()
    model_method = members = None
    if final and latest is not None:
        model_method = "observed"
        model_status = Status.NOT_QUANTIFIED if goal is None else (Status.ACHIEVED if goal.met(latest) else Status.MISSED)
        # The outcome itself; an index implied by an average of rates is not an observed value.
        point = {} if chained else {"mean": latest}
    elif n_obs < int(min_points["model"]):
        model_status = Status.NOT_QUANTIFIED if goal is None else Status.INSUFFICIENT
        notes.append(
            f"模型判断至少需要{min_points['model']}个观测值，现有{n_obs}个 / model needs ≥{min_points['model']} points, has {n_obs}"
        )
    else:
        proj = project_judged(judged, method, t.target_year, policy or auto_policy(as_of))
        if proj.forecast is None:
            notes.append("没有可拟合的方法 / no method could be fitted: " + "; ".join(f"{k}: {v}" for k, v in proj.skipped.items()))
        else:
            fc = proj.forecast
            model_method = fc.method
            members = ",".join(fc.members) if fc.members else None
            point = fc.at(t.target_year)
            fit_warnings = fc.warnings
            if goal is None:
                model_status = Status.NOT_QUANTIFIED
            else:
                prob = _probability(proj, goal, goal.higher or goal.op in ("≈", "="))
                model_status = judge_estimate(prob, estimate_bands) if period_over else judge_probability(prob, bands)
    model_estimate = period_over and model_method not in (None, "observed")
    if model_estimate:
        notes.append(
            f"{t.target_year}年数据尚未收录，模型值为对该年的估计 / "
            f"the {t.target_year} value has not been collected: the model value estimates it"
        )

    # How far: share of the target reached and the gap, on the target's own unit.
    attainment = gap = None
    gap_unit = t.unit
    if goal is not None and avg is not None and t.kind == "average_growth" and t.target_value:
        attainment, gap, gap_unit = avg.rate / t.target_value, t.target_value - avg.rate, "百分点"
    elif goal is not None and chained and latest is not None and t.kind == "cumulative_reduction" and t.target_value:
        achieved = 100.0 - latest  # the index fell from 100 by this many per cent
        attainment, gap, gap_unit = achieved / t.target_value, t.target_value - achieved, "百分点"
    elif goal is not None and not chained and latest is not None and t.kind != "annual_quota":
        attainment, gap = _attainment(goal, latest, goal.higher or t.direction == "higher")
    elif quota is not None:
        attainment = quota.min_ratio

    years_missing: tuple[int, ...] = ()
    if avg is not None:
        years_missing = avg.years_missing
    elif quota is not None:
        years_missing = quota.years_missing
    elif goal is not None and period_over and not final:
        years_missing = (t.target_year,)
    years_used = avg.years_used if avg is not None else tuple(y for y in sorted(observed_raw) if y in plan_years)
    final_value = latest if final else None
    overall, basis = _overall(goal, final, final_value, latest_met, period_over, cn_status, model_status, quota, basic_band)
    if t.kind == "national_quota" and (stmt := official_statement(t.target_id, as_of, year=t.target_year)) is not None:
        # No number is published: the assessing body's own statement of completion decides, cited.
        cn_status = overall = Status.ACHIEVED if stmt.assertion == "completed" else Status.MISSED
        basis = "statement"
        notes.append(stmt.citation())
    used_years = {y for y in (latest_year, goal.base_year if goal is not None and have_base else None) if y is not None}
    if avg is not None:
        used_years |= set(avg.years_used)
    disputes = tuple(_dispute(refs[y]) for y in sorted(used_years) if y in refs and refs[y].alternatives)
    latest_ref = refs.get(latest_year) if latest_year is not None else None
    deciding = set(avg.years_used) if avg is not None and not avg.published else ({latest_year} if latest_year is not None else set())
    unverified_years = tuple(sorted(y for y in deciding if y in refs and refs[y].unverified))
    if unverified_years and set(unverified_years) == deciding and basis in ("final", "latest"):
        # Only a code file, a data panel or an anonymous copy carries the figure: it cannot decide alone.
        overall, basis = Status.INSUFFICIENT, "unverified"
        notes.append(
            f"{_years(unverified_years)}年数据来源待核实，不据此单独作出判断 / the source of the {_years(unverified_years)} "
            "figure is unverified: it does not decide the verdict on its own"
        )

    a = Assessment(
        target=t,
        as_of=as_of,
        judged_scale=judged.describe("zh"),
        judged_unit="指数" if chained else t.unit,
        goal_value=goal.target if goal is not None else None,
        n_obs=n_obs,
        base=Observed(
            goal.base_year if goal is not None and have_base else None,
            goal.base if goal is not None and have_base else None,
            origin=base_origin if have_base else "none",
        ),
        latest=Observed(latest_year, latest, raw_latest, latest_status, latest_bound, bool(latest_ref and latest_ref.spliced)),
        progress=ProgressCall(cn_status, cn.progress if cn else None, cn.elapsed if cn else None),
        trend=TrendCall(sdg_status, *((sdg.ratio, sdg.cagr_actual, sdg.cagr_required) if sdg else (None, None, None))),
        forecast=ForecastCall(
            model_status,
            model_method,
            members,
            t.target_year if point else None,
            point.get("mean"),
            point.get("lo80"),
            point.get("hi80"),
            point.get("lo95"),
            point.get("hi95"),
            prob,
            model_estimate,
        ),
        overall=Verdict(
            overall, basis, period_over, final, attainment, gap, gap_unit, data_age, years_used, years_missing, unverified_years
        ),
        growth=GrowthCall(avg.rate, bool(avg.published), avg.flip_rate) if avg is not None else GrowthCall(),
        quota=QuotaCall(quota.years_short, quota.min_ratio) if quota else QuotaCall(),
        disputes=disputes,
        notes=tuple(notes),
        fit_warnings=fit_warnings,
    )
    forecast = replace(proj.forecast, samples=None) if proj is not None and proj.forecast is not None else None
    sources = judged.raw.attrs.get("sources", ())
    chart_goal = goal if goal is not None and (have_base or t.kind == "annual_quota" or not math.isnan(goal.target)) else None
    return TargetResult(a, judged.values, judged.describe("en"), forecast, chart_goal, tuple(sources), raw)


_LIGHT_RANK = {Light.GREEN: 2, Light.AMBER: 1, Light.RED: 0}
JUDGEMENTS = ("overall_status", "cn_status", "sdg_status", "model_status")


@dataclass(frozen=True)
class Change:
    """One judgement of one target that moved between two views (e.g. the mid-term and today)."""

    target_id: str
    judgement: str  # overall_status | cn_status | sdg_status | model_status
    before: Status
    after: Status
    direction: int  # +1 better, −1 worse, 0 newly judged or no longer judged


def view_changes(before: Sequence[Assessment], after: Sequence[Assessment]) -> list[Change]:
    """Every judgement (overall, (a), (b), (c)) whose status differs between two views.

    A move between lights is better or worse; a move to or from grey (数据不足, 不适用) has
    direction 0; a change of label within one light (快于预期 → 已实现) is listed with direction 0.
    """
    old = {a.target_id: a for a in before}
    out = []
    for a in after:
        b = old.get(a.target_id)
        if b is None:
            continue
        for name in JUDGEMENTS:
            s0, s1 = getattr(b, name), getattr(a, name)
            if s0 is s1:
                continue
            r0, r1 = _LIGHT_RANK.get(s0.light), _LIGHT_RANK.get(s1.light)
            direction = 0 if r0 is None or r1 is None else (r1 > r0) - (r1 < r0)
            out.append(Change(a.target_id, name, s0, s1, direction))
    return out


def _years(years: Sequence[int]) -> str:
    return "、".join(str(y) for y in years)


@dataclass(frozen=True, eq=False)
class TargetResult:
    """An assessment with what its chart and footnotes need (kept small enough to cache)."""

    assessment: Assessment
    history: pd.Series  # the judged series
    history_scale: str  # "" or e.g. "chained index, 2020 = 100"
    forecast: Forecast | None  # path to the target year (no simulation draws)
    goal: Goal | None
    sources: tuple[SourceRef, ...]
    raw: pd.Series | None = None  # the series as published (rates stay rates), up to the target year


def results(
    chapter: int | str | None = None,
    as_of: int | None = None,
    method: str | Sequence[str] = "auto",
    tolerance: float | None = None,
    vintage_rule: str = "consistent",
    extra_data: ExtraData = None,
    use_cache: bool = True,
    plan: str | Plan | None = None,
    view: View | None = None,
) -> list[TargetResult]:
    """Every target's result for a plan (default: the default plan), cached on the view.

    The arguments are those of :func:`assess`; ``view`` (a :class:`View`) replaces all of them but
    ``chapter`` and ``use_cache``."""
    view = _view(view, plan, as_of, method, tolerance, vintage_rule, extra_data)
    view.check_chapter(chapter)
    everything = view_results(view, use_cache)
    return [r for r in everything if chapter is None or r.assessment.chapter == str(chapter)]


def view_results(view: View, use_cache: bool = True) -> list[TargetResult]:
    """Every target's result on one view, cached whole on :meth:`View.cache_key` and per target on
    the target's own series, so a new figure re-judges only the targets built on it."""

    def compute() -> list[TargetResult]:
        policy = auto_policy(view.as_of)  # computed once (from the backtest as of the view), passed to every target
        common = _common_key(view, policy)
        keyed = [(t, {**common, "target": repr(t), "series": series_fingerprint(_inputs_of(t), view.extra)}) for t in registry(view.plan)]
        # Targets not in the cache are judged over the cores (in registry order), then cached one by one.
        todo = [t for t, key in keyed if not (use_cache and not os.environ.get("FJDATA_NO_CACHE") and is_cached("target", key))]
        fresh = dict(
            zip([t.target_id for t in todo], ordered_map(_assess_task, [(t, view, policy) for t in todo], desc="targets"), strict=True)
        )

        def judged(t: Target) -> TargetResult:
            return fresh.pop(t.target_id, None) or _assess_task((t, view, policy))

        return [cached("target", key, partial(judged, t), use_cache) for t, key in keyed]

    return cached("results", view.cache_key(), compute, use_cache)


def _view(
    view: View | None,
    plan: str | Plan | None,
    as_of: int | None,
    method: str | Sequence[str],
    tolerance: float | None,
    vintage_rule: str,
    extra_data: ExtraData,
) -> View:
    """The view the caller means: the one given, or one built (and checked) from the arguments."""
    if view is None:
        return View.of(plan, as_of, method, tolerance, vintage_rule, extra_data)
    loose = (plan, as_of, method, tolerance, vintage_rule, extra_data) != (None, None, "auto", None, "consistent", None)
    if loose:
        raise ArgumentError("give either view= or the separate view arguments (plan, as_of, method, …), not both")
    return view


def _assess_task(task: tuple[Target, View, AutoPolicy]) -> TargetResult:
    """One target judged (a picklable task for a worker process)."""
    t, view, policy = task
    return assess_target(t, view, policy=policy)


def _inputs_of(t: Target) -> list[str]:
    """The series a target's result is built from: its indicator and any published period average of it."""
    return [t.indicator_id, *(i.indicator_id for i in catalogue().values() if i.average_of == t.indicator_id)]


def _common_key(view: View, policy: AutoPolicy) -> dict[str, object]:
    """What every target's result depends on beyond its own series: the view (without the data
    fingerprint, which the per-target key replaces), the backtest-derived model choices (auto
    members, calibration) and the official statements."""
    from fjdata.inputs.statements import statement_files

    statements = hashlib.sha256(b"".join(p.read_bytes() for p in statement_files())).hexdigest()
    return {
        **{k: v for k, v in view.cache_key().items() if k not in ("data", "plan")},
        **policy.key(),
        "statements": statements,
    }


def warm(view: View | None = None) -> None:
    """Make sure the results of ``view`` (default: the default plan, all data) are in the cache
    (computed at most once)."""
    view = view or View.of()
    if not is_cached("results", view.cache_key()):
        view_results(view)


def assessments(
    chapter: int | str | None = None,
    as_of: int | None = None,
    method: str | Sequence[str] = "auto",
    tolerance: float | None = None,
    vintage_rule: str = "consistent",
    extra_data: ExtraData = None,
    use_cache: bool = True,
    plan: str | Plan | None = None,
    view: View | None = None,
) -> list[Assessment]:
    """The typed assessments, one per target of the plan (the same arguments as :func:`assess`).

    Returns a list of frozen :class:`Assessment` records, in registry order.

    >>> "c2_mfg_share_gdp" in {a.target_id for a in assessments(chapter=2)}
    True
    """
    return [r.assessment for r in results(chapter, as_of, method, tolerance, vintage_rule, extra_data, use_cache, plan, view)]


def assess(
    chapter: int | str | None = None,
    as_of: int | None = None,
    method: str | Sequence[str] = "auto",
    tolerance: float | None = None,
    vintage_rule: str = "consistent",
    extra_data: ExtraData = None,
    use_cache: bool = True,
    plan: str | Plan | None = None,
    view: View | None = None,
    what_if: WhatIf = None,
) -> pd.DataFrame:
    """One row per target with every judgement, the latest observation, n_obs, the method,
    the interval and the probability. ``as_of=2022`` uses only what was known then.

    Parameters: ``plan`` (a plan id; None for the default plan), ``chapter`` (None or one of the
    plan's chapters, given as ``2`` or ``"2"``; the ``chapter`` column holds the same keys as an
    ordered categorical of strings, so filter a frame with ``a[a.chapter == "2"]``), ``as_of`` (None
    or a year from 2005 to this year), ``method`` ('auto', a method of
    :data:`fjdata.forecast.models.METHODS` or a list of them), ``tolerance`` (δ, None for the
    documented default), ``vintage_rule`` ('consistent', 'latest', 'first', 'all' or a vintage
    label), ``extra_data`` (CSV paths to overlay), ``use_cache``, ``view`` (a :class:`View` that
    replaces the view arguments) and ``what_if`` (``{target or indicator id: {year: value}}``:
    hypothetical values, used for this call only and never written to the data; the rows they touch
    say so in the ``what_if`` column, see :mod:`fjdata.assess.what_if`).
    A value outside these raises :class:`fjdata.core.errors.ArgumentError` naming the valid choices.

    >>> assess(vintage_rule="newest")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    fjdata.core.errors.ArgumentError: vintage_rule 'newest' is not valid (did you mean 'latest'?); ...
    """
    if not what_if:
        frame = to_frame(assessments(chapter, as_of, method, tolerance, vintage_rule, extra_data, use_cache, plan, view))
        return frame.assign(what_if="")
    if view is not None:
        raise ArgumentError("give what_if with the separate view arguments (plan, as_of, …), not with view=")
    labels = what_if_label(what_if, plan)
    with what_if_file(what_if, plan) as path:
        given = [] if extra_data is None else [extra_data] if isinstance(extra_data, str | os.PathLike) else list(extra_data)
        frame = to_frame(assessments(chapter, as_of, method, tolerance, vintage_rule, [*given, str(path)], use_cache, plan))
    return frame.assign(what_if=frame["indicator_id"].map(labels).fillna("").astype(str))
