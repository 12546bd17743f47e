"""The three judgements of progress, as pure formulas (no data access).

(a) Chinese mid-term-evaluation practice: progress P against elapsed time τ (NDRC's notice
    launching the 13th plan's mid-term evaluation, 发改规划〔2018〕238号,
    http://www.gov.cn/xinwen/2018-02/10/content_5265519.htm).
(b) Eurostat / Open SDG growth ratio R = CAGR_actual / CAGR_required
    (https://open-sdg.readthedocs.io/en/latest/progress-methodology/).
(c) Model-based: probability that the target is met, from a forecast's predictive distribution.

All three work on the *judged scale*: the level itself for level/share/count targets, the
chained real index (base year = 100) for average-growth targets, and the level index
(base year = 100) for cumulative reductions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from fjdata.inputs.transforms import cagr


class Light(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    GREY = "grey"


class Status(StrEnum):
    """Every status any judgement can give, with Chinese and English labels and a light."""

    ACHIEVED = "achieved"  # target year observed and met, or latest value already meets it
    ACHIEVED_EARLY = "achieved_early"
    AHEAD = "ahead"
    ON_TRACK = "on_track"
    LAGGING = "lagging"
    MISSED = "missed"
    SIGNIFICANT = "significant"
    MODERATE = "moderate"
    LIMITED = "limited"
    AWAY = "away"
    LIKELY = "likely"
    POSSIBLE = "possible"
    UNLIKELY = "unlikely"
    BASICALLY_ACHIEVED = "basically_achieved"  # a "左右" target just outside its band
    MET_EVERY_YEAR = "met_every_year"  # a yearly quota met in every observed year, plan not over
    PROBABLY_ACHIEVED = "probably_achieved"  # plan over, target-year value not yet collected: estimate
    UNCERTAIN = "uncertain"
    PROBABLY_MISSED = "probably_missed"
    NOT_APPLICABLE = "not_applicable"
    NOT_QUANTIFIED = "not_quantified"
    INSUFFICIENT = "insufficient"

    @property
    def zh(self) -> str:
        return _LABELS[self][0]

    @property
    def en(self) -> str:
        return _LABELS[self][1]

    @property
    def light(self) -> Light:
        return _LABELS[self][2]

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


_LABELS: dict[Status, tuple[str, str, Light]] = {
    Status.ACHIEVED: ("已实现", "achieved", Light.GREEN),
    Status.ACHIEVED_EARLY: ("提前实现", "achieved early", Light.GREEN),
    Status.AHEAD: ("快于预期", "ahead of schedule", Light.GREEN),
    Status.ON_TRACK: ("基本符合预期", "broadly on schedule", Light.GREEN),
    Status.LAGGING: ("滞后", "lagging", Light.RED),
    Status.MISSED: ("未实现", "missed", Light.RED),
    Status.SIGNIFICANT: ("进展显著", "significant progress", Light.GREEN),
    Status.MODERATE: ("进展一般，需加快", "moderate progress, acceleration needed", Light.AMBER),
    Status.LIMITED: ("进展不足", "limited progress", Light.RED),
    Status.AWAY: ("背离目标", "moving away", Light.RED),
    Status.LIKELY: ("很可能实现", "likely to be met", Light.GREEN),
    Status.POSSIBLE: ("有可能实现", "may be met", Light.AMBER),
    Status.UNLIKELY: ("难以实现", "unlikely to be met", Light.RED),
    Status.BASICALLY_ACHIEVED: ("基本实现", "broadly achieved", Light.GREEN),
    Status.MET_EVERY_YEAR: ("逐年达标", "met every year so far", Light.GREEN),
    Status.PROBABLY_ACHIEVED: ("估计已实现", "probably achieved (estimate)", Light.GREEN),
    Status.UNCERTAIN: ("尚难判断", "too close to call", Light.AMBER),
    Status.PROBABLY_MISSED: ("估计未实现", "probably missed (estimate)", Light.RED),
    Status.NOT_APPLICABLE: ("不适用", "not applicable", Light.GREY),
    Status.NOT_QUANTIFIED: ("无量化目标值", "no numeric target", Light.GREY),
    Status.INSUFFICIENT: ("数据不足", "insufficient data", Light.GREY),
}


@dataclass(frozen=True)
class Goal:
    """A target on the judged scale."""

    base_year: int
    base: float
    target_year: int
    target: float
    op: str  # ≥ ≤ ≈ =
    band: float = 0.0  # half-width for ≈ / =

    @property
    def higher(self) -> bool:
        return self.op == "≥"

    @property
    def is_hold(self) -> bool:
        """A floor or ceiling the base already satisfies (e.g. ≥ 23 from 25): nothing to travel, keep it."""
        return self.op in ("≈", "=") or (self.op == "≥" and self.target <= self.base) or (self.op == "≤" and self.target >= self.base)

    def met(self, value: float) -> bool:
        if self.op == "≥":
            return value >= self.target
        if self.op == "≤":
            return value <= self.target
        return abs(value - self.target) <= self.band


def elapsed(base_year: int, latest_year: int, target_year: int) -> float:
    """τ = (t − b)/(T − b), clipped to [0, 1]."""
    return min(max((latest_year - base_year) / (target_year - base_year), 0.0), 1.0)


def progress_linear(base: float, latest: float, target: float) -> float:
    """P = (y_t − y_b)/(y* − y_b) for level, share and count targets."""
    return (latest - base) / (target - base)


def progress_log(base: float, latest: float, target: float) -> float:
    """P = ln(y_t/y_b)/ln(y*/y_b): average growth on a chained index, cumulative reductions.

    For a reduction target r*, y*/y_b = 1 − r*, which reproduces NDRC's 82.5 % for the 12th
    FYP energy-intensity target: ln(1 − 0.134)/ln(1 − 0.16) = 0.8252.
    """
    return math.log(latest / base) / math.log(target / base)


@dataclass(frozen=True)
class CnJudgement:
    status: Status
    progress: float | None
    elapsed: float | None


def judge_cn(goal: Goal, latest_year: int, latest: float, log_form: bool, tolerance: float) -> CnJudgement:
    """提前实现 / 快于预期 / 基本符合预期 / 滞后 (and 已实现 / 未实现 once the target year is observed)."""
    tau = elapsed(goal.base_year, latest_year, goal.target_year)
    final = latest_year >= goal.target_year
    if goal.is_hold:
        # Nothing to travel ("keep at about y*", or a floor already cleared): judge by the bound alone.
        inside = goal.met(latest)
        if final:
            return CnJudgement(Status.ACHIEVED if inside else Status.MISSED, None, tau)
        return CnJudgement(Status.ON_TRACK if inside else Status.LAGGING, None, tau)
    p = progress_log(goal.base, latest, goal.target) if log_form else progress_linear(goal.base, latest, goal.target)
    if goal.met(latest):
        return CnJudgement(Status.ACHIEVED if final else Status.ACHIEVED_EARLY, p, tau)
    if final:
        return CnJudgement(Status.MISSED, p, tau)
    if p >= tau + tolerance:
        return CnJudgement(Status.AHEAD, p, tau)
    if p <= tau - tolerance:
        return CnJudgement(Status.LAGGING, p, tau)
    return CnJudgement(Status.ON_TRACK, p, tau)


@dataclass(frozen=True)
class QuotaJudgement:
    """A yearly quota (每年…N以上) checked year by year."""

    status: Status
    years_met: tuple[int, ...]
    years_short: tuple[int, ...]
    years_missing: tuple[int, ...]  # plan years up to the last observed one with no figure
    min_ratio: float | None  # the weakest year's value ÷ the quota (≥ 1 when every year met it)


def judge_annual_quota(values: dict[int, float], goal: Goal, period_over: bool) -> QuotaJudgement:
    """Each plan year is met or not; no progress ratio and no elapsed time (they do not apply).

    All observed years met: 已实现 when every plan year is observed, else 逐年达标 (with the
    years still missing listed). Any year short: 未实现 once the plan is over, 滞后 before.
    """
    plan_years = range(goal.base_year + 1, goal.target_year + 1)
    years = sorted(y for y in values if y in plan_years)
    if not years:
        return QuotaJudgement(Status.INSUFFICIENT, (), (), tuple(plan_years), None)
    met = tuple(y for y in years if goal.met(values[y]))
    short = tuple(y for y in years if y not in met)
    missing = tuple(y for y in plan_years if y not in values and (period_over or y < years[-1]))
    ratios = (
        [values[y] / goal.target for y in years if goal.target] if goal.op == "≥" else [goal.target / values[y] for y in years if values[y]]
    )
    ratio = min(ratios) if ratios else None
    if short:
        return QuotaJudgement(Status.MISSED if period_over else Status.LAGGING, met, short, missing, ratio)
    complete = years[-1] >= goal.target_year and not missing
    return QuotaJudgement(Status.ACHIEVED if complete else Status.MET_EVERY_YEAR, met, short, missing, ratio)


@dataclass(frozen=True)
class SdgJudgement:
    status: Status
    ratio: float | None
    cagr_actual: float | None
    cagr_required: float | None


def judge_sdg(goal: Goal, latest_year: int, latest: float, thresholds: dict[str, float]) -> SdgJudgement:
    """Growth ratio R with Open SDG categories; a target already met is reported as met."""
    if goal.met(latest):
        return SdgJudgement(Status.ACHIEVED, None, None, None)
    if goal.is_hold or min(goal.base, latest, goal.target) < 0:
        return SdgJudgement(Status.NOT_APPLICABLE, None, None, None)  # no growth path to compare with
    # Open SDG replaces zeros (only) by 0.001 so that the exponential model stays defined.
    base, value, target = (v if v > 0 else 1e-3 for v in (goal.base, latest, goal.target))
    if latest_year <= goal.base_year or target == base:
        return SdgJudgement(Status.NOT_APPLICABLE, None, None, None)
    actual = cagr(base, value, latest_year - goal.base_year)
    required = cagr(base, target, goal.target_year - goal.base_year)
    ratio = actual / required
    if ratio >= thresholds["high"]:
        status = Status.SIGNIFICANT
    elif ratio >= thresholds["med"]:
        status = Status.MODERATE
    elif ratio >= thresholds["low"]:
        status = Status.LIMITED
    else:
        status = Status.AWAY
    return SdgJudgement(status, ratio, actual, required)


def judge_probability(p: float, bands: dict[str, float]) -> Status:
    if p >= bands["green"]:
        return Status.LIKELY
    if p >= bands["amber"]:
        return Status.POSSIBLE
    return Status.UNLIKELY


def required_path(goal: Goal, years: list[int]) -> list[float]:
    """The constant-rate path from base to target (what CAGR_required implies), for charts."""
    if goal.base <= 0 or goal.target <= 0:
        step = (goal.target - goal.base) / (goal.target_year - goal.base_year)
        return [goal.base + step * (y - goal.base_year) for y in years]
    r = cagr(goal.base, goal.target, goal.target_year - goal.base_year)
    return [goal.base * (1 + r) ** (y - goal.base_year) for y in years]


# Probability bands for printing: a model never says 0 % or 100 % (see probability_band()).
PROBABILITY_BANDS: tuple[tuple[float, str, str], ...] = (
    (0.05, "<5%", "<5%"),
    (0.25, "5–25%", "5–25%"),
    (0.50, "25–50%", "25–50%"),
    (0.75, "50–75%", "50–75%"),
    (0.95, "75–95%", "75–95%"),
    (1.01, ">95%", ">95%"),
)


def probability_band(p: float | None, lang: str = "zh") -> str:
    """A model probability as a band, e.g. ``75–95%`` or ``>95%``: never printed as 0 % or 100 %."""
    if p is None or math.isnan(p):
        return "—"
    for upper, zh, en in PROBABILITY_BANDS:
        if p < upper:
            return zh if lang == "zh" else en
    return PROBABILITY_BANDS[-1][1]


def judge_estimate(p: float, bands: dict[str, float]) -> Status:
    """The verdict on a past target year whose value is not yet collected, from the model's estimate."""
    if p >= bands["met"]:
        return Status.PROBABLY_ACHIEVED
    if p <= bands["missed"]:
        return Status.PROBABLY_MISSED
    return Status.UNCERTAIN


@dataclass(frozen=True)
class AverageGrowth:
    """An average-growth target judged on the rates observed in the plan period."""

    rate: float  # % a year: the geometric mean of the observed rates (or a published period average)
    years_used: tuple[int, ...]
    years_missing: tuple[int, ...]  # plan years with no published rate
    n_plan_years: int
    published: bool  # True when a published period average (十四五期间年均增长X%) was used
    flip_rate: float | None  # the average the missing years would need to cross to change the verdict


def average_growth_from_rates(
    rates: dict[int, float], base_year: int, target_year: int, target_rate: float, period_over: bool
) -> AverageGrowth | None:
    """Geometric mean of the yearly rates observed in (base, target]; the missing years' break-even.

    The five-year average is ``(Π(1+g_t))^(1/N) − 1``; with years missing it is estimated by the
    observed years' geometric mean. ``flip_rate`` is the average of the missing years at which
    the five-year average would equal the target: below it (for a met target) the verdict flips
    to 未实现, above it (for a missed one) to 已实现. Only years up to the last observed one
    count as missing while the plan is running.
    """
    plan_years = list(range(base_year + 1, target_year + 1))
    used = tuple(y for y in plan_years if y in rates)
    if not used:
        return None
    growth = math.prod(1 + rates[y] / 100.0 for y in used)
    rate = (growth ** (1 / len(used)) - 1) * 100.0
    horizon = plan_years if period_over else [y for y in plan_years if y <= used[-1]]
    missing = tuple(y for y in horizon if y not in rates)
    flip = None
    if missing:
        needed = (1 + target_rate / 100.0) ** len(plan_years) / growth  # growth the missing years must supply
        flip = (needed ** (1 / len(missing)) - 1) * 100.0 if period_over or used[-1] >= target_year else None
    return AverageGrowth(rate, used, missing, len(plan_years), False, flip)
