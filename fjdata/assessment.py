"""How far from the target: every target judged three ways, side by side, never blended.

For each target in the registry, :func:`assess_target` builds the judged series (see
:mod:`fjdata.projection`), turns the target into a :class:`~fjdata.judgements.Goal` on that
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

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace

import pandas as pd

from fjdata import config
from fjdata.cache import cached, is_cached
from fjdata.judgements import Goal, Status, judge_annual_quota, judge_cn, judge_probability, judge_sdg
from fjdata.models import Forecast
from fjdata.observations import SourceRef, data_fingerprint
from fjdata.projection import ExtraData, JudgedSeries, Projection, judged_series, project_judged
from fjdata.registry import Target, registry
from fjdata.transforms import by_year

NEAREST_BASE_WINDOW = 2


@dataclass(frozen=True)
class Assessment:
    target_id: str
    chapter: str
    name_zh: str
    name_en: str
    kind: str
    attribute: str | None
    unit: str
    direction: str
    target_text: str
    target_op: str
    target_value: float | None
    target_year: int
    base_year: int
    indicator_id: str
    as_of: int | None
    judged_scale: str  # "" for the indicator itself, else a description of the chained index
    judged_unit: str
    base_used_year: int | None
    base_used_value: float | None
    base_origin: str  # observed | plan | nearest | none
    goal_value: float | None  # the target on the judged scale
    latest_year: int | None
    latest_value: float | None  # judged scale
    latest_raw_value: float | None  # as published (e.g. the growth rate itself)
    latest_status: str | None  # final / preliminary / revised / derived
    latest_bound: str | None  # "lower" when the source only says 超过/突破 the number
    n_obs: int
    cn_status: Status
    cn_progress: float | None
    cn_elapsed: float | None
    sdg_status: Status
    sdg_ratio: float | None
    sdg_cagr_actual: float | None
    sdg_cagr_required: float | None
    model_status: Status
    model_method: str | None
    model_members: str | None
    model_year: int | None
    model_value: float | None
    model_lo80: float | None
    model_hi80: float | None
    model_lo95: float | None
    model_hi95: float | None
    model_prob: float | None
    notes: tuple[str, ...] = field(default_factory=tuple)
    fit_warnings: tuple[str, ...] = field(default_factory=tuple)


def _goal(t: Target, judged: JudgedSeries, band: float) -> tuple[Goal | None, str, list[str]]:
    """The target on the judged scale, which base was used, and notes."""
    notes: list[str] = []
    values = judged.values
    years = judged.years
    if t.kind == "national_quota" or t.target_value is None:
        return None, "none", ["目标为“完成国家下达指标”，未公布具体数值 / target is the nationally assigned quota, not published"]
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


def assess_target(
    t: Target,
    as_of: int | None = None,
    method: str | Sequence[str] = "auto",
    tolerance: float | None = None,
    vintage_rule: str = "consistent",
    extra_data: ExtraData = None,
    judged: JudgedSeries | None = None,
) -> TargetResult:
    """Judge one target. ``judged`` replaces the shipped series (e.g. to try another series)."""
    settings = config.settings()
    min_points = settings["min_points"]
    bands = settings["prob_bands"]
    sdg_thr = settings["sdg_thresholds"]
    assert isinstance(min_points, dict) and isinstance(bands, dict) and isinstance(sdg_thr, dict)
    delta = default_tolerance(tolerance)
    band = float(settings["approx_band"])  # type: ignore[arg-type]

    if judged is None:
        judged = judged_series(t.indicator_id, t.base_year, vintage_rule=vintage_rule, as_of=as_of, extra_data=extra_data)
    values = judged.values[[p.year <= t.target_year for p in judged.values.index]] if len(judged.values) else judged.values
    judged = JudgedSeries(judged.indicator_id, values, judged.scale, judged.bounds, judged.index_base_year, judged.raw)
    goal, base_origin, notes = _goal(t, judged, band)
    # Observations behind the series: a chained index's base point (100) is set, not observed.
    n_obs = len(values) - (1 if judged.index_base_year in {int(p.year) for p in values.index} else 0)
    latest_year = int(values.index[-1].year) if n_obs > 0 else None
    latest = float(values.iloc[-1]) if n_obs > 0 else None
    raw_latest = None
    latest_status = latest_bound = None
    if latest_year is not None:
        raw_latest = by_year(judged.raw).get(latest_year)
        latest_status = judged.raw.attrs.get("statuses", {}).get(latest_year)
        latest_bound = judged.raw.attrs.get("bounds", {}).get(latest_year)
        if latest_bound == "lower":
            notes.append("最新值为下限（“超过/突破”），判断偏保守 / the latest value is a lower bound, so judgements are conservative")

    # (a) and (b): need the base and a later observation.
    cn = sdg = None
    have_base = goal is not None and not math.isnan(goal.base)
    if goal is None:
        cn_status = sdg_status = Status.NOT_QUANTIFIED
    elif t.kind == "annual_quota":
        cn = judge_annual_quota(by_year(values), Goal(t.base_year, math.nan, t.target_year, goal.target, goal.op), delta)
        cn_status = cn.status
        sdg_status = Status.INSUFFICIENT if cn.status is Status.INSUFFICIENT else Status.NOT_APPLICABLE  # no growth path to a yearly bar
        have_base = False  # a yearly quota has no base value
    elif latest is not None and latest_year is not None and goal.op in ("≥", "≤") and goal.met(latest) and (not have_base or latest_year <= goal.base_year):
        # Already met: no base is needed to say so (Open SDG's "target achieved" comes first too).
        cn_status = Status.ACHIEVED if latest_year >= t.target_year else Status.ACHIEVED_EARLY
        sdg_status = Status.ACHIEVED
        notes.append("最新值已达到目标 / the latest value already meets the target")
    elif not have_base or latest_year is None or latest is None:
        cn_status = sdg_status = Status.INSUFFICIENT
        notes.append("缺少基期值 / no base value" if not have_base else "没有观测值 / no observation")
    else:
        # Points for (a) and (b): the base (observed, stated in the plan, or zero by definition) and later years.
        points = 1 + sum(1 for y in by_year(values) if y > goal.base_year)
        log_form = judged.index_base_year is not None
        cn_status = sdg_status = Status.INSUFFICIENT
        if points >= int(min_points["cn"]):
            cn = judge_cn(goal, latest_year, latest, log_form, delta)
            cn_status = cn.status
        if points >= int(min_points["sdg"]):
            sdg = judge_sdg(goal, latest_year, latest, sdg_thr)
            sdg_status = sdg.status
        if points < max(int(min_points["cn"]), int(min_points["sdg"])):
            notes.append(f"基期之后的观测值不足（共{points}个点）/ too few points from the base year on ({points})")

    # (c): model, or the observed outcome once the target year is in the data.
    proj: Projection | None = None
    model_status, prob = Status.INSUFFICIENT, None
    point: dict[str, float] = {}
    fit_warnings: tuple[str, ...] = ()
    model_method = members = None
    if latest_year is not None and latest is not None and latest_year >= t.target_year:
        model_method = "observed"
        if goal is not None:
            prob = 1.0 if goal.met(latest) else 0.0
            model_status = Status.ACHIEVED if prob == 1.0 else Status.MISSED
        else:
            model_status = Status.NOT_QUANTIFIED
        point = {"mean": latest}
    elif n_obs < int(min_points["model"]):
        model_status = Status.NOT_QUANTIFIED if goal is None else Status.INSUFFICIENT
        notes.append(f"模型判断至少需要{min_points['model']}个观测值，现有{n_obs}个 / model needs ≥{min_points['model']} points, has {n_obs}")
    else:
        proj = project_judged(judged, method, t.target_year, as_of=as_of)
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
                model_status = judge_probability(prob, bands)

    a = Assessment(
        target_id=t.target_id, chapter=t.chapter, name_zh=t.name_zh, name_en=t.name_en, kind=t.kind,
        attribute=t.attribute, unit=t.unit, direction=t.direction, target_text=t.target_text,
        target_op=t.target_op, target_value=t.target_value, target_year=t.target_year, base_year=t.base_year,
        indicator_id=t.indicator_id, as_of=as_of, judged_scale=judged.describe("zh"),
        judged_unit="指数" if judged.index_base_year is not None else t.unit,
        base_used_year=goal.base_year if goal is not None and have_base else None,
        base_used_value=goal.base if goal is not None and have_base else None,
        base_origin=base_origin if have_base else "none",
        goal_value=goal.target if goal is not None else None,
        latest_year=latest_year, latest_value=latest, latest_raw_value=raw_latest, latest_status=latest_status, latest_bound=latest_bound,
        n_obs=n_obs,
        cn_status=cn_status, cn_progress=cn.progress if cn else None, cn_elapsed=cn.elapsed if cn else None,
        sdg_status=sdg_status, sdg_ratio=sdg.ratio if sdg else None,
        sdg_cagr_actual=sdg.cagr_actual if sdg else None, sdg_cagr_required=sdg.cagr_required if sdg else None,
        model_status=model_status, model_method=model_method, model_members=members,
        model_year=t.target_year if point else None, model_value=point.get("mean"),
        model_lo80=point.get("lo80"), model_hi80=point.get("hi80"), model_lo95=point.get("lo95"), model_hi95=point.get("hi95"),
        model_prob=prob, notes=tuple(notes), fit_warnings=fit_warnings,
    )
    forecast = replace(proj.forecast, samples=None) if proj is not None and proj.forecast is not None else None
    sources = judged.raw.attrs.get("sources", ())
    chart_goal = goal if goal is not None and (have_base or t.kind == "annual_quota") else None
    return TargetResult(a, judged.values, judged.describe("en"), forecast, chart_goal, tuple(sources))


@dataclass(frozen=True, eq=False)
class TargetResult:
    """An assessment with what its chart and footnotes need (kept small enough to cache)."""

    assessment: Assessment
    history: pd.Series  # the judged series
    history_scale: str  # "" or e.g. "chained index, 2020 = 100"
    forecast: Forecast | None  # path to the target year (no simulation draws)
    goal: Goal | None
    sources: tuple[SourceRef, ...]


def results(
    chapter: int | str | None = None,
    as_of: int | None = None,
    method: str | Sequence[str] = "auto",
    tolerance: float | None = None,
    vintage_rule: str = "consistent",
    extra_data: ExtraData = None,
    use_cache: bool = True,
) -> list[TargetResult]:
    """Every target's result (cached on the data fingerprint and the arguments)."""
    from fjdata.arguments import check_assess_arguments

    check_assess_arguments(chapter, as_of, method, vintage_rule)  # refuse nonsense with the valid choices
    delta = default_tolerance(tolerance)  # one cache entry whether δ is explicit or the default

    def compute() -> list[TargetResult]:
        return [assess_target(t, as_of, method, delta, vintage_rule, extra_data) for t in registry()]

    everything = cached("results", _results_key(as_of, method, delta, vintage_rule, extra_data), compute, use_cache)
    return [r for r in everything if chapter is None or r.assessment.chapter == str(chapter)]


def default_tolerance(tolerance: float | None) -> float:
    """δ for progress vs elapsed time: the given value, or the documented default."""
    return float(config.settings()["cn_tolerance"]) if tolerance is None else float(tolerance)  # type: ignore[arg-type]


def _results_key(as_of: int | None, method: str | Sequence[str], tolerance: float, vintage_rule: str, extra_data: ExtraData) -> dict[str, object]:
    method_key = method if isinstance(method, str) else list(method)
    return {"as_of": as_of, "method": method_key, "tolerance": tolerance, "vintage_rule": vintage_rule, "data": data_fingerprint(extra_data)}


def warm(
    as_of: int | None = None,
    method: str | Sequence[str] = "auto",
    tolerance: float | None = None,
    vintage_rule: str = "consistent",
    extra_data: ExtraData = None,
) -> None:
    """Make sure the results for these arguments are in the cache (computed at most once)."""
    from fjdata.arguments import check_assess_arguments

    check_assess_arguments(None, as_of, method, vintage_rule)
    delta = default_tolerance(tolerance)
    if not is_cached("results", _results_key(as_of, method, delta, vintage_rule, extra_data)):
        results(None, as_of, method, delta, vintage_rule, extra_data)


def assessments(
    chapter: int | str | None = None,
    as_of: int | None = None,
    method: str | Sequence[str] = "auto",
    tolerance: float | None = None,
    vintage_rule: str = "consistent",
    extra_data: ExtraData = None,
    use_cache: bool = True,
) -> list[Assessment]:
    """The typed assessments, one per target (the same arguments as :func:`assess`).

    Returns a list of frozen :class:`Assessment` records, in registry order.

    >>> "c2_mfg_share_gdp" in {a.target_id for a in assessments(chapter=2)}
    True
    """
    return [r.assessment for r in results(chapter, as_of, method, tolerance, vintage_rule, extra_data, use_cache)]


def assess(
    chapter: int | str | None = None,
    as_of: int | None = None,
    method: str | Sequence[str] = "auto",
    tolerance: float | None = None,
    vintage_rule: str = "consistent",
    extra_data: ExtraData = None,
    use_cache: bool = True,
) -> pd.DataFrame:
    """One row per target with every judgement, the latest observation, n_obs, the method,
    the interval and the probability. ``as_of=2022`` uses only what was known then.

    Parameters: ``chapter`` (None, 1–5 or 'annex'), ``as_of`` (None or a year from 2005 to
    this year), ``method`` ('auto', a method of :data:`fjdata.models.METHODS` or a list of them),
    ``tolerance`` (δ, None for the documented default), ``vintage_rule`` ('consistent', 'latest',
    'first', 'all' or a vintage label), ``extra_data`` (CSV paths to overlay), ``use_cache``.
    A value outside these raises :class:`fjdata.errors.ArgumentError` naming the valid choices.

    >>> assess(vintage_rule="newest")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    fjdata.errors.ArgumentError: vintage_rule 'newest' is not valid (did you mean 'latest'?); ...
    """
    rows = []
    for a in assessments(chapter, as_of, method, tolerance, vintage_rule, extra_data, use_cache):
        row = asdict(a)
        for col in ("cn_status", "sdg_status", "model_status"):
            status: Status = row[col]
            row[col] = status.value
            row[col.replace("_status", "_label_zh")] = status.zh
            row[col.replace("_status", "_label_en")] = status.en
            row[col.replace("_status", "_light")] = status.light.value
        row["notes"] = " | ".join(a.notes)
        row["fit_warnings"] = " | ".join(a.fit_warnings)
        rows.append(row)
    return pd.DataFrame(rows)
